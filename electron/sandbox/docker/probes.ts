/**
 * Probes of real containers, run the way the kubelet runs them: `exec` inside the container
 * (Docker exec; exit 0 passes), `httpGet` from this machine to the container's address (a status
 * from 200 to 399 passes; https is not verified), `tcpSocket` a connection that opens. Messages
 * are the kubelet's, so Unhealthy events read like a cluster's.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { Probe, ProbeResult } from '../probes';
import type { PodContainer } from './pod-spec';
import { runExec } from './exec';
import type { RuntimeEngine } from './engine';

const OK: ProbeResult = { ok: true };
const fail = (message: string, errored = false): ProbeResult => ({ ok: false, message, errored });

type RealProbe = Probe & {
  timeoutSeconds?: number;
  httpGet?: Probe['httpGet'] & { httpHeaders?: { name: string; value: string }[] };
};

function portOf(c: PodContainer, port: number | string): number | string {
  if (typeof port === 'number' || /^\d+$/.test(port)) return Number(port);
  const named = c.ports?.find((p) => p.name === port);
  return named ? named.containerPort : `port ${port} not found`;
}

function httpProbe(p: NonNullable<RealProbe['httpGet']>, ip: string, port: number, timeoutMs: number) {
  const scheme = (p.scheme ?? 'HTTP').toLowerCase();
  const host = p.host ?? ip;
  const path = p.path ?? '/';
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.31', Accept: '*/*' };
  for (const h of p.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise<ProbeResult>((resolve) => {
    const lib = scheme === 'https' ? https : http;
    const req = lib.get(url, { headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? OK : fail(`HTTP probe failed with statuscode: ${code}`));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(fail(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`));
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve(fail(`Get "${url}": dial tcp ${host}:${port}: connect: ${dialWords(err)}`)),
    );
  });
}

function dialWords(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'EHOSTUNREACH') return 'no route to host';
  return err.message;
}

function tcpProbe(host: string, port: number, timeoutMs: number) {
  return new Promise<ProbeResult>((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(OK);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(fail(`dial tcp ${host}:${port}: i/o timeout`));
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve(fail(`dial tcp ${host}:${port}: connect: ${dialWords(err)}`)),
    );
  });
}

/** One probe of container `c` (Docker id `containerId`, address `ip`). */
export async function runRealProbe(
  engine: RuntimeEngine,
  c: PodContainer,
  probe: RealProbe,
  containerId: string,
  ip: string,
): Promise<ProbeResult> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = portOf(c, probe.httpGet.port);
    if (typeof port === 'string') return fail(port, true);
    return httpProbe(probe.httpGet, ip, port, timeoutMs);
  }
  if (probe.tcpSocket) {
    const port = portOf(c, probe.tcpSocket.port);
    if (typeof port === 'string') return fail(port, true);
    return tcpProbe(probe.tcpSocket.host ?? ip, port, timeoutMs);
  }
  if (probe.exec) {
    const command = probe.exec.command ?? [];
    try {
      const { exitCode, output } = await runExec(engine, containerId, command, timeoutMs);
      if (exitCode === undefined) return fail(`command "${command.join(' ')}" timed out`);
      return exitCode === 0 ? OK : fail(output);
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err), true);
    }
  }
  if (probe.grpc) return tcpProbe(ip, probe.grpc.port, timeoutMs);
  return OK;
}
