/**
 * A real PostgreSQL image for the test engine, tagged POSTGRES_IMAGE, for tests that need a
 * database with data in it (backups, restores, drills); the contract stand-in (standin-images.ts)
 * has none. No registry is reachable, so it is this machine's PostgreSQL 15 (Debian's packages)
 * in a root filesystem imported with `docker import`:
 *
 * - /usr/lib/postgresql/15/{bin,lib} (without the LLVM JIT, which would add LLVM: jit is simply
 *   unavailable), /usr/share/postgresql/15 with `listen_addresses = '*'` in the sample config as
 *   the official image makes it, every library `ldd` lists for them and the loader, the time zones
 *   and glibc's C.UTF-8 locale;
 * - dash as /bin/sh, the BusyBox applets the entrypoint and the in-cluster backup use, util-linux
 *   setpriv to drop root;
 * - the entrypoint (postgres-entrypoint.sh), the official image's docker-entrypoint.sh in sh.
 *
 * What the image is, cited as docker-library/postgres@6edb0a8c:15/alpine3.23/Dockerfile:<line>
 * (a PostgreSQL 15 image, as the binaries are): user and group `postgres` 70:70 (:12-13),
 * /var/lib/postgresql 1777 (:16), LANG a UTF-8 locale (:51; C.UTF-8 here, the one glibc ships
 * built), PG_MAJOR (:55), /docker-entrypoint-initdb.d (:53), listen_addresses (:191),
 * /var/run/postgresql 3777 (:194), PGDATA=/var/lib/postgresql/data 1777 and its VOLUME (:196-199),
 * ENTRYPOINT docker-entrypoint.sh with CMD postgres (:203, :230), port 5432 (:229). Not STOPSIGNAL
 * SIGINT (:218): `docker import` cannot set it, so a stop is PostgreSQL's smart shutdown on SIGTERM
 * (it waits for clients to disconnect, then the engine's kill after the grace period; the WAL
 * makes that safe, only slower). The PostgreSQL programs are on PATH through their directory, as the Debian image
 * puts them (15/bookworm/Dockerfile:90). It starts as root and steps down to postgres in the
 * entrypoint, as the official one does with gosu; Debian's own socket directory is
 * /var/run/postgresql as the official build patches it to be (15/alpine3.23/Dockerfile:114-116).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { BUSYBOX, copyInto, DASH, sharedLibraries, type Docker } from './standin-images';

const run = promisify(execFile);

/** The tag of the real PostgreSQL image on the test engine. */
export const POSTGRES_IMAGE = 'postgres:homeport-real';
export const POSTGRES_MAJOR = '15';
/** The image's user and group, as the official Alpine image has them (15/alpine3.23/Dockerfile:12-13). */
export const POSTGRES_UID = 70;
const PG_BIN = `/usr/lib/postgresql/${POSTGRES_MAJOR}/bin`;
const PG_LIB = `/usr/lib/postgresql/${POSTGRES_MAJOR}/lib`;
const PG_SHARE = `/usr/share/postgresql/${POSTGRES_MAJOR}`;
const SETPRIV = '/usr/bin/setpriv';
const LOCALE = '/usr/lib/locale/C.utf8';
const ZONEINFO = '/usr/share/zoneinfo';
/** What the entrypoint runs besides sh and the PostgreSQL programs. */
// The entrypoint's, and the in-cluster backup's (DUMP_SCRIPT, and CRON_LOOP on Swarm): the official
// Alpine image has every BusyBox applet.
const APPLETS = [
  'cat',
  'chmod',
  'chown',
  'date',
  'find',
  'grep',
  'id',
  'ls',
  'mkdir',
  'mv',
  'rm',
  'sed',
  'sleep',
  'sort',
  'tail',
  'wc',
];
const PATH = `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PG_BIN}`;

export interface PostgresImageBuild {
  image: string;
  /** False when the image was already on the engine. */
  built: boolean;
  seconds: number;
  bytes: number;
}

const isElf = async (file: string) => (await readFile(file)).subarray(0, 4).toString('latin1') === '\x7fELF';

/** Copies a host directory tree as it is (symlinks kept) to the same place under root. */
async function copyTree(root: string, dir: string, exclude: readonly string[] = []) {
  await mkdir(join(root, dir), { recursive: true });
  await run('cp', [
    '-a',
    ...(await readdir(dir)).filter((n) => !exclude.includes(n)).map((n) => join(dir, n)),
    join(root, dir),
  ]);
}

