import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarize } from './clusters-service';
import { kubeconfigPaths, loadKubeconfig } from './kubeconfig';

function tmp() {
  return mkdtempSync(join(tmpdir(), 'homeport-kc-'));
}

const first = `
apiVersion: v1
kind: Config
current-context: alpha
clusters:
- name: shared
  cluster: {server: 'https://first.example:6443', certificate-authority: certs/ca.crt}
- name: alpha-cluster
  cluster: {server: 'https://alpha.example:6443'}
contexts:
- name: alpha
  context: {cluster: alpha-cluster, user: shared-user, namespace: media}
- name: dup
  context: {cluster: shared, user: shared-user}
users:
- name: shared-user
  user: {token: first-token}
`;
const second = `
apiVersion: v1
kind: Config
current-context: beta
clusters:
- name: shared
  cluster: {server: 'https://second.example:6443'}
- name: beta-cluster
  cluster: {server: 'https://beta.example:6443'}
contexts:
- name: beta
  context: {cluster: beta-cluster, user: shared-user}
- name: dup
  context: {cluster: beta-cluster, user: beta-user, namespace: other}
users:
- name: shared-user
  user: {token: second-token}
- name: beta-user
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/get-token, args: [--cluster, beta]}
`;

describe('kubeconfig loading', () => {
  it('merges like kubectl: the first file to define a name wins, and the first current-context', async () => {
    const dir = tmp();
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, first);
    writeFileSync(b, second);
    const merged = await loadKubeconfig(kubeconfigPaths({ env: { KUBECONFIG: `${a}:${b}` } }));
    expect(merged.currentContext).toBe('alpha');
    expect(merged.contexts.get('dup')?.value).toMatchObject({ cluster: 'shared', user: 'shared-user' });
    expect(merged.clusters.get('shared')?.value.server).toBe('https://first.example:6443');
    expect(merged.users.get('shared-user')?.value.token).toBe('first-token');
    expect([...merged.contexts.keys()].sort()).toEqual(['alpha', 'beta', 'dup']);
    // Relative file references resolve against the file that holds them.
    expect(merged.clusters.get('shared')?.value['certificate-authority']).toBe(join(dir, 'certs/ca.crt'));
    expect(merged.users.get('beta-user')?.value.exec?.command).toBe(join(dir, 'bin/get-token'));
  });

  it('agrees with the real kubectl on every context of merged files', async () => {
    const dir = tmp();
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, first);
    writeFileSync(b, second);
    const env = { KUBECONFIG: `${b}:${a}` };
    const ours = summarize(await loadKubeconfig(kubeconfigPaths({ env })), []);
    const view = JSON.parse(
      execFileSync('kubectl', ['config', 'view', '-o', 'json'], { env: { ...process.env, ...env } }).toString(),
    ) as {
      'current-context': string;
      contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
      clusters: { name: string; cluster: { server: string } }[];
    };
    const theirs = view.contexts
      .map((c) => ({
        name: c.name,
        cluster: c.context.cluster,
        user: c.context.user,
        namespace: c.context.namespace ?? 'default',
        server: view.clusters.find((cl) => cl.name === c.context.cluster)?.cluster.server,
        current: c.name === view['current-context'],
      }))
      .sort((x, y) => x.name.localeCompare(y.name));
    expect(
      ours.contexts.map(({ name, cluster, user, namespace, server, current }) => ({
        name,
        cluster,
        user,
        namespace,
        server,
        current,
      })),
    ).toEqual(theirs);
    expect(ours.currentContext).toBe('beta');
  });

  it('skips missing $KUBECONFIG entries, de-duplicates paths and falls back to ~/.kube/config', () => {
    expect(kubeconfigPaths({ env: { KUBECONFIG: '/x/a::/x/b:/x/a' } }).map((p) => p.path)).toEqual(['/x/a', '/x/b']);
    expect(kubeconfigPaths({ env: {}, home: '/home/u', added: ['/extra/k3s.yaml'] })).toEqual([
      { path: '/home/u/.kube/config', origin: 'default' },
      { path: '/extra/k3s.yaml', origin: 'added' },
    ]);
    expect(kubeconfigPaths({ explicit: '/only/this', env: { KUBECONFIG: '/x/a' } })).toEqual([
      { path: '/only/this', origin: 'added' },
    ]);
  });

  it('reports a malformed file on its source and still loads the others', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.yaml');
    const good = join(dir, 'good.yaml');
    writeFileSync(bad, 'clusters: [oops: {');
    writeFileSync(good, second);
    const merged = await loadKubeconfig([
      { path: join(dir, 'missing.yaml'), origin: 'KUBECONFIG' },
      { path: bad, origin: 'KUBECONFIG' },
      { path: good, origin: 'KUBECONFIG' },
    ]);
    expect(merged.sources[0]).toEqual({ path: join(dir, 'missing.yaml'), origin: 'KUBECONFIG', exists: false });
    expect(merged.sources[1]?.error).toMatch(/bad\.yaml is not valid YAML/);
    expect(merged.contexts.has('beta')).toBe(true);
  });

  it('describes contexts without any credential and flags dangling references', async () => {
    const dir = tmp();
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      `${second}\n`.replace(
        '- name: beta\n  context: {cluster: beta-cluster',
        '- name: beta\n  context: {cluster: nowhere',
      ),
    );
    const list = summarize(await loadKubeconfig([{ path: file, origin: 'added' }]), []);
    const json = JSON.stringify(list);
    expect(json).not.toContain('second-token');
    const beta = list.contexts.find((c) => c.name === 'beta');
    expect(beta?.problems).toEqual(["cluster 'nowhere' is not defined in any kubeconfig file"]);
    const dup = list.contexts.find((c) => c.name === 'dup');
    expect(dup).toMatchObject({
      authKind: 'exec',
      exec: { args: ['--cluster', 'beta'], allowed: false },
      namespace: 'other',
    });
  });
});
