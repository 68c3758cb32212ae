import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadKubeconfig } from './kubeconfig';
import * as yaml from './kubeconfig-yaml';

// The real parser, counted.
vi.mock('./kubeconfig-yaml', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./kubeconfig-yaml')>();
  return { ...actual, parseKubeconfigYaml: vi.fn(actual.parseKubeconfigYaml) };
});

const config = (server: string) => `
apiVersion: v1
kind: Config
current-context: alpha
clusters:
- name: alpha-cluster
  cluster: {server: '${server}'}
contexts:
- name: alpha
  context: {cluster: alpha-cluster, user: alpha-user}
users:
- name: alpha-user
  user: {token: alpha-token}
`;

describe('loading a kubeconfig again', () => {
  it('parses a file once while its text is unchanged, and again once it changes', async () => {
    const parse = vi.mocked(yaml.parseKubeconfigYaml);
    const path = join(mkdtempSync(join(tmpdir(), 'homeport-kc-once-')), 'config');
    const paths = [{ path, origin: 'added' as const }];
    const server = async () => (await loadKubeconfig(paths)).clusters.get('alpha-cluster')?.value.server;

    writeFileSync(path, config('https://one.example:6443'));
    parse.mockClear();
    expect(await server()).toBe('https://one.example:6443');
    expect(await server()).toBe('https://one.example:6443');
    expect(parse).toHaveBeenCalledTimes(1);

    // Same length, different text: read again, parsed again.
    writeFileSync(path, config('https://two.example:6443'));
    expect(await server()).toBe('https://two.example:6443');
    expect(parse).toHaveBeenCalledTimes(2);

    // A file that became invalid reports its error, and the old parse is not used.
    writeFileSync(path, 'clusters: [');
    const broken = await loadKubeconfig(paths);
    expect(broken.clusters.size).toBe(0);
    expect(broken.sources[0]?.error).toMatch(/not valid YAML/);
  });
});
