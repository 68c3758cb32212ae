/**
 * Every place Homeport reads a file the user named goes through the bounded reader: a FIFO, a
 * device or an oversized file is refused at once with the setting that named it, never waited on
 * or read without end.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readValues } from '../cli/stack-commands';
import { loadKubeconfig } from '../core/clusters/kubeconfig';
import { createDockerEndpoints } from '../core/docker/endpoints';
import { resolveConnection } from '../core/kube/kube-connection';
import { createMetricsSettings } from '../core/metrics/settings';
import { createSshTrust } from '../core/ssh/trust';
import { createNasHosts } from '../core/nas/hosts';
import { createSecretStore } from '../core/secrets/secret-store';
import { makeFifo, releaseFifos, sparseFile, within } from '../core/storage/testing/special-files';

afterAll(releaseFifos);

const tmp = () => mkdtempSync(join(tmpdir(), 'homeport-userfiles-'));

function kubeconfigWith(cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const file = join(tmp(), 'config');
  writeFileSync(
    file,
    JSON.stringify({
      clusters: [{ name: 'home', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
      users: [{ name: 'admin', user }],
      contexts: [{ name: 'home', context: { cluster: 'home', user: 'admin' } }],
    }),
  );
  return file;
}

describe('files the user names', () => {
  it('CLI --values: FIFO, oversize and 100,000-deep files are refused with what is wrong', async () => {
    const fifo = makeFifo('values-cli.fifo');
    await expect(within(readValues(fifo))).rejects.toThrow(`--values: ${fifo} is a FIFO (named pipe)`);
    const huge = sparseFile('values-cli-huge.yaml', 150 * 1024 * 1024);
    await expect(within(readValues(huge))).rejects.toThrow(/is 150 MiB, more than the 4 MiB/);
    const deep = join(tmp(), 'deep.yaml');
    writeFileSync(deep, `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    await expect(within(readValues(deep))).rejects.toThrow(`--values: ${deep} nests lists and mappings more than`);
  });

  it('kubeconfig files: a FIFO, a 200 MB file and a 100,000-deep file are reported on their source', async () => {
    const fifo = makeFifo('kubeconfig.fifo');
    const huge = sparseFile('kubeconfig-huge', 200 * 1024 * 1024);
    const deep = join(tmp(), 'deep-config');
    writeFileSync(deep, `clusters:\n${'- '.repeat(100_000)}x`);
    const merged = await within(
      loadKubeconfig([fifo, huge, deep].map((path) => ({ path, origin: 'KUBECONFIG' as const }))),
    );
    expect(merged.sources.map((s) => s.error)).toEqual([
      expect.stringContaining(`Kubeconfig file ${fifo} is a FIFO (named pipe), not a regular file`),
      expect.stringContaining(`Kubeconfig file ${huge} is 200 MiB, more than the 16 MiB`),
      expect.stringContaining(`Kubeconfig file ${deep} nests lists and mappings more than 128 levels deep`),
    ]);
  });

  it("a kubeconfig's certificate-authority, client certificate, key and tokenFile", async () => {
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [
        { 'certificate-authority': '/dev/zero' },
        {},
        "'certificate-authority' of context 'home': /dev/zero is a character device",
      ],
      [{}, { tokenFile: makeFifo('token.fifo') }, "'tokenFile' of context 'home':"],
      // A client certificate needs its key too (kubectl refuses one without the other).
      [
        {},
        { 'client-certificate': makeFifo('cert.fifo'), 'client-key-data': 'eA==' },
        "'client-certificate' of context 'home':",
      ],
      [{}, { 'client-key': sparseFile('key.pem', 100 * 1024 * 1024) }, 'is 100 MiB, more than the 1 MiB'],
    ];
    for (const [cluster, user, message] of cases) {
      const merged = await loadKubeconfig([{ path: kubeconfigWith(cluster, user), origin: 'added' }]);
      await expect(within(resolveConnection(merged, 'home'))).rejects.toThrow(message);
    }
  });

  it("Docker TLS files and SSH key files, NAS key files, Prometheus's CA file", async () => {
    const dataDir = tmp();
    const trust = createSshTrust({ dataDir });
    const endpoints = createDockerEndpoints({ dataDir, trust, env: {} });
    const ca = makeFifo('docker-ca.fifo');
    await endpoints.add({ name: 'tls', url: 'tcp://10.0.0.5:2376', tls: { caFile: ca, certFile: ca, keyFile: ca } });
    await endpoints.add({ name: 'ssh', url: 'ssh://ops@127.0.0.1:1', sshKeyFile: '/dev/zero' });
    expect(await within(endpoints.test('tls'))).toMatchObject({
      reason: 'config',
      message: expect.stringContaining(`Endpoint 'tls': 'tls.caFile' ${ca} is a FIFO`),
    });
    expect(await within(endpoints.test('ssh'))).toMatchObject({
      reason: 'config',
      message: expect.stringContaining(`Endpoint 'ssh': SSH key file /dev/zero is a character device`),
    });

    const secrets = createSecretStore({ dataDir });
    const nas = createNasHosts({ dataDir, secrets, trust, env: {} });
    const key = makeFifo('nas-key.fifo');
    await nas.add({ name: 'nas', address: '127.0.0.1', port: 1, user: 'admin', auth: 'key', keyFile: key });
    await expect(within(nas.connect('nas', 1000))).rejects.toThrow(`NAS host 'nas': Private key file ${key} is a FIFO`);

    const metrics = createMetricsSettings({ dataDir, secrets });
    await metrics.set('home', { url: 'https://prometheus.lan', auth: 'none', caFile: '/dev/zero' });
    await expect(within(metrics.resolve('home'))).rejects.toThrow(
      "Prometheus at https://prometheus.lan: 'caFile' /dev/zero is a character device",
    );
  });
});
