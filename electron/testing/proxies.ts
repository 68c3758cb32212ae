/**
 * Tiny forward proxies on 127.0.0.1 for tests: an HTTP proxy (CONNECT tunnels, and absolute-URL
 * requests for plain-http servers) and a SOCKS5 proxy (no authentication, CONNECT only). Each
 * records what the client asked for, as the client named it, and resolves test-only host names
 * through `hosts` (so a name that exists nowhere else is reachable only through the proxy).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { recordHeaders } from './fake-apiserver';

export interface ProxyRecord {
  kind: 'connect' | 'forward' | 'socks5';
  /** The host as the client gave it (a name stays a name: the proxy resolved it). */
  host: string;
  port: number;
  /** SOCKS5 only: how the client encoded the address. */
  addressType?: 'ipv4' | 'domain' | 'ipv6';
  /** HTTP proxy only: the headers of the CONNECT or forwarded request. */
  headers?: Record<string, string[]>;
}

export interface TestProxy {
  url: string;
  records: ProxyRecord[];
  close(): Promise<void>;
}

interface ProxyOptions {
  /** Test host names and the address each stands for, e.g. { 'kube.homeport.test': '127.0.0.1' }. */
  hosts?: Record<string, string>;
}

function listen(server: net.Server, scheme: string, records: ProxyRecord[], sockets: Set<net.Socket>) {
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise<TestProxy>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
        records,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}

/** Pipes two sockets together until either ends. */
function splice(a: net.Socket, b: net.Socket) {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

export async function startHttpProxy(opts: ProxyOptions = {}): Promise<TestProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<net.Socket>();
  const resolveHost = (host: string) => opts.hosts?.[host] ?? host;
  const server = http.createServer((req, res) => {
    // A plain-http request through the proxy carries the absolute URL.
    const target = new URL(req.url ?? '');
    records.push({
      kind: 'forward',
      host: target.hostname,
      port: Number(target.port || 80),
      headers: recordHeaders(req.rawHeaders),
    });
    const upstream = http.request(
      {
        host: resolveHost(target.hostname),
        port: target.port || 80,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host = '', port = ''] = (req.url ?? '').split(/:(?=\d+$)/);
    records.push({ kind: 'connect', host, port: Number(port), headers: recordHeaders(req.rawHeaders) });
    const upstream = net.connect(Number(port), resolveHost(host.replace(/^\[|\]$/g, '')), () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.write(head);
      splice(client, upstream);
    });
    upstream.on('error', () => {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
  });
  return listen(server, 'http', records, sockets);
}

export async function startSocks5Proxy(opts: ProxyOptions = {}): Promise<TestProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'request' | 'done' = 'greeting';
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (stage === 'greeting') {
        if (buffer.length < 2 || buffer.length < 2 + buffer[1]!) return;
        const methods = [...buffer.subarray(2, 2 + buffer[1]!)];
        buffer = buffer.subarray(2 + buffer[1]!);
        if (!methods.includes(0)) {
          client.end(Buffer.from([5, 0xff]));
          return;
        }
        client.write(Buffer.from([5, 0]));
        stage = 'request';
      }
      if (stage !== 'request' || buffer.length < 5) return;
      const atyp = buffer[3];
      let host: string;
      let end: number;
      if (atyp === 1) {
        end = 4 + 4;
        if (buffer.length < end + 2) return;
        host = [...buffer.subarray(4, end)].join('.');
      } else if (atyp === 3) {
        end = 5 + buffer[4]!;
        if (buffer.length < end + 2) return;
        host = buffer.subarray(5, end).toString('latin1');
      } else if (atyp === 4) {
        end = 4 + 16;
        if (buffer.length < end + 2) return;
        const words = [];
        for (let i = 4; i < end; i += 2) words.push(buffer.readUInt16BE(i).toString(16));
        host = words.join(':');
      } else {
        client.destroy();
        return;
      }
      const port = buffer.readUInt16BE(end);
      const rest = buffer.subarray(end + 2);
      stage = 'done';
      client.off('data', onData);
      records.push({ kind: 'socks5', host, port, addressType: atyp === 1 ? 'ipv4' : atyp === 3 ? 'domain' : 'ipv6' });
      const upstream = net.connect(port, opts.hosts?.[host] ?? host, () => {
        client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
        if (rest.length) upstream.write(rest);
        splice(client, upstream);
      });
      upstream.on('error', () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  return listen(server, 'socks5', records, sockets);
}
