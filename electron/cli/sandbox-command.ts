import { resolve } from 'node:path';
import { startSandbox } from '../sandbox/index';
import { describeRuntime, parseRuntime } from './sandbox-runtime';
import { parsePort, untilSignal } from './serve-command';
import { UsageError } from './usage-error';

function parseNodes(value: string | undefined): number {
  if (value === undefined) return 3;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50) {
    throw new UsageError(`--nodes: '${value}' is not a node count; use a whole number from 1 to 50`);
  }
  return n;
}

/**
 * `homeport sandbox`: the simulated cluster on its own, for demos and for trying kubectl. The
 * kubeconfig it writes holds the sandbox's bearer token, so it is written 0600 even over an
 * existing file, atomically (see Sandbox.writeKubeconfig). Runs until SIGINT/SIGTERM (`until`).
 */
export async function runSandbox(
  opts: { port?: string; nodes?: string; 'kubeconfig-out'?: string; runtime?: string; 'no-demo'?: boolean },
  until: () => Promise<void> = untilSignal,
): Promise<number> {
  const runtime = parseRuntime(opts.runtime);
  const sandbox = await startSandbox({
    port: parsePort(opts.port),
    nodes: parseNodes(opts.nodes),
    runtime,
    // The demo's image is there for the simulated kubelet only; a Docker engine may not have it.
    demo: !opts['no-demo'] && runtime === undefined,
  });
  // With --runtime docker the sandbox owns containers: they go whatever ends the command.
  try {
    const path = resolve(opts['kubeconfig-out'] ?? 'homeport-sandbox.kubeconfig');
    await sandbox.writeKubeconfig(path);
    console.log(`Homeport sandbox cluster (${describeRuntime(runtime)}) is running at ${sandbox.url}`);
    console.log(`Try: kubectl --kubeconfig ${path} get pods -A`);
    console.log(`or: export KUBECONFIG=${path}`);
    await until();
  } finally {
    await sandbox.close();
  }
  return 0;
}
