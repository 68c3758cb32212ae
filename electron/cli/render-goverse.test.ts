/** `homeport render goverse`: the stack whose images are not published renders once they are given. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateKubeObjects } from '../core/stacks/testing/kube-schema';
import type { KubeObject } from '../core/stacks/types';
import { runRender, type StackIo } from './stack-commands';

function recorder() {
  const out: string[] = [];
  const err: string[] = [];
  const io: StackIo = { confirm: async () => false, out: (l) => out.push(l), err: (l) => err.push(l) };
  return { io, out: () => out.join('\n'), err: () => err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'homeport-render-goverse-'));
const dataDir = join(dir, 'data');

describe('homeport render goverse', () => {
  it('renders objects the Kubernetes API accepts when the images are given', async () => {
    const values = join(dir, 'values.yaml');
    writeFileSync(
      values,
      [
        'node:\n  image: registry.lan/game-node:1.0\n  replicas: 2',
        'gate:\n  image: registry.lan/goverse-gate:1.0',
        'inspector:\n  image: registry.lan/goverse-inspector:1.0',
        'migrate:\n  image: registry.lan/goverse-pgadmin:1.0',
        '',
      ].join('\n'),
    );
    const r = recorder();
    expect(await runRender('goverse', { values, namespace: 'game', 'data-dir': dataDir }, r.io)).toBe(0);
    const docs = parseAllDocuments(r.out()).map((d) => d.toJS() as KubeObject);
    validateKubeObjects(docs);
    const names = docs.map((d) => `${d.kind}/${d.metadata.name}`);
    for (const n of [
      'StatefulSet/etcd',
      'StatefulSet/postgres',
      'StatefulSet/node',
      'Deployment/gate',
      'Deployment/inspector',
      'CronJob/etcd-snapshot',
      'Secret/goverse-config',
    ]) {
      expect(names).toContain(n);
    }
    expect(docs.every((d) => d.metadata.namespace === 'game')).toBe(true);
    expect(r.out()).toContain('registry.lan/game-node:1.0');
  });

  it('without the images, names each one and what to build, and prints nothing', async () => {
    const r = recorder();
    expect(await runRender('goverse', { 'data-dir': dataDir }, r.io)).toBe(1);
    expect(r.err()).toContain('node.image');
    expect(r.err()).toContain('build docker/Dockerfile.node');
    expect(r.err()).toContain('gate.image');
    expect(r.err()).toContain('inspector.image');
    expect(r.err()).toContain('migrate.image');
    expect(r.out()).toBe('');
  });
});
