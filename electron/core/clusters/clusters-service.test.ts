import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../../testing/fake-apiserver';
import { createTestPki, type TestPki } from '../../testing/tls';
import { createSettingsStore } from '../storage/settings';
import { createClustersService } from './clusters-service';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(
  entries: { name: string; server: string; user: Record<string, unknown>; cluster?: Record<string, unknown> }[],
) {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: entries.map((e) => ({ name: e.name, cluster: { server: e.server, ...e.cluster } })),
    users: entries.map((e) => ({ name: e.name, user: e.user })),
    contexts: entries.map((e) => ({ name: e.name, context: { cluster: e.name, user: e.name } })),
  });
}

function setup(config: string) {
  const dir = mkdtempSync(join(tmpdir(), 'homeport-cs-'));
  const file = join(dir, 'config');
  writeFileSync(file, config);
  const settings = createSettingsStore(join(dir, 'data'));
  const env = { KUBECONFIG: file };
  return { dir, file, settings, env, service: createClustersService({ settings, env, home: dir }) };
}

describe('testConnection', () => {
  let pki: TestPki;
  let k3s: FakeApiServer;
  let plain: FakeApiServer;
  let hanging: FakeApiServer;
  beforeAll(async () => {
    pki = createTestPki();
    k3s = await startFakeApiServer({ tls: pki, token: 'good-token' });
    plain = await startFakeApiServer({ gitVersion: 'v1.30.2' });
    hanging = await startFakeApiServer({ hang: true });
  });
  afterAll(async () => {
    await Promise.all([k3s.close(), plain.close(), hanging.close()]);
  });

  it('reports version and k3s for a verified TLS server with a good token', async () => {
    const { service } = setup(
      kubeconfig([
        {
          name: 'home',
          server: k3s.url,
          user: { token: 'good-token' },
          cluster: { 'certificate-authority-data': b64(pki.caCert) },
        },
      ]),
    );
    const result = await service.testConnection('home');
    expect(result).toMatchObject({
      status: 'connected',
      gitVersion: 'v1.31.4+k3s1',
      distribution: 'k3s',
      platform: 'linux/amd64',
    });
    expect(k3s.requests.at(-1)).toMatchObject({ path: '/version', authorization: 'Bearer good-token' });
  });

  it('tells plain Kubernetes from k3s', async () => {
    const { service } = setup(kubeconfig([{ name: 'kube', server: plain.url, user: {} }]));
    expect(await service.testConnection('kube')).toMatchObject({ status: 'connected', distribution: 'kubernetes' });
  });

  it('classifies each failure and names the context', async () => {
    const { service } = setup(
      kubeconfig([
        {
          name: 'wrong-ca',
          server: k3s.url,
          user: { token: 'good-token' },
          cluster: { 'certificate-authority-data': b64(pki.otherCaCert) },
        },
        {
          name: 'bad-token',
          server: k3s.url,
          user: { token: 'nope' },
          cluster: { 'certificate-authority-data': b64(pki.caCert) },
        },
        { name: 'closed', server: 'https://127.0.0.1:1', user: {} },
        { name: 'slow', server: hanging.url, user: {} },
      ]),
    );
    const tls = await service.testConnection('wrong-ca');
    expect(tls).toMatchObject({ status: 'failed', reason: 'tls' });
    expect(tls.status === 'failed' && tls.message).toMatch(/^Context 'wrong-ca': TLS verification/);
    expect(await service.testConnection('bad-token')).toMatchObject({ status: 'failed', reason: 'unauthorized' });
    expect(await service.testConnection('closed')).toMatchObject({ status: 'failed', reason: 'unreachable' });
    expect(await service.testConnection('slow', 300)).toMatchObject({ status: 'failed', reason: 'timeout' });
  });

  it('refuses an unknown context', async () => {
    const { service } = setup(kubeconfig([{ name: 'a', server: plain.url, user: {} }]));
    await expect(service.testConnection('b')).rejects.toThrow(/Context 'b' is not in any loaded kubeconfig/);
  });

  it('never runs an exec plugin before the user allows that exact command, and remembers the choice', async () => {
    const { dir, service, settings, env } = setup('');
    const marker = join(dir, 'plugin-ran');
    const plugin = join(dir, 'get-token.sh');
    writeFileSync(
      plugin,
      `#!/bin/sh\ntouch ${JSON.stringify(marker)}\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"good-token"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: plugin,
      args: ['--cluster', 'home'],
      interactiveMode: 'Never',
    };
    writeFileSync(
      env.KUBECONFIG,
      kubeconfig([
        { name: 'home', server: k3s.url, user: { exec }, cluster: { 'certificate-authority-data': b64(pki.caCert) } },
      ]),
    );

    const before = await service.testConnection('home');
    expect(before).toMatchObject({
      status: 'failed',
      reason: 'exec-consent-required',
      exec: { command: plugin, args: ['--cluster', 'home'] },
    });
    expect(existsSync(marker)).toBe(false);

    await service.allowExec('home');
    // A fresh service (an app restart) reads the consent from the data directory.
    const restarted = createClustersService({ settings, env, home: dir });
    expect((await restarted.listContexts()).contexts[0]?.exec?.allowed).toBe(true);
    expect(await restarted.testConnection('home')).toMatchObject({ status: 'connected' });
    expect(existsSync(marker)).toBe(true);

    // Changing the command's arguments is a different command: consent is asked again.
    writeFileSync(
      env.KUBECONFIG,
      kubeconfig([
        {
          name: 'home',
          server: k3s.url,
          user: { exec: { ...exec, args: ['--evil'] } },
          cluster: { 'certificate-authority-data': b64(pki.caCert) },
        },
      ]),
    );
    expect(await restarted.testConnection('home')).toMatchObject({ reason: 'exec-consent-required' });
  });
});

describe('kubeconfig files added in Homeport', () => {
  it('adds a valid file, refuses bad paths with the field named, and removes only added files', async () => {
    const { dir, service, file } = setup(kubeconfig([{ name: 'a', server: 'https://a:6443', user: {} }]));
    const extra = join(dir, 'extra.yaml');
    writeFileSync(extra, kubeconfig([{ name: 'b', server: 'https://b:6443', user: {} }]));
    await expect(service.addKubeconfig('relative/config')).rejects.toThrow(/'path': 'relative\/config' is relative/);
    await expect(service.addKubeconfig(join(dir, 'missing'))).rejects.toThrow(/does not exist/);
    writeFileSync(join(dir, 'junk'), 'a: [');
    await expect(service.addKubeconfig(join(dir, 'junk'))).rejects.toThrow(/'path': .*not valid YAML/);
    const list = await service.addKubeconfig(extra);
    expect(list.contexts.map((c) => c.name)).toEqual(['a', 'b']);
    await expect(service.removeKubeconfig(file)).rejects.toThrow(/was not added in Homeport/);
    expect((await service.removeKubeconfig(extra)).contexts.map((c) => c.name)).toEqual(['a']);
  });

  it('notifies watchers once the files are watched, and again when a kubeconfig file changes on disk', async () => {
    const { service, file } = setup(kubeconfig([{ name: 'a', server: 'https://a:6443', user: {} }]));
    let calls = 0;
    let onCall: () => void = () => {};
    const stop = service.watchContexts(() => {
      calls++;
      onCall();
    }, 50);
    const next = () => new Promise<void>((resolve) => (onCall = resolve));
    await next();
    expect(calls).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(1);
    const changed = next();
    writeFileSync(file, kubeconfig([{ name: 'a2', server: 'https://a:6443', user: {} }]));
    await changed;
    stop();
    expect(calls).toBe(2);
    expect((await service.listContexts()).contexts.map((c) => c.name)).toEqual(['a2']);
  });
});
