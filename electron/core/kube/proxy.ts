import type { Agent } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';

/**
 * Which proxy kubectl would use for a cluster: the cluster's `proxy-url` always (even for loopback,
 * whatever NO_PROXY says), else the environment as Go's http.ProxyFromEnvironment reads it.
 * Throws kubectl's own message for a `proxy-url` it refuses.
 */
export function proxyFor(server: URL, clusterName: string, proxyUrl: string | undefined, env: NodeJS.ProcessEnv) {
  if (proxyUrl) return parseClusterProxy(proxyUrl, clusterName);
  return proxyFromEnvironment(server, env);
}

const CLUSTER_SCHEMES = ['http:', 'https:', 'socks5:'];

function parseClusterProxy(proxyUrl: string, clusterName: string): URL {
  const invalid = (why: string) =>
    new Error(`invalid 'proxy-url' ${JSON.stringify(proxyUrl)} for cluster ${JSON.stringify(clusterName)}: ${why}`);
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    throw invalid(`could not parse: ${proxyUrl}`);
  }
  // WHATWG URL reads "127.0.0.1:3128" as scheme "127.0.0.1:"; Go's url.Parse refuses it.
  if (!url.host && !CLUSTER_SCHEMES.includes(url.protocol)) throw invalid(`could not parse: ${proxyUrl}`);
  if (!CLUSTER_SCHEMES.includes(url.protocol)) {
    throw invalid(`unsupported scheme ${JSON.stringify(url.protocol.slice(0, -1))}, must be http, https, or socks5`);
  }
  return url;
}

/** The first variable set, upper case first, as Go's getEnvAny. */
const envAny = (env: NodeJS.ProcessEnv, ...names: string[]) => names.map((n) => env[n] ?? '').find((v) => v !== '');

/** golang.org/x/net/http/httpproxy: HTTPS_PROXY for https servers, HTTP_PROXY for http, NO_PROXY. */
export function proxyFromEnvironment(server: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const raw =
    server.protocol === 'https:' ? envAny(env, 'HTTPS_PROXY', 'https_proxy') : envAny(env, 'HTTP_PROXY', 'http_proxy');
  if (!raw) return undefined;
  const proxy = parseEnvProxy(raw);
  if (!proxy) return undefined;
  const port = server.port || (server.protocol === 'https:' ? '443' : '80');
  const host = server.hostname.replace(/^\[|\]$/g, '');
  return useProxy(host, port, envAny(env, 'NO_PROXY', 'no_proxy') ?? '') ? proxy : undefined;
}

/** A proxy address without a scheme ("proxy:3128") means http://, as in Go. */
function parseEnvProxy(raw: string): URL | undefined {
  try {
    const url = new URL(raw);
    if (url.host && url.protocol !== 'file:') return url;
  } catch {
    // fall through to the http:// form
  }
  try {
    return new URL(`http://${raw}`);
  } catch {
    return undefined;
  }
}

function useProxy(hostIn: string, port: string, noProxy: string): boolean {
  const host = hostIn.toLowerCase();
  if (host === 'localhost') return false;
  const ipVersion = isIP(host);
  if (ipVersion && isLoopback(host)) return false;
  for (const entryRaw of noProxy.split(',')) {
    const entry = entryRaw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return false;
    if (entry.includes('/')) {
      if (ipVersion && inCidr(host, entry)) return false;
      continue;
    }
    const { host: entryHost, port: entryPort } = splitHostPort(entry);
    if (!entryHost) continue;
    const portOk = !entryPort || entryPort === port;
    if (isIP(entryHost)) {
      if (ipVersion && sameIp(entryHost, host) && portOk) return false;
      continue;
    }
    if (ipVersion) continue;
    // "foo.com" matches foo.com and its subdomains, ".foo.com" (or "*.foo.com") only subdomains.
    const bare = entryHost.replace(/^\*?\./, '');
    const matchHost = !entryHost.startsWith('.') && !entryHost.startsWith('*.');
    const domain = `.${domainToASCII(bare) || bare}`;
    if ((host.endsWith(domain) || (matchHost && host === domain.slice(1))) && portOk) return false;
  }
  return true;
}

function splitHostPort(entry: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]*)\]:(\d*)$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] };
  const colon = entry.lastIndexOf(':');
  // One colon is host:port; more (IPv6 without brackets) is a bare host.
  if (colon > -1 && entry.indexOf(':') === colon) return { host: entry.slice(0, colon), port: entry.slice(colon + 1) };
  return { host: entry };
}

const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/** Net's BlockList compares IPv4 and IPv4-mapped IPv6 as one address, as Go's net.IP does. */
function matches(ip: string, rule: (list: BlockList) => void): boolean {
  const list = new BlockList();
  try {
    rule(list);
  } catch {
    return false;
  }
  return list.check(ip, family(ip));
}

const sameIp = (entry: string, ip: string) => matches(ip, (l) => l.addAddress(entry, family(entry)));

const isLoopback = (ip: string) =>
  matches(ip, (l) => {
    l.addSubnet('127.0.0.0', 8, 'ipv4');
    l.addAddress('::1', 'ipv6');
  });

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!base || !isIP(base) || !/^\d+$/.test(bitsText ?? '')) return false;
  return matches(ip, (l) => l.addSubnet(base, bits, family(base)));
}

/**
 * An agent that reaches a server through the proxy the way Go's transport does: CONNECT through
 * an http(s) proxy for https servers, absolute-URL requests through it for http servers, and a
 * SOCKS5 tunnel that hands the proxy the host name (Go resolves nothing itself for socks5).
 */
export function createProxyAgent(proxy: URL, serverIsHttps: boolean): Agent {
  if (proxy.protocol === 'socks5:' || proxy.protocol === 'socks5h:') {
    const remote = new URL(proxy.href);
    remote.protocol = 'socks5h:';
    return new SocksProxyAgent(remote, { keepAlive: true });
  }
  return serverIsHttps
    ? new HttpsProxyAgent(proxy, { keepAlive: true })
    : new HttpProxyAgent(proxy, { keepAlive: true });
}

/** The proxy without its user name and password, for messages. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
