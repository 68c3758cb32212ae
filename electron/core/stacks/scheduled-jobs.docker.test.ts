// The in-cluster backup's Swarm service, as rendered, created on the real test engine.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../docker/client';
import { testEngine } from '../docker/testing/engine';
import { engineApi } from '../swarm/engine-api';
import { createStackCatalog } from './catalog';
import { CRON_LOOP } from './scheduled-jobs';

const engine = testEngine();
const stack = `hp-${randomBytes(3).toString('hex')}`;
const api = engineApi(createDockerClient({ kind: 'unix', socketPath: engine.socketPath }));
const label = `homeport.dev/stack=${stack}`;

afterAll(async () => {
  for (const s of await api.services(label)) await api.removeService(s.ID).catch(() => undefined);
  for (const s of await api.secrets(label)) await api.removeSecret(s.ID).catch(() => undefined);
  for (const n of await api.networks(label)) await api.removeNetwork(n.Id).catch(() => undefined);
  for (const v of await api.volumes(label)) await api.removeVolume(v.Name).catch(() => undefined);
});

describe('the in-cluster backup service on a real Swarm engine', () => {
  it('is accepted as rendered, with its loop, secret file and NFS volume', async () => {
    const rendered = createStackCatalog().renderSwarm(
      'revenge',
      {
        nfs: { enabled: false },
        backup: { inCluster: { enabled: true, nfs: { server: '127.0.0.1', path: '/srv/backups' } } },
      },
      { stack },
    );
    const job = rendered.services.find((s) => s.Name === `${stack}_postgres-backup`);
    expect(job).toBeDefined();
    // The default network, and the networks that separate Postgres (the job reaches it on its own).
    for (const n of [rendered.network, ...(rendered.networks ?? [])]) await api.createNetwork(n);
    expect(job?.TaskTemplate.Networks).toEqual([
      { Target: `${stack}_default`, Aliases: ['postgres-backup'] },
      { Target: `${stack}_postgres-backup-to-postgres`, Aliases: [] },
    ]);
    expect(job?.Labels['homeport.dev/schedule']).toBe('0 3 * * *');
    // The generated password the job reads, as the deployer creates it (with a value).
    const password = rendered.secrets.find((s) => s.Name === `${stack}_revenge-secrets_database-password`);
    const secret = await api.createSecret({ ...password, Data: Buffer.from('pw').toString('base64') });
    const volume = rendered.volumes.find((v) => v.Name.startsWith(`${stack}_backups_`));
    await api.createVolume(volume);
    // The deployer names each secret reference's ID once the secret exists; so does this test.
    const spec0 = job!.TaskTemplate.ContainerSpec;
    const body = {
      ...job,
      TaskTemplate: {
        ...job!.TaskTemplate,
        ContainerSpec: { ...spec0, Secrets: spec0.Secrets?.map((r) => ({ ...r, SecretID: secret.ID })) },
      },
    };
    expect(spec0.Secrets?.map((r) => r.SecretName)).toEqual([password?.Name]);
    const { ID } = await api.createService(body);
    const live = (await api.service(ID)) as unknown as {
      Spec: { TaskTemplate: { ContainerSpec: { Command: string[]; Env: string[]; Mounts: { Source: string }[] } } };
    };
    const spec = live.Spec.TaskTemplate.ContainerSpec;
    expect(spec.Command.slice(0, 3)).toEqual(['sh', '-c', CRON_LOOP]);
    expect(spec.Env).toContain('CRON_SCHEDULE=0 3 * * *');
    expect(spec.Mounts.map((m) => m.Source)).toEqual([volume?.Name]);
  });
});
