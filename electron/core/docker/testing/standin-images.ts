/**
 * Test stand-in images generated from the upstream contracts (core/stacks/contracts.ts), one per
 * contract, tagged `<first image of the contract>:homeport-standin`:
 *
 *   ghcr.io/lusoris/revenge:homeport-standin, ghcr.io/lusoris/revenge-frontend:homeport-standin,
 *   postgres:homeport-standin, docker.dragonflydb.io/dragonflydb/dragonfly:homeport-standin,
 *   typesense/typesense:homeport-standin, radarr-mvp:homeport-standin   (STANDIN_IMAGES, by component)
 *
 * Each behaves like the real program as far as its contract says (standin-runtime.ts): it refuses to
 * start where the program refuses (`Error: ...`, exit 1, e.g. Revenge without a database password
 * or without a resolvable `postgres`), serves only the contract's ports and HTTP paths (404
 * elsewhere), and holds ONLY the contract's `tools`: `sh` is dash (BusyBox's sh would run any of
 * its applets), `wget`/`nc` are BusyBox applets, `pg_isready`, `psql`, `redis-cli`, `curl` are
 * scripts run by the runtime with the real tools' exit codes. Its entrypoint is the runtime, so a
 * Swarm service's `Args` (or `docker run` arguments) are the program's arguments; it runs as the
 * contract's user.
 *
 * How they are built, once per test engine (no registry is reachable): the runtime is bundled with
 * rolldown into one file; a base image holds this machine's node binary with the shared libraries
 * `ldd` lists and the loader, BusyBox and dash, all under /standin (not on PATH), imported with
 * `docker import`; each contract image adds its contract, tools and writable directories as a
 * small layer on top (`docker create` + `docker cp` + `docker commit`), so the ~100 MB base is
 * stored once.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { allImageContracts } from '../../stacks/contracts';
import type { ImageContract } from '../../stacks/upstream';
import { CONTRACT_PATH, MAIN_FLAG, NODE_PATH, RUNTIME_PATH, STANDIN_DIR } from './standin-layout';

const run = promisify(execFile);

export const STANDIN_TAG = 'homeport-standin';
/** The stand-in image of a contract. */
export const standinImage = (c: ImageContract) => `${c.images[0]}:${STANDIN_TAG}`;
/** Every contract stand-in by component (revenge, frontend, postgres, dragonfly, typesense). */
export const STANDIN_IMAGES: Readonly<Record<string, string>> = Object.fromEntries(
  allImageContracts().map((c) => [c.component, standinImage(c)]),
);
const BASE_IMAGE = 'homeport-test/standin-base:1';
/** Where Debian's busybox-static and dash put their programs (also used by postgres-image.ts). */
export const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'];
export const DASH = '/bin/dash';
const PATH = '/usr/local/bin:/usr/bin:/bin';
const ENTRYPOINT = JSON.stringify([NODE_PATH, RUNTIME_PATH, MAIN_FLAG]);

export type Docker = (args: string[]) => Promise<string>;

async function bundleRuntime(file: string): Promise<void> {
  const { build } = await import('rolldown');
  await build({
    input: resolve(import.meta.dirname, 'standin-runtime.ts'),
    platform: 'node',
    logLevel: 'warn',
    output: { file, format: 'esm' },
  });
}

/** The shared libraries and the loader a dynamically linked binary needs, as `ldd` lists them. */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]);
  return stdout
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((p): p is string => p !== undefined);
}

/** Copies a file (following symlinks) to the same path, or `to`, under `root`, executable. */
export async function copyInto(root: string, from: string, to = from) {
  await mkdir(join(root, dirname(to)), { recursive: true });
  await copyFile(from, join(root, to));
  await chmod(join(root, to), 0o755);
}

/** The base: node, its libraries, BusyBox, dash and the runtime; nothing on PATH yet. */
async function buildBase(docker: Docker, dir: string) {
  const busybox = BUSYBOX.find((p) => existsSync(p));
  if (!busybox) throw new Error('busybox is not installed: apt-get install busybox-static');
  if (!existsSync(DASH)) throw new Error(`${DASH} is missing: apt-get install dash`);
  const root = join(dir, 'base');
  await bundleRuntime(join(root, RUNTIME_PATH));
  await copyInto(root, process.execPath, NODE_PATH);
  await copyInto(root, busybox, `${STANDIN_DIR}/busybox`);
  await copyInto(root, DASH, `${STANDIN_DIR}/dash`);
  const libs = new Set([...(await sharedLibraries(process.execPath)), ...(await sharedLibraries(DASH))]);
  for (const lib of libs) await copyInto(root, lib);
  await mkdir(join(root, 'tmp'), { recursive: true });
  await chmod(join(root, 'tmp'), 0o1777);
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\n');
  const tar = join(dir, 'base.tar');
  await run('tar', ['-C', root, '-cf', tar, '.']);
  await docker(['import', '--change', `ENTRYPOINT ${ENTRYPOINT}`, '--change', `ENV PATH=${PATH}`, tar, BASE_IMAGE]);
}

