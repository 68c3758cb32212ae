/**
 * Proxies as kubectl uses them: the cluster's proxy-url (HTTP CONNECT or SOCKS5), else HTTPS_PROXY /
 * https_proxy with NO_PROXY, as Go's ProxyFromEnvironment reads them. The real kubectl and Homeport
 * reach the same test API server through the same local proxies, which record what they were asked.
 * The server's name, kube.homeport.test, exists only inside the proxies: going direct fails.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { homeport, kubectl, tmp, writeKubeconfig } from '../clusters/testing/kubectl';
import { startFakeApiServer, type FakeApiServer } from '../../testing/fake-apiserver';
import { startHttpProxy, startSocks5Proxy, type ProxyRecord, type TestProxy } from '../../testing/proxies';
import { createTestPki, type TestPki } from '../../testing/tls';

const NAME = 'kube.homeport.test';
const hosts = { [NAME]: '127.0.0.1' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

let pki: TestPki;
let api: FakeApiServer;
let plainApi: FakeApiServer;
let http: TestProxy;
let socks: TestProxy;
let dir: string;
let n = 0;

beforeAll(async () => {
  pki = createTestPki({ dnsNames: [NAME] });
  api = await startFakeApiServer({ tls: pki, token: 'tok' });
  plainApi = await startFakeApiServer();
  http = await startHttpProxy({ hosts });
  socks = await startSocks5Proxy({ hosts });
  dir = tmp('homeport-proxy-');
});
afterAll(async () => {
  await Promise.all([api?.close(), plainApi?.close(), http?.close(), socks?.close()]);
});
beforeEach(() => {
  http.records.length = 0;
  socks.records.length = 0;
});

function config(server: string, cluster: Record<string, unknown> = {}): string {
  return writeKubeconfig(join(dir, `kubeconfig-${++n}`), {
    server,
    cluster: { 'certificate-authority-data': b64(pki.caCert), ...cluster },
    user: { token: 'tok' },
  });
}

const strip = (records: ProxyRecord[]) =>
  records.map(({ kind, host, port, addressType }) => ({ kind, host, port, addressType }));

/** Runs kubectl, then Homeport, on one kubeconfig and environment; returns what each did and what the proxies saw. */
async function both(file: string, env: NodeJS.ProcessEnv = {}) {
  const k = await kubectl(file, ['get', '--raw', '/version'], env);
  const seenByKubectl = { http: strip(http.records.splice(0)), socks: strip(socks.records.splice(0)) };
  const result = await homeport(file, env).testConnection('c', 5000);
  const seenByHomeport = { http: strip(http.records.splice(0)), socks: strip(socks.records.splice(0)) };
  return { k, result, seenByKubectl, seenByHomeport };
}

const direct = { http: [], socks: [] };

describe("a cluster's proxy-url", () => {
  it('HTTP CONNECT with the proxy credentials, even for a loopback server and whatever NO_PROXY says', async () => {
    const proxyUrl = http.url.replace('http://', 'http://user:p%40ss@');
    const file = config(api.url, { 'proxy-url': proxyUrl });
    const k = await kubectl(file, ['get', '--raw', '/version'], { NO_PROXY: '127.0.0.1' });
    expect(k.stdout).toContain('v1.31.4+k3s1');
    const theirs = http.records.splice(0).filter((r) => r.port === api.port);
    const result = await homeport(file, { NO_PROXY: '127.0.0.1' }).testConnection('c');
    expect(result).toMatchObject({ status: 'connected' });
    const ours = http.records.splice(0);
    expect(theirs.length).toBeGreaterThan(0);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ kind: 'connect', host: '127.0.0.1', port: api.port });
    const auth = (r: ProxyRecord) => r.headers?.['Proxy-Authorization'];
    expect(auth(theirs[0]!)).toEqual([`Basic ${b64('user:p@ss')}`]);
    expect(auth(ours[0]!)).toEqual(auth(theirs[0]!));
  });

  it('SOCKS5, handing the proxy the host name to resolve', async () => {
    const server = api.url.replace('127.0.0.1', NAME);
    const { k, result, seenByKubectl, seenByHomeport } = await both(config(server, { 'proxy-url': socks.url }));
    expect(k.stdout).toContain('v1.31.4+k3s1');
    expect(result).toMatchObject({ status: 'connected' });
    expect(seenByKubectl.socks[0]).toEqual({ kind: 'socks5', host: NAME, port: api.port, addressType: 'domain' });
    expect(seenByHomeport.socks).toEqual([seenByKubectl.socks[0]]);
  });

  it('a plain-http server is reached with absolute-URL requests, not CONNECT', async () => {
    const server = plainApi.url.replace('127.0.0.1', NAME);
    const { result, seenByKubectl, seenByHomeport } = await both(config(server, { 'proxy-url': http.url }));
    expect(result).toMatchObject({ status: 'connected' });
    expect(seenByKubectl.http.at(-1)).toEqual({ kind: 'forward', host: NAME, port: plainApi.port });
    expect(seenByHomeport.http).toEqual([seenByKubectl.http.at(-1)]);
  });
});

