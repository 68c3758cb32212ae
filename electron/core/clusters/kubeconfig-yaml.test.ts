/**
 * kubectl reads kubeconfig YAML as YAML 1.1 plain scalars (go-yaml v2): `n`, `yes` and `off` are
 * booleans, `0755` is a number, `1:20` and dates stay strings. Each value below goes into a string
 * field (and a boolean one) of a kubeconfig; Homeport must accept and refuse exactly what kubectl
 * does, and read the same value.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKubeconfig } from './kubeconfig';
import { kubectl, tmp } from './testing/kubectl';

const dir = tmp('homeport-yaml-');
let n = 0;

function file(text: string): string {
  const path = join(dir, `config-${++n}`);
  writeFileSync(path, text);
  return path;
}

const withNamespace = (v: string) => `apiVersion: v1
kind: Config
clusters:
- name: cl
  cluster: {server: 'https://127.0.0.1:6443'}
contexts:
- name: c
  context: {cluster: cl, user: u, namespace: ${v}}
`;

const withInsecure = (v: string) => `apiVersion: v1
kind: Config
clusters:
- name: cl
  cluster:
    server: 'https://127.0.0.1:6443'
    insecure-skip-tls-verify: ${v}
`;

async function verdicts(text: string, jsonpath: string) {
  const path = file(text);
  const k = await kubectl(path, ['config', 'view', '-o', `jsonpath=${jsonpath}`]);
  const merged = await loadKubeconfig([{ path, origin: 'added' }]);
  return { kubectl: k, homeportError: merged.sources[0]?.error, merged };
}

const STRING_VALUES = [
  'y',
  'n',
  'yes',
  'No',
  'ON',
  'off',
  'True',
  'FALSE',
  '0755',
  '08',
  '1_000',
  '0x1f',
  '0o17',
  '+12',
  '1e3',
  '.5',
  '.inf',
  '1:20',
  '2001-12-14',
  '~',
  'null',
  '',
  'media',
  '"yes"',
  "'n'",
  '!!str off',
];

describe('YAML 1.1 scalars in kubeconfig files, judged by kubectl', () => {
  it.each(STRING_VALUES)('namespace: %s', async (value) => {
    const {
      kubectl: k,
      homeportError,
      merged,
    } = await verdicts(withNamespace(value), '{.contexts[0].context.namespace}');
    if (k.code !== 0) {
      expect(k.stderr).toMatch(/error loading config file/);
      expect(homeportError).toBeDefined();
    } else {
      expect(homeportError).toBeUndefined();
      expect(merged.contexts.get('c')?.value.namespace ?? '').toBe(k.stdout);
    }
  });

  it.each(['yes', 'on', 'True', 'n', 'OFF', '1', '"true"'])('insecure-skip-tls-verify: %s', async (value) => {
    const {
      kubectl: k,
      homeportError,
      merged,
    } = await verdicts(withInsecure(value), '{.clusters[0].cluster.insecure-skip-tls-verify}');
    if (k.code !== 0) expect(homeportError).toBeDefined();
    else {
      expect(homeportError).toBeUndefined();
      // kubectl leaves a false flag out of its view.
      expect(merged.clusters.get('cl')?.value['insecure-skip-tls-verify'] ? 'true' : '').toBe(k.stdout);
    }
  });

  it('a context named n is refused like kubectl refuses it, and the message says why and how to fix it', async () => {
    const text = withNamespace('media').replace('- name: c\n', '- name: n\n');
    const { kubectl: k, homeportError } = await verdicts(text, '{.contexts[0].name}');
    expect(k.code).not.toBe(0);
    expect(k.stderr).toContain('cannot unmarshal bool');
    expect(homeportError).toMatch(/'contexts\.0\.name' must be a string, not the boolean false; quote the value/);
  });

  it('a repeated key keeps its last value, as in kubectl', async () => {
    const text = withNamespace('first').replace('namespace: first}', 'namespace: first, namespace: second}');
    const { kubectl: k, homeportError, merged } = await verdicts(text, '{.contexts[0].context.namespace}');
    expect(k.stdout).toBe('second');
    expect(homeportError).toBeUndefined();
    expect(merged.contexts.get('c')?.value.namespace).toBe('second');
  });
});
