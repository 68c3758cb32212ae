import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface HomeportServer {
  /** The full URL printed at start, token included. */
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  pid: number;
  close(): Promise<void>;
}

/** How long `homeport serve` may take to stop on SIGTERM (less than a Playwright hook's 30 s). */
const EXIT_SECONDS = 20;

/** Starts `homeport serve` as a user would (the built CLI) and reads the URL it prints. */
export async function startHomeport(
  opts: { env?: NodeJS.ProcessEnv; dataDir?: string; args?: string[] } = {},
): Promise<HomeportServer> {
  const cli = join(ROOT, 'bin', 'homeport.js');
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js'))) {
    throw new Error('Homeport is not built: run `npm run build` before the e2e tests (npm test does).');
  }
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'homeport-e2e-data-'));
  const child: ChildProcess = spawn(process.execPath, [cli, 'serve', '--data-dir', dataDir, ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`homeport serve did not start in 15 s: ${stderr}`)), 15_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /^Homeport is running at (http:\/\/\S+)$/m.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`homeport serve exited with ${code}: ${stderr}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '',
    dataDir,
    pid: child.pid ?? 0,
    // As Ctrl-C would: Homeport must be gone soon after. If it is not, the test says so with what it
    // printed, and the process is killed so that it does not outlive the run.
    close: () =>
      new Promise((r, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return r();
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(
            new Error(
              `homeport serve did not exit within ${EXIT_SECONDS} s of SIGTERM; it printed: ${stderr.slice(-4000)}`,
            ),
          );
        }, EXIT_SECONDS * 1000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          // It stopped, but not cleanly (e.g. stopping ran past its own deadline): the log says why.
          if (code) console.warn(`homeport serve exited with ${code} on SIGTERM: ${stderr.slice(-2000)}`);
          r();
        });
        child.kill('SIGTERM');
      }),
  };
}