describe('failures through a proxy', () => {
  it.each(['http', 'socks'] as const)(
    'a server whose certificate does not verify is a TLS failure through %s',
    async (kind) => {
      const file = writeKubeconfig(join(dir, `kubeconfig-${++n}`), {
        server: api.url,
        cluster: {
          'certificate-authority-data': b64(createTestPki().caCert),
          'proxy-url': kind === 'http' ? http.url : socks.url,
        },
        user: { token: 'tok' },
      });
      const result = await homeport(file).testConnection('c');
      expect(result).toMatchObject({ status: 'failed', reason: 'tls' });
    },
  );

  it('a proxy that is not running is named in the error', async () => {
    const result = await homeport(config(api.url, { 'proxy-url': 'http://127.0.0.1:1' })).testConnection('c');
    expect(result).toMatchObject({ status: 'failed', reason: 'unreachable' });
    expect(result.status === 'failed' && result.message).toContain('through the proxy http://127.0.0.1:1');
  });
});

describe('proxies from the environment', () => {
  const server = () => api.url.replace('127.0.0.1', NAME);

  it('HTTPS_PROXY (without a scheme: http) is used for an https server', async () => {
    const { result, seenByKubectl, seenByHomeport } = await both(config(server()), {
      HTTPS_PROXY: http.url.replace('http://', ''),
    });
    expect(result).toMatchObject({ status: 'connected' });
    expect(seenByKubectl.http.at(-1)).toEqual({ kind: 'connect', host: NAME, port: api.port });
    expect(seenByHomeport).toEqual({ http: [seenByKubectl.http.at(-1)], socks: [] });
  });

  it('lower-case https_proxy works too, and HTTPS_PROXY wins over it', async () => {
    const lower = await both(config(server()), { https_proxy: socks.url });
    expect(lower.result).toMatchObject({ status: 'connected' });
    expect(lower.seenByHomeport.socks).toEqual([lower.seenByKubectl.socks.at(-1)]);
    const upper = await both(config(server()), { https_proxy: http.url, HTTPS_PROXY: socks.url });
    expect(upper.seenByKubectl.http).toEqual([]);
    expect(upper.seenByHomeport).toEqual({ http: [], socks: [upper.seenByKubectl.socks.at(-1)] });
  });

  it('HTTP_PROXY alone is not used for an https server', async () => {
    const { k, result, seenByKubectl, seenByHomeport } = await both(config(server()), { HTTP_PROXY: http.url });
    expect(k.code).not.toBe(0);
    expect(result).toMatchObject({ status: 'failed', reason: 'unreachable' });
    expect(seenByKubectl).toEqual(direct);
    expect(seenByHomeport).toEqual(direct);
  });

  it('a loopback server is never proxied from the environment', async () => {
    const { result, seenByKubectl, seenByHomeport } = await both(config(api.url), { HTTPS_PROXY: http.url });
    expect(result).toMatchObject({ status: 'connected' });
    expect(seenByKubectl).toEqual(direct);
    expect(seenByHomeport).toEqual(direct);
  });

  it.each([
    [NAME, false],
    ['homeport.test', false],
    ['.homeport.test', false],
    ['*.homeport.test', false],
    [`.${NAME}`, true],
    ['HOMEPORT.TEST', false],
    [`${NAME}:1`, true],
    ['<name>:<port>', false],
    ['*', false],
    ['other.test, homeport.test', false],
    ['other.test', true],
  ] as const)('NO_PROXY=%s decides as kubectl decides (proxied: %s)', async (entry, proxied) => {
    const noProxy = entry === '<name>:<port>' ? `${NAME}:${api.port}` : entry;
    const { k, result, seenByKubectl, seenByHomeport } = await both(config(server()), {
      HTTPS_PROXY: http.url,
      NO_PROXY: noProxy,
    });
    // The name resolves only inside the proxy, so kubectl got an answer exactly when it used the proxy.
    // (This machine's kubectl is a version dispatcher whose own first request may decide otherwise.)
    const kubectlProxied = k.code === 0;
    expect(kubectlProxied).toBe(proxied);
    if (proxied) expect(seenByKubectl.http.at(-1)).toMatchObject({ host: NAME });
    expect(seenByHomeport.http.length > 0).toBe(kubectlProxied);
    expect(result.status).toBe(kubectlProxied ? 'connected' : 'failed');
  });
});