/** The image's root filesystem, in `root` (exported for inspecting it without an engine). */
export async function buildPostgresRootfs(root: string) {
  const busybox = BUSYBOX.find((p) => existsSync(p));
  if (!busybox) throw new Error('busybox is not installed: apt-get install busybox-static');
  for (const [path, pkg] of [
    [DASH, 'dash'],
    [SETPRIV, 'util-linux'],
    [join(PG_BIN, 'postgres'), `postgresql-${POSTGRES_MAJOR}`],
    [LOCALE, 'libc-bin'],
    [ZONEINFO, 'tzdata'],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg}`);
  }
  // The JIT would pull in libLLVM (over 100 MB); without it PostgreSQL runs without JIT.
  await copyTree(root, PG_BIN);
  await copyTree(root, PG_LIB, ['bitcode', 'llvmjit.so', 'llvmjit_types.bc']);
  await copyTree(root, PG_SHARE, ['man']);
  await copyTree(root, ZONEINFO);
  await copyTree(root, LOCALE);
  const sample = join(root, PG_SHARE, 'postgresql.conf.sample');
  const conf = await readFile(sample, 'utf8');
  await writeFile(sample, conf.replace(/^#?(listen_addresses)\s*=\s*\S+.*$/m, "$1 = '*'"));

  const programs = [DASH, SETPRIV];
  for (const dir of [PG_BIN, PG_LIB]) {
    for (const name of await readdir(join(root, dir))) {
      const file = join(root, dir, name);
      if (name.endsWith('.so') || (dir === PG_BIN && (await isElf(file)))) programs.push(join(dir, name));
    }
  }
  const libs = new Set<string>();
  for (const p of programs) for (const lib of await sharedLibraries(p)) libs.add(lib);
  for (const lib of libs) await copyInto(root, lib);

  await copyInto(root, DASH, '/bin/sh');
  await copyInto(root, SETPRIV, '/usr/bin/setpriv');
  await copyInto(root, busybox, '/bin/busybox');
  for (const applet of APPLETS) await symlink('busybox', join(root, 'bin', applet));
  await mkdir(join(root, 'usr', 'local', 'bin'), { recursive: true });
  await copyFile(
    resolve(import.meta.dirname, 'postgres-entrypoint.sh'),
    join(root, 'usr/local/bin/docker-entrypoint.sh'),
  );
  await chmod(join(root, 'usr/local/bin/docker-entrypoint.sh'), 0o755);

  const g = POSTGRES_UID;
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(
    join(root, 'etc', 'passwd'),
    `root:x:0:0:root:/root:/bin/sh\npostgres:x:${g}:${g}:PostgreSQL:/var/lib/postgresql:/bin/sh\n`,
  );
  await writeFile(join(root, 'etc', 'group'), `root:x:0:\npostgres:x:${g}:\n`);
  await writeFile(join(root, 'etc', 'nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  for (const [dir, mode, owner] of [
    ['/tmp', 0o1777, 0],
    ['/root', 0o700, 0],
    ['/docker-entrypoint-initdb.d', 0o755, 0],
    ['/var/lib/postgresql', 0o1777, g],
    ['/var/lib/postgresql/data', 0o1777, g],
    ['/var/run/postgresql', 0o3777, g],
  ] as const) {
    await mkdir(join(root, dir), { recursive: true });
    await chown(join(root, dir), owner, owner);
    await chmod(join(root, dir), mode);
  }
}

async function imageSize(docker: Docker): Promise<number | undefined> {
  try {
    return Number((await docker(['image', 'inspect', '--format', '{{.Size}}', POSTGRES_IMAGE])).trim());
  } catch {
    return undefined;
  }
}

/**
 * Builds POSTGRES_IMAGE on the engine `docker` talks to unless it is there already (then it costs
 * one `docker image inspect`). Tests that need it call it in beforeAll; the global setup does not.
 */
export async function ensurePostgresImage(docker: Docker): Promise<PostgresImageBuild> {
  const started = Date.now();
  const existing = await imageSize(docker);
  if (existing !== undefined) return { image: POSTGRES_IMAGE, built: false, seconds: 0, bytes: existing };
  if (process.getuid?.() !== 0) throw new Error('Building the PostgreSQL test image needs root (file owners).');
  const dir = await mkdtemp(join(tmpdir(), 'homeport-postgres-image-'));
  try {
    const root = join(dir, 'rootfs');
    await buildPostgresRootfs(root);
    const tar = join(dir, 'rootfs.tar');
    await run('tar', ['--numeric-owner', '-C', root, '-cf', tar, '.']);
    const changes = [
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["postgres"]',
      `ENV PATH=${PATH}`,
      `ENV PG_MAJOR=${POSTGRES_MAJOR}`,
      'ENV LANG=C.UTF-8',
      'ENV PGDATA=/var/lib/postgresql/data',
      'VOLUME /var/lib/postgresql/data',
      'EXPOSE 5432/tcp',
      'LABEL dev.homeport.test-image=postgres',
    ];
    await docker(['import', ...changes.flatMap((c) => ['--change', c]), tar, POSTGRES_IMAGE]);
    const bytes = (await imageSize(docker)) ?? 0;
    return { image: POSTGRES_IMAGE, built: true, seconds: (Date.now() - started) / 1000, bytes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
