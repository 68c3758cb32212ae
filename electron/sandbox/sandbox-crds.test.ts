import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index';
import { findResource, versionPriority } from './resources';

const run = promisify(execFile);
let sandbox: Sandbox;
let kubeconfig: string;
let dir: string;

const kubectl = async (...args: string[]) =>
  (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 })).stdout;

const crd = (versions: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
${versions}`;
const v1 = `  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`;
const v1beta1 = `  - {name: v1beta1, served: true, storage: false, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`;

function manifest(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-crds-'));
  kubeconfig = join(dir, 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
});

afterAll(async () => {
  await sandbox?.close();
});

describe('CustomResourceDefinitions', () => {
  it('orders versions as Kubernetes does', () => {
    expect(['v1alpha1', 'v2', 'v1beta2', 'v1', 'v1beta1', 'foo'].sort(versionPriority)).toEqual([
      'v2',
      'v1',
      'v1beta2',
      'v1beta1',
      'v1alpha1',
      'foo',
    ]);
  });

  it('a created CRD is established and its kind is discovered, listed, watched and deleted with it', async () => {
    await kubectl('apply', '-f', manifest('crd.yaml', crd(v1 + v1beta1)));
    await kubectl('wait', '--for=condition=established', '--timeout=10s', 'crd/crontabs.stable.example.com');
    expect(await kubectl('api-resources', '--api-group=stable.example.com', '--no-headers')).toMatch(
      /^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab/m,
    );
    await kubectl(
      'apply',
      '-f',
      manifest(
        'ct.yaml',
        'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: nightly, namespace: default}\nspec: {cronSpec: "0 3 * * *"}\n',
      ),
    );
    expect(await kubectl('get', 'ct', '-n', 'default', '--no-headers')).toMatch(/^nightly\s/m);
    expect(await kubectl('get', 'crontabs.v1beta1.stable.example.com', '-n', 'default', '-o', 'name')).toContain(
      'nightly',
    );
    expect(await kubectl('get', 'crontab', 'nightly', '-n', 'default', '-o', 'jsonpath={.spec.cronSpec}')).toBe(
      '0 3 * * *',
    );

    await kubectl('delete', 'crd', 'crontabs.stable.example.com');
    expect(findResource('stable.example.com', 'v1', 'crontabs')).toBeUndefined();
    await expect(kubectl('get', 'crontabs.stable.example.com', '-n', 'default')).rejects.toThrow(
      /the server doesn't have a resource type|NotFound|not found/,
    );
  });

  it('refuses a CRD whose name is not plural.group, naming the field', async () => {
    const bad = crd(v1).replace('name: crontabs.stable.example.com', 'name: crontab.example.com');
    await expect(kubectl('apply', '-f', manifest('bad.yaml', bad))).rejects.toThrow(
      /metadata.name: Invalid value: "crontab.example.com": must be spec.names.plural\+"."\+spec.group/,
    );
  });
});
