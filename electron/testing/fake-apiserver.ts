import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TestPki } from './tls';

export interface RecordedApiRequest {
  path: string;
  authorization?: string;
  /** Every header as sent (names in the case the client wrote them), repeated ones in the order they came. */
  headers: Record<string, string[]>;
}

export interface FakeApiServer {
  url: string;
  port: number;
  requests: RecordedApiRequest[];
  /** Accept only this bearer token from now on (a rotated credential). */
  setToken(token: string): void;
  close(): Promise<void>;
}

export interface FakeApiOptions {
  tls?: TestPki;
  /** Bearer token the server accepts; others get 401. Omit to accept any request. */
  token?: string;
  gitVersion?: string;
  /** Never answer, to exercise time-outs. */
  hang?: boolean;
  /** Listen on this port (a server that comes back where it was); default any free port. */
  port?: number;
}

/** rawHeaders as sent, so repeated headers (Impersonate-Group) keep each value, their order and the name's case. */
export function recordHeaders(raw: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) (out[raw[i]!] ??= []).push(raw[i + 1]!);
  return out;
}

/** A JSON answer, as the API server writes its objects and Status bodies. */
export function answerJson(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The API server's Status object for a refusal: what kubectl and Homeport print from. */
export const failureStatus = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
});

/** An HTTP error answer written on a raw socket (an upgrade request has no ServerResponse). */
export function refuseUpgrade(socket: Duplex, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/** A minimal API server answering /version, for connection tests of the client side. */
export async function startFakeApiServer(opts: FakeApiOptions = {}): Promise<FakeApiServer> {
  const requests: FakeApiServer['requests'] = [];
  let token = opts.token;
  const handler: http.RequestListener = (req, res) => {
    requests.push({
      path: req.url ?? '',
      authorization: req.headers.authorization,
      headers: recordHeaders(req.rawHeaders),
    });
    if (opts.hang) return;
    if (token && req.headers.authorization !== `Bearer ${token}`) {
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
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    setToken: (next) => (token = next),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
