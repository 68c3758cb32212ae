/** A fake exec API server over TLS with a token, a kubeconfig for it, and Homeport's commands on it. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { homeport, tmp, writeKubeconfig } from '../../clusters/testing/kubectl';
import { createTestPki, type TestPki } from '../../../testing/tls';
import type { CommandRequest, CommandResult, CommandSession } from '../command';
import { kubernetesCommands } from '../kubernetes-exec';
import { startFakeExecServer, type FakeExecOptions, type FakeExecServer } from './fake-exec-server';

export const TOKEN = 'exec-test-token';

export interface KubeExecFixture {
  server: FakeExecServer;
  pki: TestPki;
  kubeconfig: string;
  /** Homeport's commands in namespace `namespace` of context c. */
  run(request: CommandRequest, namespace?: string): CommandSession;
  close(): Promise<void>;
}

export async function kubeExecFixture(
  opts: FakeExecOptions & { user?: Record<string, unknown>; cluster?: Record<string, unknown> } = {},
): Promise<KubeExecFixture> {
  const pki = createTestPki();
  const server = await startFakeExecServer({ tls: pki, token: TOKEN, ...opts });
  const dir = tmp('homeport-exec-');
  const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), {
    server: server.url,
    cluster: { 'certificate-authority-data': Buffer.from(pki.caCert).toString('base64'), ...opts.cluster },
    user: opts.user ?? { token: TOKEN },
  });
  const clusters = homeport(kubeconfig);
  return {
    server,
    pki,
    kubeconfig,
    run: (request, namespace = 'default') =>
      kubernetesCommands(
        { kind: 'kubernetes', context: 'c', namespace },
        { openGateway: (context) => clusters.openGateway(context) },
      ).run(request),
    close: () => server.close(),
  };
}

/** Everything a stream delivers, as text. */
export async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Collects both outputs and the result of a session. */
export async function collect(session: CommandSession): Promise<{ out: string; err: string; result: CommandResult }> {
  const [out, err, result] = await Promise.all([text(session.stdout), text(session.stderr), session.result]);
  return { out, err, result };
}

/** Runs the real kubectl with this kubeconfig, optional stdin, and a clean environment. */
export function kubectl(
  kubeconfig: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      env: { PATH: process.env.PATH, HOME: tmp('homeport-kubectl-home-') },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(stdin);
  });
}
