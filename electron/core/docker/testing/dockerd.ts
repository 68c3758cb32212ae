/**
 * A real Docker engine for tests: Debian's dockerd on a private socket and data root, a one-node
 * swarm on 127.0.0.1, and stand-in images built with `docker import` (no registry is reachable).
 * It fails loudly, saying what to install, when the engine is missing.
 *
 * Two kinds of stand-in images:
 * - STANDIN_IMAGE / BROKEN_IMAGE: a permissive BusyBox image answering HTTP on every port the stack
 *   uses (any path under /health, /metrics), and one that exits 1 at once. For tests about the
 *   engine and the deploy mechanics, where what the program accepts does not matter.
 * - STANDIN_IMAGES (standin-images.ts): one image per upstream contract, tagged
 *   `<image>:homeport-standin`, that starts, answers and fails only as the real program does.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir, symlink, copyFile, chmod, readFile } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildContractStandins } from './standin-images';

export { STANDIN_IMAGES, standinImage } from './standin-images';

const run = promisify(execFile);

export const DOCKERD = '/usr/sbin/dockerd';
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'];

/** Images the tests use in place of the stack's real ones. */
export const STANDIN_IMAGE = 'homeport-test/standin:1';
/** The same stand-in, but every container exits with an error at once: an update that must roll back. */
export const BROKEN_IMAGE = 'homeport-test/standin:broken';
/** Ports the stand-in answers HTTP on: every port the Revenge stack uses. */
export const STANDIN_PORTS = [8096, 3000, 5432, 6379, 8108, 9000];

export interface TestDockerd {
  /** unix:///.../docker.sock */
  host: string;
  socketPath: string;
  /** Runs the real docker CLI against this engine with an argument array. */
  docker(args: string[]): Promise<string>;
  close(): Promise<void>;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

const STANDIN_SCRIPT = `#!/bin/sh
# Homeport test stand-in for any stack component: answers HTTP on every port the stack uses,
# with the health and metrics paths the real images serve.
mkdir -p /www/health
for f in live ready startup; do echo ok > /www/health/$f; done
echo ok > /www/health/index.html
echo ok > /www/index.html
printf 'revenge_http_requests_total{method="GET",path="/",status="200"} 1\\n' > /www/metrics
for p in ${STANDIN_PORTS.join(' ')}; do httpd -p "$p" -h /www; done
trap 'exit 0' TERM INT
while true; do sleep 3600 & wait $!; done
`;

const BROKEN_SCRIPT = `#!/bin/sh
echo "stand-in configured to fail" >&2
exit 1
`;

/** A busybox root filesystem with the stand-in entrypoint (and a pg_isready that answers yes). */
async function buildRootfs(dir: string, script: string): Promise<string> {
  const busybox = BUSYBOX.find((p) => existsSync(p));
  if (!busybox) throw new Error('busybox is not installed: apt-get install busybox-static');
  const root = join(dir, 'rootfs');
  await mkdir(join(root, 'bin'), { recursive: true });
  await mkdir(join(root, 'tmp'), { recursive: true });
  await copyFile(busybox, join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  for (const applet of [
    'sh',
    'sleep',
    'httpd',
    'mkdir',
    'echo',
    'printf',
    'wget',
    'nc',
    'cat',
    'true',
    'false',
    'ls',
  ]) {
    await symlink('busybox', join(root, 'bin', applet));
  }
  await writeFile(join(root, 'bin', 'standin'), script, { mode: 0o755 });
  await writeFile(join(root, 'bin', 'pg_isready'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return root;
}

async function importImage(docker: TestDockerd['docker'], dir: string, tag: string, script: string) {
  const root = await buildRootfs(dir, script);
  const tar = join(dir, 'rootfs.tar');
  await run('tar', ['-C', root, '-cf', tar, '.']);
  await docker(['import', '--change', 'ENTRYPOINT ["/bin/standin"]', tar, tag]);
  await rm(dir, { recursive: true, force: true });
}

/** Network namespaces a killed engine left mounted under its exec root would keep its overlay devices alive. */
async function unmountUnder(dir: string) {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const paths = mounts
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((p) => p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of paths) await run('umount', ['-l', p]).catch(() => undefined);
}

const DIR_PREFIX = 'homeport-dockerd-';

/** Test engines that died without cleaning up (a killed run) leave overlay devices that break the next swarm. */
async function sweepDeadEngines() {
  const { readdir, stat } = await import('node:fs/promises');
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    // A run starting right now has not written its pid file yet.
    const age = Date.now() - ((await stat(dir).catch(() => undefined))?.mtimeMs ?? Date.now());
    if (age < 60_000) continue;
    const pid = Number((await readFile(join(dir, 'docker.pid'), 'utf8').catch(() => '')).trim());
    if (pid > 0 && existsSync(`/proc/${pid}`)) continue;
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Starts dockerd, initializes a one-node swarm listening on 127.0.0.1 only, and imports the
 * stand-in images. close() leaves the swarm, stops the engine and removes its data.
 */
export async function startTestDockerd(opts: { swarmPort?: number } = {}): Promise<TestDockerd> {
  if (!existsSync(DOCKERD)) {
    throw new Error(`${DOCKERD} is missing: the Swarm tests need a real Docker engine (apt-get install docker.io)`);
  }
  await sweepDeadEngines();
  const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
  const socketPath = join(dir, 'docker.sock');
  const host = `unix://${socketPath}`;
  const log: string[] = [];
  const child: ChildProcess = spawn(
    DOCKERD,
    [
      '--host',
      host,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'docker.pid'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const docker = async (args: string[]) => {
    const { stdout } = await run('docker', ['--host', host, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  };
  const close = async () => {
    await docker(['swarm', 'leave', '--force']).catch(() => undefined);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };

  const deadline = Date.now() + 30_000;
  while (!(await ping(socketPath))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`dockerd did not start (${DOCKERD}); its log:\n${log.join('').slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const swarmPort = opts.swarmPort ?? 20000 + Math.floor(Math.random() * 20000);
  try {
    await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', `127.0.0.1:${swarmPort}`]);
    const images = await mkdtemp(join(tmpdir(), 'homeport-images-'));
    await importImage(docker, join(images, 'ok'), STANDIN_IMAGE, STANDIN_SCRIPT);
    await importImage(docker, join(images, 'broken'), BROKEN_IMAGE, BROKEN_SCRIPT);
    await rm(images, { recursive: true, force: true });
    const built = await buildContractStandins(docker);
    console.log(
      `contract stand-ins: ${built.images.length} images in ${built.seconds.toFixed(1)} s, ` +
        `${(built.bytes / 1e6).toFixed(0)} MB on the engine`,
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { host, socketPath, docker, close };
}
