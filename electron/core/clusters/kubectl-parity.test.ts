/**
 * Homeport against the real kubectl on the same kubeconfig and the same test API server: what each
 * sends (impersonation, which credential wins), what each tells a credential plugin, and what each
 * refuses, compared message for message.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type FakeApiServer, type RecordedApiRequest } from '../../testing/fake-apiserver';
import { startHttpProxy, type TestProxy } from '../../testing/proxies';
import { createTestPki, type TestPki } from '../../testing/tls';
import { homeport, kubectl, kubectlProblems, tmp, writeKubeconfig, writeScript } from './testing/kubectl';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const V1 = 'client.authentication.k8s.io/v1';

let pki: TestPki;
let api: FakeApiServer;
let proxy: TestProxy;
let dir: string;
let n = 0;

beforeAll(async () => {
  pki = createTestPki();
  api = await startFakeApiServer({ tls: pki });
  proxy = await startHttpProxy();
  dir = tmp();
});
afterAll(async () => {
  await api?.close();
  await proxy?.close();
});

/** A kubeconfig for the test server, trusting its CA. */
function config(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  return writeKubeconfig(join(dir, `kubeconfig-${++n}`), {
    server: api.url,
    cluster: { 'certificate-authority-data': b64(pki.caCert), ...cluster },
    user,
  });
}

/** The /version request each client made (kubectl's version dispatcher also asks /version?timeout=5s). */
async function whatEachSent(file: string, allowExec = false) {
  let start = api.requests.length;
  const k = await kubectl(file, ['get', '--raw', '/version']);
  expect(k.stderr).toBe('');
  const theirs = api.requests.slice(start).filter((r) => r.path === '/version');
  start = api.requests.length;
  const service = homeport(file);
  if (allowExec) await service.allowExec('c');
  expect(await service.testConnection('c')).toMatchObject({ status: 'connected' });
  const ours = api.requests.slice(start).filter((r) => r.path === '/version');
  expect(theirs).toHaveLength(1);
  expect(ours).toHaveLength(1);
  return { theirs: theirs[0]!, ours: ours[0]! };
}

const pick = (r: RecordedApiRequest, prefix: string) =>
  Object.fromEntries(Object.entries(r.headers).filter(([name]) => name.toLowerCase().startsWith(prefix)));

describe('impersonation, as kubectl sends it', () => {
  it('sends Impersonate-User, -Uid, one -Group per group and one -Extra-<escaped key> per value', async () => {
    const file = config({
      token: 'tok',
      as: 'alice',
      'as-uid': '1234',
      'as-groups': ['devs', 'system:authenticated', 'a b'],
      'as-user-extra': { scopes: ['view', 'edit'], 'example.org/Foo Bar': ['x/y', 'ü'], reason: [] },
    });
    const { theirs, ours } = await whatEachSent(file);
    const sent = pick(theirs, 'impersonate-');
    expect(sent['Impersonate-Group']).toEqual(['devs', 'system:authenticated', 'a b']);
    expect(Object.keys(sent)).toContain('Impersonate-Extra-Example.org%2ffoo%20bar');
    expect(pick(ours, 'impersonate-')).toEqual(sent);
  });
});

describe('which credential wins, as in kubectl', () => {
  it('a tokenFile wins over an inline token (trimmed)', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, '  from-file \n');
    const { theirs, ours } = await whatEachSent(config({ token: 'inline', tokenFile }));
    expect(theirs.authorization).toBe('Bearer from-file');
    expect(ours.authorization).toBe(theirs.authorization);
  });

  it('a user name alone is basic auth with an empty password', async () => {
    const { theirs, ours } = await whatEachSent(config({ username: 'bob' }));
    expect(theirs.authorization).toBe(`Basic ${b64('bob:')}`);
    expect(ours.authorization).toBe(theirs.authorization);
  });

  it('a token in the kubeconfig wins over an exec plugin, which then never runs', async () => {
    const ran = join(dir, 'plugin-ran');
    const plugin = writeScript(join(dir, 'never.sh'), `touch ${JSON.stringify(ran)}; echo '{}'`);
    const file = config({ token: 'inline', exec: { apiVersion: V1, command: plugin, interactiveMode: 'Never' } });
    const { theirs, ours } = await whatEachSent(file);
    expect(theirs.authorization).toBe('Bearer inline');
    expect(ours.authorization).toBe(theirs.authorization);
    expect(existsSync(ran)).toBe(false);
  });
});

