import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { kubeconfigPaths } from '../core/clusters/kubeconfig';
import { createSettingsStore } from '../core/storage/settings';
import { ensureDataDir, resolveDataDir } from '../core/storage/data-dir';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { createApi } from '../api/create-api';
import { startMemorySettler } from '../core/memory/memory-settler';
import { closeTriedSandboxes } from '../api/try-sandbox';
import { startWebServer } from '../transport/http';
import { describeRuntime, parseRuntime } from './sandbox-runtime';
import { UsageError } from './usage-error';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: '${value}' is not a port number; use 0-65535 (0 picks a free port)`);
  }
  return port;
}

/** Resolves on SIGINT or SIGTERM: how `serve` and `sandbox` are stopped from a terminal. */
export function untilSignal(): Promise<void> {
  return new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/**
 * Bounds how long stopping may take: `step` names what stopping is doing now; if it is not done
 * (`done`) within `ms`, `overdue` hears the step it was stuck in. The timer never keeps the process
 * alive.
 */
export function stopDeadline(ms: number, overdue: (step: string) => void) {
  let current = 'stopping';
  const timer = setTimeout(() => overdue(current), ms);
  timer.unref();
  return {
    step: (name: string) => void (current = name),
    done: () => clearTimeout(timer),
  };
}

/** What `serve` does when stopping takes too long: says what it was waiting for, and exits. */
const STOP_DEADLINE_MS = 10_000;
const exitOverdue = (step: string) => {
  console.error(
    `Homeport: stopping took longer than ${STOP_DEADLINE_MS / 1000} s (still ${step}); exiting without waiting for it.`,
  );
  process.exit(1);
};

/** `homeport serve`: web mode, with the sandbox cluster if asked; runs until `until` resolves. */
export async function runServe(
  opts: {
    port?: string;
    host?: string;
    'data-dir'?: string;
    sandbox?: boolean;
    runtime?: string;
    'no-demo'?: boolean;
  },
  until: () => Promise<void> = untilSignal,
): Promise<number> {
  const host = opts.host ?? '127.0.0.1';
  const port = parsePort(opts.port);
  const token = randomBytes(24).toString('hex');
  const dataDir = ensureDataDir(resolveDataDir({ flag: opts['data-dir'] }));
  let sandbox: Sandbox | undefined;
  let sandboxKubeconfig: string | undefined;
  let stopping: ReturnType<typeof stopDeadline> | undefined;
  if (opts.runtime !== undefined && !opts.sandbox) {
    throw new UsageError("--runtime: chooses what runs the sandbox's pods; add --sandbox");
  }
  if (opts.sandbox) {
    const runtime = parseRuntime(opts.runtime);
    // The demo's image is there for the simulated kubelet only; a Docker engine may not have it.
    sandbox = await startSandbox({ runtime, demo: !opts['no-demo'] && runtime === undefined });
  }
  // With --runtime docker the sandbox owns containers: they go whatever ends the command.
  try {
    if (sandbox) {
      sandboxKubeconfig = join(dataDir, 'sandbox.kubeconfig');
      await sandbox.writeKubeconfig(sandboxKubeconfig);
      const runtime = describeRuntime(parseRuntime(opts.runtime));
      console.error(`Sandbox cluster (${runtime}) at ${sandbox.url}; kubeconfig: ${sandboxKubeconfig}`);
      console.log(await exportLine(sandboxKubeconfig, dataDir));
    }
    // A long-running process: memory a burst of work grew is given back once things are quiet.
    const settler = startMemorySettler();
    const api = createApi({ dataDir, mode: 'web', sandboxKubeconfig }, (m) => console.error(m));
    try {
      const server = await startWebServer({
        dispatch: api.dispatch,
        subscribe: api.subscribe,
        token,
        host,
        port,
        staticDir: join(import.meta.dirname, '..', 'renderer'),
      });
      if (!LOOPBACK.has(host)) {
        console.error(
          `Warning: listening on ${host}; anyone who can reach it and has the token controls your clusters.`,
        );
      }
      console.log(`Homeport is running at ${server.url}#token=${token}`);
      await until();
      // Ctrl-C should end it within seconds, whatever a cluster or the engine is doing.
      stopping = stopDeadline(STOP_DEADLINE_MS, exitOverdue);
      stopping.step('closing the web server');
      await server.close();
    } finally {
      settler.stop();
      stopping?.step('closing the connections to clusters');
      api.services.close();
      stopping?.step('removing the sandboxes tried from the Connections screen');
      await closeTriedSandboxes();
    }
  } finally {
    stopping?.step("removing the sandbox's pods");
    await sandbox?.close();
    stopping?.done();
  }
  return 0;
}

/** A path as one shell word: quoted when it holds anything a shell would read. */
const shellWord = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`);

/**
 * The line that gives kubectl and the homeport commands the contexts this web UI shows: the
 * kubeconfig files it reads ($KUBECONFIG or ~/.kube/config, the files added in Homeport, the
 * sandbox's), in the same order.
 */
export async function exportLine(
  sandboxKubeconfig: string,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): Promise<string> {
  const settings = await createSettingsStore(dataDir).read();
  const paths = kubeconfigPaths({ env, home, added: settings.kubeconfigFiles, sandbox: sandboxKubeconfig });
  return `export KUBECONFIG=${shellWord(paths.map((p) => p.path).join(delimiter))}`;
}
