/** Revenge with a saved S3 profile on a real swarm: the keys become Swarm secrets the API mounts, nothing else. */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createDockerClient } from '../docker/client';
import { revengeStandinImages } from '../docker/testing/revenge-standins';
import { testEngine } from '../docker/testing/engine';
import { resolveStackReferences, type ReferenceLookups } from '../references/resolve';
import { createStackCatalog } from '../stacks/catalog';
import { createSwarmDeployer } from './deployer';

const engine = testEngine();
const stack = `hp-prov-${randomBytes(3).toString('hex')}`;
const endpoint = 'test-engine';
const openClient = vi.fn(async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath }));
const deployer = createSwarmDeployer({ openClient, catalog: createStackCatalog(), updateMonitorMs: 1000 });
const ref = { endpoint, stack, template: 'revenge' };

const ACCESS = 'AKIASWARMPROVIDED01';
let secretKey = 'swarm-secret-key-0a1b2c3d4e5f';
const lookups: ReferenceLookups = {
  nasExport: () => Promise.reject(new Error('not used')),
  s3Profile: async () => ({
    endpoint: 'https://s3.nas.lan:9000',
    region: 'garage',
    pathStyle: true,
    accessKeyId: ACCESS,
    secretAccessKey: secretKey,
  }),
};
const images = revengeStandinImages();
const referenced = {
  api: images.api,
  frontend: { ...images.frontend, replicas: 1 },
  postgres: images.postgres,
  dragonfly: images.dragonfly,
  typesense: images.typesense,
  objectStore: { mode: 'profile', profile: 'garage', bucket: 'avatars' },
  nfs: { enabled: false },
  swarm: { publish: { frontend: null } },
};

const providedSecrets = async () =>
  (
    await engine.docker([
      'secret',
      'ls',
      '--filter',
      `label=homeport.dev/stack=${stack}`,
      '--filter',
      'label=homeport.dev/provided=true',
      '--format',
      '{{.Name}}',
    ])
  )
    .split('\n')
    .filter(Boolean)
    .sort();

async function waitFor(pred: (s: RolloutStatus) => boolean, what: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let last: RolloutStatus | undefined;
  while (Date.now() < deadline) {
    last = await deployer.status(ref);
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

/** Reads a mounted secret file inside a running container of the service. */
async function readInService(service: string, file: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ids = (await engine.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`]))
      .split('\n')
      .filter(Boolean);
    for (const id of ids) {
      // The stand-in holds only the image's tools: read with the shell's own builtins, as without cat.
      const script = 'while IFS= read -r l || [ -n "$l" ]; do printf "%s\\n" "$l"; done < "$1"';
      const out = await engine.docker(['exec', id, 'sh', '-c', script, 'sh', file]).catch(() => undefined);
      if (out !== undefined) return out;
    }
    if (Date.now() > deadline) throw new Error(`no running container of ${service} could read ${file}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

afterAll(async () => {
  await deployer.remove({ ...ref, deleteVolumes: true }).catch(() => undefined);
});

describe('Swarm deployer: provided secrets', () => {
  it('creates Swarm secrets from the provided keys, mounts them into the API, and rotates them', async () => {
    const { values, provided } = await resolveStackReferences('revenge', referenced, lookups);

    openClient.mockClear();
    await expect(deployer.plan({ ...ref, values })).rejects.toThrow(
      /revenge-s3-credentials\/access-key-id, revenge-s3-credentials\/secret-access-key/,
    );
    expect(openClient).not.toHaveBeenCalled();

    const plan = await deployer.plan({ ...ref, values, provided });
    expect(JSON.stringify(plan)).not.toContain(ACCESS);
    const result = await deployer.apply({ ...ref, values, provided, prune: true });
    expect(JSON.stringify(result)).not.toContain(secretKey);
    await waitFor((s) => s.state === 'healthy', 'the stack to converge');

    const names = await providedSecrets();
    expect(names).toHaveLength(2);
    // Named by a hash of the value (long names are shortened with a hash of the whole).
    for (const n of names) expect(n).toMatch(new RegExp(`^${stack}_revenge-s3-credentials_[a-z-]+_[0-9a-f]{8}$`));
    const oldSecret = names.find((n) => n.includes('_secret-access')) as string;
    const accessSecret = names.find((n) => n.includes('_access-key-id')) as string;
    expect(oldSecret).toBeDefined();
    expect(accessSecret).toBeDefined();

    const svc = JSON.parse(await engine.docker(['service', 'inspect', `${stack}_revenge`]))[0] as {
      Spec: { TaskTemplate: { ContainerSpec: { Secrets: { SecretName: string }[]; Env: string[] } } };
    };
    const spec = svc.Spec.TaskTemplate.ContainerSpec;
    expect(spec.Secrets.map((s) => s.SecretName)).toEqual(expect.arrayContaining(names));
    expect(spec.Env.filter((e) => e.includes('_FILE='))).toEqual([]);
    expect(spec.Env).toContain('REVENGE_STORAGE_S3_ENDPOINT=https://s3.nas.lan:9000');
    expect(JSON.stringify(spec.Env)).not.toContain(ACCESS);
    // The engine filled the config file in the task from the secret files next to it.
    const configYaml = await readInService(`${stack}_revenge`, '/app/config/config.yaml');
    expect(configYaml).toContain(`access_key_id: "${ACCESS}"`);
    expect(configYaml).toContain(`secret_access_key: "${secretKey}"`);
    expect(configYaml).not.toContain('{{');

    // The revision config holds the profile name, no key.
    const config = JSON.parse(await engine.docker(['config', 'inspect', `homeport-rev-${stack}-1`]))[0] as {
      Spec: { Data: string };
    };
    const recorded = gunzipSync(Buffer.from(config.Spec.Data, 'base64')).toString('utf8');
    expect(recorded).toContain('"profile":"garage"');
    expect(recorded).not.toContain(ACCESS);
    expect(recorded).not.toContain(secretKey);
    expect(recorded).not.toContain(Buffer.from(secretKey).toString('base64'));

    // The same keys again: nothing changes.
    const again = await deployer.plan({ ...ref, values, provided });
    expect(again.items.filter((i) => i.action !== 'unchanged')).toEqual([]);

    // A rotated secret key: a new secret, the API switches to it, the old one goes.
    secretKey = 'swarm-rotated-key-6f5e4d3c2b1a';
    const rotated = await resolveStackReferences('revenge', referenced, lookups);
    const rotatedPlan = await deployer.plan({ ...ref, values: rotated.values, provided: rotated.provided });
    const changed = rotatedPlan.items
      .filter((i) => i.action !== 'unchanged')
      .map((i) => `${i.action} ${i.kind}/${i.name}`);
    expect(changed).toHaveLength(3);
    expect(changed).toContain(`update Service/${stack}_revenge`);
    expect(changed).toContain(`prune Secret/${oldSecret}`);
    const applied = await deployer.apply({ ...ref, values: rotated.values, provided: rotated.provided, prune: false });
    expect(applied.pruned).toEqual([`Secret/${oldSecret}`]);
    const after = await providedSecrets();
    expect(after).toHaveLength(2);
    expect(after).toContain(accessSecret);
    expect(after).not.toContain(oldSecret);
    await waitFor((s) => s.state === 'healthy', 'the rotated stack to converge');
    expect(await readInService(`${stack}_revenge`, '/app/config/config.yaml')).toContain(
      `secret_access_key: "${secretKey}"`,
    );
  }, 180_000);
});
