import { resolve } from 'node:path';
import { HomeportError } from '../core/errors';
import { startSandbox } from '../sandbox/index';
import { parsePort } from './serve-command';

function parseNodes(value: string | undefined): number {
  if (value === undefined) return 3;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50) {
    throw new HomeportError(
      'INVALID_INPUT',
      `--nodes: '${value}' is not a node count; use a whole number from 1 to 50`,
    );
  }
  return n;
}

/** `homeport sandbox`: the simulated cluster on its own, for demos and for trying kubectl. */
export async function runSandbox(opts: { port?: string; nodes?: string; 'kubeconfig-out'?: string }): Promise<number> {
  const sandbox = await startSandbox({ port: parsePort(opts.port), nodes: parseNodes(opts.nodes) });
  const path = resolve(opts['kubeconfig-out'] ?? 'homeport-sandbox.kubeconfig');
  await sandbox.writeKubeconfig(path);
  console.log(`Homeport sandbox cluster (simulated) is running at ${sandbox.url}`);
  console.log(`Try: kubectl --kubeconfig ${path} get pods -A`);
  await new Promise<void>((done) => {
    const stop = () => void sandbox.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
