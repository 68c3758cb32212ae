/**
 * s3rver in its own Node process, so memory measured in the test process is Homeport's alone.
 * It runs with OpenSSL's legacy provider: s3rver's list continuation tokens use DES, which
 * OpenSSL 3 otherwise refuses (ListObjectsV2 paging then fails with InternalError).
 */
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `
import S3rver from 's3rver';
const server = new S3rver({ address: '127.0.0.1', port: 0, directory: process.argv[1], silent: true });
const { port } = await server.run();
process.stdout.write(JSON.stringify({ port }) + '\\n');
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
`;

export interface S3rverProcess {
  port: number;
  close(): Promise<void>;
}

export async function startS3rverProcess(directory: string): Promise<S3rverProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--input-type=module', '-e', SCRIPT, directory],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 15 s:\n${output}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const line = /\{"port":(\d+)\}/.exec(output);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
