// `homeport render radarr-mvp`: the stack's Kubernetes objects as YAML, validated strictly.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateKubeObjects } from '../core/stacks/testing/kube-schema';
import type { KubeObject } from '../core/stacks/types';
import { runRender, type StackIo } from './stack-commands';

const IMAGE = 'registry.lan/radarr-mvp:0.1';

describe('homeport render radarr-mvp', () => {
  it('prints objects that validate strictly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeport-radarr-render-'));
    const file = join(dir, 'values.yaml');
    writeFileSync(file, `app:\n  image: ${IMAGE}\n`);
    const out: string[] = [];
    const err: string[] = [];
    const io: StackIo = { confirm: async () => false, out: (l) => out.push(l), err: (l) => err.push(l) };
    expect(await runRender('radarr-mvp', { values: file, namespace: 'radarr', 'data-dir': dir }, io)).toBe(0);
    const docs = parseAllDocuments(out.join('\n')).map((d) => d.toJS() as KubeObject);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(
      expect.arrayContaining(['Deployment/radarr', 'StatefulSet/postgres', 'Service/radarr', 'Secret/radarr-secrets']),
    );
    validateKubeObjects(docs);
  });

  it('refuses to render without an image', async () => {
    const err: string[] = [];
    const io: StackIo = { confirm: async () => false, out: () => undefined, err: (l) => err.push(l) };
    const dir = mkdtempSync(join(tmpdir(), 'homeport-radarr-render-'));
    expect(await runRender('radarr-mvp', { 'data-dir': dir }, io)).toBe(1);
    expect(err.join('\n')).toContain('app.image');
  });
});
