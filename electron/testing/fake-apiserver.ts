import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './tls';

export interface FakeApiServer {
  url: string;
  requests: { path: string; authorization?: string }[];
  close(): Promise<void>;
}

export interface FakeApiOptions {
  tls?: TestPki;
  /** Bearer token the server accepts; others get 401. Omit to accept any request. */
  token?: string;
  gitVersion?: string;
  /** Never answer, to exercise time-outs. */
  hang?: boolean;
}

/** A minimal API server answering /version, for connection tests of the client side. */
export async function startFakeApiServer(opts: FakeApiOptions = {}): Promise<FakeApiServer> {
  const requests: FakeApiServer['requests'] = [];
  const handler: http.RequestListener = (req, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
    if (opts.hang) return;
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'Unauthorized', code: 401 }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        major: '1',
        minor: '31',
        gitVersion: opts.gitVersion ?? 'v1.31.4+k3s1',
        platform: 'linux/amd64',
      }),
    );
  };
  const server = opts.tls
    ? https.createServer({ cert: opts.tls.serverCert, key: opts.tls.serverKey }, handler)
    : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
