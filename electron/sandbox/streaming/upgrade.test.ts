/**
 * kubectl (1.30+) asks for exec over WebSocket and, refused, asks again at once over SPDY, printing
 * the second refusal. The sandbox serves exec over WebSocket only, so the SPDY request must carry
 * the first refusal's reason, even when the container (crash-looping, say) started in between.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../http-util';
import type { PodStreams } from '../runtime';
import { createUpgradeHandler, FALLBACK_WINDOW_MS } from './upgrade';

const TOKEN = 'upgrade-test-token';
const NOT_RUNNING = 'container "app" in pod "crasher" is not running (CrashLoopBackOff)';
const WEBSOCKET_ONLY = 'the sandbox serves exec over WebSocket only';

/** The container is stopped until `start()`, then running. */
let running = false;
const streams: PodStreams = {
  execTarget() {
    if (!running) throw new ApiError(400, 'BadRequest', NOT_RUNNING);
    return { containerId: 'c1' };
  },
  exec: () => Promise.reject(new Error('not used')),
  forwardTarget: () => ({ uid: 'u1' }),
  dial: () => Promise.reject(new Error('not used')),
};

let server: http.Server;
let port: number;

beforeAll(async () => {
  const upgrades = createUpgradeHandler({ token: TOKEN, streams });
  server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', upgrades.upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

afterEach(() => {
  running = false;
  vi.useRealTimers();
});

/** An exec upgrade as kubectl sends it over WebSocket or over SPDY; resolves with the refusal. */
function execRequest(protocol: 'websocket' | 'spdy', query = 'command=true&stdout=true') {
  const headers: http.OutgoingHttpHeaders =
    protocol === 'websocket'
      ? {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
          'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
        }
      : { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' };
  return new Promise<{ status: number; message: string }>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: `/api/v1/namespaces/default/pods/crasher/exec?${query}`,
      headers: { ...headers, Authorization: `Bearer ${TOKEN}` },
    });
    req.on('upgrade', () => reject(new Error('upgraded, not refused')));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, message: (JSON.parse(body) as { message: string }).message }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('exec refused over WebSocket, then asked over SPDY', () => {
  it('the SPDY request gets the WebSocket refusal, though the container started in between', async () => {
    expect(await execRequest('websocket')).toEqual({ status: 400, message: NOT_RUNNING });
    running = true;
    expect(await execRequest('spdy')).toEqual({ status: 400, message: NOT_RUNNING });
    // Once: a later SPDY request (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false) is told to use WebSocket.
    expect((await execRequest('spdy')).message).toContain(WEBSOCKET_ONLY);
  });

  it('only the same request, and only within the fallback window, gets it again', async () => {
    expect((await execRequest('websocket', 'command=ls&stdout=true')).message).toBe(NOT_RUNNING);
    running = true;
    expect((await execRequest('spdy', 'command=true&stdout=true')).message).toContain(WEBSOCKET_ONLY);

    running = false;
    vi.useFakeTimers({ toFake: ['Date'] });
    expect((await execRequest('websocket')).message).toBe(NOT_RUNNING);
    running = true;
    vi.setSystemTime(Date.now() + FALLBACK_WINDOW_MS + 1);
    expect((await execRequest('spdy')).message).toContain(WEBSOCKET_ONLY);
  });

  it('a stopped container refuses the SPDY request with its own reason too', async () => {
    expect((await execRequest('spdy')).message).toBe(NOT_RUNNING);
  });
});
