import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox/index';
import {
  parseTimeout,
  runDeploy,
  runRender,
  runRevisions,
  runRollback,
  runUninstall,
  type StackIo,
} from './stack-commands';

function recorder(answer = false) {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  const io: StackIo = {
    confirm: async (q) => {
      asked.push(q);
      return answer;
    },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  };
  return { io, out: () => out.join('\n'), err: () => err.join('\n'), asked };
}

const dir = mkdtempSync(join(tmpdir(), 'homeport-stack-cli-'));
const valuesFile = join(dir, 'values.yaml');
writeFileSync(valuesFile, 'nfs:\n  server: 10.0.0.20\n  path: /srv/media\napi:\n  replicas: 2\n');

describe('homeport render', () => {
  it('prints every object as YAML documents, without secret values', async () => {
    const r = recorder();
    expect(await runRender('revenge', { values: valuesFile, namespace: 'media' }, r.io)).toBe(0);
    const docs = parseAllDocuments(r.out()).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } },
    );
    const kinds = new Set(docs.map((d) => d.kind));
    for (const kind of [
      'Deployment',
      'StatefulSet',
      'Service',
      'Secret',
      'PersistentVolume',
      'PersistentVolumeClaim',
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(docs.filter((d) => d.kind === 'Deployment').every((d) => d.metadata.namespace === 'media')).toBe(true);
    expect(r.out()).toContain('10.0.0.20');
    expect(r.out()).not.toMatch(/REVENGE_JWT_SECRET\s*\n\s*value:/);
  });

  it('names each bad field and prints nothing', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'nfs:\n  server: "nas .lan"\napi:\n  replicas: -1\n  replicaz: 2\n');
    const r = recorder();
    expect(await runRender('revenge', { values: bad }, r.io)).toBe(1);
    expect(r.err()).toContain('nfs.server');
    expect(r.err()).toContain('api.replicas');
    expect(r.err()).toContain('api.replicaz');
    expect(r.out()).toBe('');
  });

  it('refuses an unknown stack, a missing file and a non-mapping file', async () => {
    await expect(runRender('wordpress', {}, recorder().io)).rejects.toThrow("Unknown stack 'wordpress'");
    await expect(runRender('revenge', { values: join(dir, 'nope.yaml') }, recorder().io)).rejects.toThrow(
      /--values: .*nope\.yaml does not exist/,
    );
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    await expect(runRender('revenge', { values: list }, recorder().io)).rejects.toThrow('must hold a mapping');
  });

  it('reads --timeout', () => {
    expect(parseTimeout('90s')).toBe(90_000);
    expect(parseTimeout('2m')).toBe(120_000);
    expect(() => parseTimeout('soon')).toThrow("--timeout: 'soon' is not a duration");
  });
});

describe('homeport deploy, rollback and uninstall against the sandbox', () => {
  let sandbox: Sandbox;
  let kubeconfig: string;
  const target = () => ({ context: SANDBOX_CONTEXT, kubeconfig, 'data-dir': join(dir, 'data'), namespace: 'cli' });

  beforeAll(async () => {
    sandbox = await startSandbox({ speed: 0.05 });
    kubeconfig = join(dir, 'sandbox.kubeconfig');
    await sandbox.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => sandbox?.close());

  it('dry-run plans without applying; without --yes and no terminal nothing is applied', async () => {
    let r = recorder();
    expect(await runDeploy('revenge', { ...target(), values: valuesFile, 'dry-run': true }, r.io)).toBe(0);
    expect(r.err()).toMatch(/create\s+Deployment\s+cli\/revenge/);
    expect(r.out()).toContain('nothing was applied');
    r = recorder(false);
    expect(await runDeploy('revenge', { ...target(), values: valuesFile }, r.io)).toBe(1);
    expect(r.asked[0]).toContain(`to namespace cli of context '${SANDBOX_CONTEXT}'`);
    r = recorder();
    expect(await runRevisions('revenge', target(), r.io)).toBe(0);
    expect(r.out()).toMatch(/^No revisions yet: stack 'revenge' is not deployed/);
  });

  it('deploys with --yes and waits until healthy; again is a no-op; rollback and uninstall keep claims', async () => {
    let r = recorder();
    expect(await runDeploy('revenge', { ...target(), values: valuesFile, yes: true, timeout: '60s' }, r.io)).toBe(0);
    expect(r.out()).toContain('Applied revision 1');
    expect(r.out()).toContain("Stack 'revenge' is healthy in namespace cli of context");

    r = recorder();
    expect(await runDeploy('revenge', { ...target(), values: valuesFile, yes: true }, r.io)).toBe(0);
    expect(r.out()).toContain('No changes');

    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, 'nfs:\n  server: 10.0.0.20\n  path: /srv/media\nfrontend:\n  replicas: 3\n');
    r = recorder();
    expect(await runDeploy('revenge', { ...target(), values: changed, yes: true, timeout: '60s' }, r.io)).toBe(0);
    expect(r.out()).toContain('Applied revision 2');

    r = recorder(true);
    await expect(runRollback('revenge', { ...target(), revision: '99', timeout: '60s' }, r.io)).rejects.toThrow(
      "revision 99 of 'revenge' does not exist (revisions: 1, 2)",
    );
    expect(r.asked).toEqual([]);

    // The revision that runs now is refused before anything is asked or applied.
    r = recorder();
    await expect(runRollback('revenge', { ...target(), revision: '2', yes: true }, r.io)).rejects.toThrow(
      /Revision 2 of 'revenge' is the one running .*pick an earlier revision \(1\)/,
    );

    // The rollback's plan comes first: the values it brings back, then the objects.
    r = recorder();
    expect(await runRollback('revenge', { ...target(), revision: '1', yes: true, timeout: '60s' }, r.io)).toBe(0);
    expect(r.err()).toMatch(/^Values:\n( {2}.*\n)* {2}frontend\.replicas: 3 → 2\n/);
    expect(r.err()).toMatch(/update\s+Deployment\s+cli\/frontend/);
    expect(r.out()).toContain('recorded as revision 3');
    await expect(runRollback('revenge', { ...target(), revision: 'latest', yes: true }, r.io)).rejects.toThrow(
      '--revision',
    );

    r = recorder();
    expect(await runUninstall('revenge', { ...target(), yes: true }, r.io)).toBe(0);
    expect(r.out()).toMatch(/Kept \(data volumes.*PersistentVolumeClaim/);
  }, 120_000);

  it('needs --context', async () => {
    await expect(runDeploy('revenge', { values: valuesFile }, recorder().io)).rejects.toThrow('--context');
  });
});