describe('what a provideClusterInfo plugin is told', () => {
  it('KUBERNETES_EXEC_INFO carries server, CA data (read from the file), tls-server-name, proxy-url and the exec extension', async () => {
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, pki.caCert);
    const out = join(dir, 'exec-info.json');
    const plugin = writeScript(
      join(dir, 'info.sh'),
      `printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO_OUT"\necho '{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"t"}}'`,
    );
    const file = writeKubeconfig(join(dir, 'exec-info-kubeconfig'), {
      server: api.url,
      cluster: {
        'certificate-authority': caFile,
        'tls-server-name': 'localhost',
        'proxy-url': proxy.url,
        extensions: [
          { name: 'client.authentication.k8s.io/exec', extension: { audience: 'homeport', nested: { a: [1, 2] } } },
          { name: 'other', extension: { x: 1 } },
        ],
      },
      user: {
        exec: {
          apiVersion: V1,
          command: plugin,
          interactiveMode: 'IfAvailable',
          provideClusterInfo: true,
          env: [{ name: 'INFO_OUT', value: out }],
        },
      },
    });
    const k = await kubectl(file, ['get', '--raw', '/version']);
    expect(k.stderr).toBe('');
    const theirs: unknown = JSON.parse(readFileSync(out, 'utf8'));
    writeFileSync(out, '');
    const service = homeport(file);
    await service.allowExec('c');
    expect(await service.testConnection('c')).toMatchObject({ status: 'connected' });
    const ours: unknown = JSON.parse(readFileSync(out, 'utf8'));
    expect(theirs).toMatchObject({
      spec: { cluster: { config: { audience: 'homeport' }, 'proxy-url': proxy.url }, interactive: false },
    });
    expect(ours).toEqual(theirs);
  });

  it('without provideClusterInfo the plugin hears only the apiVersion and that it is not interactive', async () => {
    const out = join(dir, 'exec-info-plain.json');
    const plugin = writeScript(
      join(dir, 'info-plain.sh'),
      `printf '%s' "$KUBERNETES_EXEC_INFO" > ${JSON.stringify(out)}\necho '{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"t"}}'`,
    );
    const file = config({ exec: { apiVersion: V1, command: plugin, interactiveMode: 'Never' } });
    await kubectl(file, ['get', '--raw', '/version']);
    const theirs: unknown = JSON.parse(readFileSync(out, 'utf8'));
    const service = homeport(file);
    await service.allowExec('c');
    await service.testConnection('c');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(theirs);
  });
});

describe('what kubectl refuses, Homeport refuses with the same words, and sends nothing', () => {
  const plugin = () =>
    writeScript(join(dir, 'ok.sh'), `echo '{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"t"}}'`);
  /** [what, kubeconfig, allow the plugin first, kubectl's validation (so listed with the context before any test)] */
  const cases: [string, () => string, boolean, boolean][] = [
    ['token and basic auth', () => config({ token: 't', username: 'bob', password: 'pw' }), false, true],
    [
      'a tokenFile and a user name',
      () => {
        writeFileSync(join(dir, 'tf'), 't');
        return config({ tokenFile: join(dir, 'tf'), username: 'bob', password: 'pw' });
      },
      false,
      false,
    ],
    ['groups without a user to impersonate', () => config({ token: 't', 'as-groups': ['devs'] }), false, true],
    [
      'an exec plugin without interactiveMode (v1)',
      () => config({ exec: { apiVersion: V1, command: plugin() } }),
      false,
      true,
    ],
    [
      'an exec plugin without apiVersion',
      () => config({ exec: { command: plugin(), interactiveMode: 'Never' } }),
      false,
      true,
    ],
    [
      'an exec plugin that must have a terminal',
      () => config({ exec: { apiVersion: V1, command: plugin(), interactiveMode: 'Always' } }),
      false,
      false,
    ],
    [
      'an exec plugin answering in another API version',
      () =>
        config({
          exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin(), interactiveMode: 'Never' },
        }),
      true,
      false,
    ],
    [
      'a client certificate without its key',
      () => config({ 'client-certificate-data': b64(pki.serverCert) }),
      false,
      true,
    ],
    [
      'a proxy-url with an unsupported scheme',
      () => config({ token: 't' }, { 'proxy-url': 'socks5h://127.0.0.1:1' }),
      false,
      false,
    ],
    ['a proxy-url without a scheme', () => config({ token: 't' }, { 'proxy-url': '127.0.0.1:3128' }), false, false],
  ];
  it.each(cases)('%s', async (_name, make, allowExec, validation) => {
    const file = make();
    const start = api.requests.length;
    const k = await kubectl(file, ['get', '--raw', '/version']);
    expect(k.code).not.toBe(0);
    const problems = kubectlProblems(k.stderr);
    expect(problems.length).toBeGreaterThan(0);
    const service = homeport(file);
    if (allowExec) await service.allowExec('c');
    const served = api.requests.length;
    const result = await service.testConnection('c');
    expect(result.status).toBe('failed');
    const message = result.status === 'failed' ? result.message : '';
    for (const problem of problems) expect(message).toContain(problem);
    if (validation) expect((await service.listContexts()).contexts[0]?.problems).toEqual(problems);
    expect(api.requests.length).toBe(served);
    expect(api.requests.slice(start).filter((r) => r.path === '/version')).toHaveLength(0);
  });
});
