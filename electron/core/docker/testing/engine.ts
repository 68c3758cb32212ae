import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const run = promisify(execFile);

/** The test engine the docker project's global setup started, and its docker CLI. */
export function testEngine() {
  const host = inject('dockerHost');
  const socketPath = host.replace(/^unix:\/\//, '');
  return {
    host,
    socketPath,
    docker: async (args: string[]) =>
      (await run('docker', ['--host', host, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout,
  };
}
