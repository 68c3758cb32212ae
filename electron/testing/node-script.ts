import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..', '..');
const built = new Map<string, Promise<string>>();

/**
 * Bundles a TypeScript entry into an ES module that plain Node runs, so a test can start real
 * separate processes (two writers of one data directory, a server a bad client could crash).
 * The output stays inside the project so its external imports (ws, zod, yaml) resolve from
 * node_modules.
 */
export function bundleForNode(entry: string): Promise<string> {
  const abs = resolve(entry);
  let out = built.get(abs);
  if (!out) {
    const outDir = resolve(
      root,
      'node_modules',
      '.cache',
      'homeport-test-scripts',
      createHash('sha256').update(abs).digest('hex').slice(0, 12),
    );
    out = build({
      configFile: false,
      logLevel: 'silent',
      resolve: { alias: { '@shared': resolve(root, 'shared') } },
      build: {
        ssr: abs,
        outDir,
        emptyOutDir: true,
        minify: false,
        rollupOptions: { output: { format: 'es', entryFileNames: 'script.mjs' } },
      },
    }).then(() => resolve(outDir, 'script.mjs'));
    built.set(abs, out);
  }
  return out;
}

/** Starts a bundled script as a child Node process with an IPC channel. */
export async function forkScript(
  entry: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ChildProcess> {
  const file = await bundleForNode(entry);
  return fork(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
}

/** Resolves with the first IPC message of the child, or rejects when it exits first. */
export function firstMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('message', (m) => resolvePromise(m as T));
    child.once('exit', (code, signal) =>
      reject(new Error(`child exited (${code ?? signal}) before answering: ${stderr}`)),
    );
  });
}

/** Resolves with the exit code once the child exits (the signal name when it was killed). */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolvePromise) => child.once('exit', (code, signal) => resolvePromise(code ?? signal ?? -1)));
}