/** What a contract adds to the base: the contract, its tools on PATH, and the directories it writes. */
async function contractLayer(c: ImageContract, dir: string, applets: ReadonlySet<string>): Promise<string> {
  const root = join(dir, c.component);
  await mkdir(join(root, STANDIN_DIR), { recursive: true });
  await writeFile(join(root, CONTRACT_PATH), JSON.stringify(c, null, 2));
  await mkdir(join(root, 'bin'), { recursive: true });
  await mkdir(join(root, 'usr', 'bin'), { recursive: true });
  for (const tool of c.tools) {
    if (tool === 'sh') await symlink(`${STANDIN_DIR}/dash`, join(root, 'bin', 'sh'));
    else if (applets.has(tool)) await symlink(`${STANDIN_DIR}/busybox`, join(root, 'usr', 'bin', tool));
    else await writeFile(join(root, 'usr', 'bin', tool), `#!${NODE_PATH} ${RUNTIME_PATH}\n`, { mode: 0o755 });
  }
  // The program's own executable (for start wrappers that exec it): the runtime, as the program.
  if (c.program)
    await writeFile(join(root, 'usr', 'bin', c.program.name), `#!${NODE_PATH} ${RUNTIME_PATH}\n`, { mode: 0o755 });
  for (const w of c.writes ?? []) {
    await mkdir(join(root, w), { recursive: true });
    await chmod(join(root, w), 0o1777);
  }
  if (c.user) {
    const { uid, gid } = c.user;
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(
      join(root, 'etc', 'passwd'),
      `root:x:0:0:root:/root:/bin/sh\n${c.component}:x:${uid}:${gid}:${c.component}:/tmp:/bin/sh\n`,
    );
    await writeFile(join(root, 'etc', 'group'), `root:x:0:\n${c.component}:x:${gid}:\n`);
  }
  return root;
}

export interface StandinBuild {
  images: string[];
  /** Wall time of the whole build. */
  seconds: number;
  /** Bytes on the engine: the shared base plus every contract layer. */
  bytes: number;
}

/** Builds every contract stand-in on the engine `docker` talks to. */
export async function buildContractStandins(
  docker: Docker,
  contracts: readonly ImageContract[] = allImageContracts(),
): Promise<StandinBuild> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'homeport-standins-'));
  try {
    await buildBase(docker, dir);
    const busybox = BUSYBOX.find((p) => existsSync(p)) as string;
    const applets = new Set((await run(busybox, ['--list'])).stdout.split('\n').filter(Boolean));
    const images: string[] = [];
    const sizeOf = async (image: string) => Number(await docker(['image', 'inspect', '--format', '{{.Size}}', image]));
    const base = await sizeOf(BASE_IMAGE);
    let bytes = base;
    for (const c of contracts) {
      const layer = await contractLayer(c, dir, applets);
      const container = `homeport-standin-build-${c.component}`;
      await docker(['rm', '--force', container]).catch(() => undefined);
      await docker(['create', '--name', container, BASE_IMAGE]);
      try {
        await docker(['cp', `${layer}/.`, `${container}:/`]);
        const changes = [
          `ENTRYPOINT ${ENTRYPOINT}`,
          `ENV PATH=${PATH}`,
          `LABEL dev.homeport.standin.component=${c.component}`,
          ...(c.user ? [`USER ${c.user.uid}:${c.user.gid}`] : []),
          ...c.ports.map((p) => `EXPOSE ${p.port}/tcp`),
        ];
        await docker(['commit', ...changes.flatMap((x) => ['--change', x]), container, standinImage(c)]);
      } finally {
        await docker(['rm', '--force', container]);
      }
      bytes += (await sizeOf(standinImage(c))) - base;
      images.push(standinImage(c));
    }
    return { images, seconds: (Date.now() - started) / 1000, bytes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
