/**
 * A real etcd image for the test engine, tagged ETCD_IMAGE, for tests of the Goverse stack's etcd
 * cluster and its snapshots. No registry is reachable, so it is this machine's etcd (Debian's
 * etcd-server and etcd-client, 3.4) in a root filesystem imported with `docker import`, laid out
 * as the image the stack names (quay.io/coreos/etcd): etcd and etcdctl in /usr/local/bin (the
 * repository's compose file starts /usr/local/bin/etcd, xiaonanln/goverse@542b6c71:
 * docker-compose.yml:5), /var/lib/etcd for data, run as root, configured only through its
 * ETCD_* variables and flags. Like the official image it has no shell.
 *
 * 3.4 reads the same ETCD_* variables the stack sets (name, initial cluster, listen and advertise
 * URLs, data directory) and serves /health and /metrics on the client port, as 3.5 does.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyInto, sharedLibraries, type Docker } from './standin-images';

const run = promisify(execFile);

/** The tag of the real etcd image on the test engine (its repository is the stack's, so its contract applies). */
export const ETCD_IMAGE = 'quay.io/coreos/etcd:homeport-real';
const PROGRAMS = [
  ['/usr/bin/etcd', '/usr/local/bin/etcd', 'etcd-server'],
  ['/usr/bin/etcdctl', '/usr/local/bin/etcdctl', 'etcd-client'],
] as const;

async function imageSize(docker: Docker): Promise<number | undefined> {
  try {
    return Number((await docker(['image', 'inspect', '--format', '{{.Size}}', ETCD_IMAGE])).trim());
  } catch {
    return undefined;
  }
}

/** The image's root filesystem, in `root`. */
export async function buildEtcdRootfs(root: string): Promise<void> {
  for (const [from, , pkg] of PROGRAMS) {
    if (!existsSync(from)) throw new Error(`${from} is missing: apt-get install ${pkg}`);
  }
  const libs = new Set<string>();
  for (const [from, to] of PROGRAMS) {
    await copyInto(root, from, to);
    for (const lib of await sharedLibraries(from)) libs.add(lib);
  }
  for (const lib of libs) await copyInto(root, lib);
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/sbin/nologin\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\n');
  await writeFile(join(root, 'etc', 'nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  for (const [dir, mode] of [
    ['/tmp', 0o1777],
    ['/var/lib/etcd', 0o700],
  ] as const) {
    await mkdir(join(root, dir), { recursive: true });
    await chmod(join(root, dir), mode);
  }
}

/** Builds ETCD_IMAGE on the engine unless it is there already. */
export async function ensureEtcdImage(docker: Docker): Promise<{ image: string; built: boolean }> {
  if ((await imageSize(docker)) !== undefined) return { image: ETCD_IMAGE, built: false };
  const dir = await mkdtemp(join(tmpdir(), 'homeport-etcd-image-'));
  try {
    const root = join(dir, 'rootfs');
    await buildEtcdRootfs(root);
    const tar = join(dir, 'rootfs.tar');
    await run('tar', ['--numeric-owner', '-C', root, '-cf', tar, '.']);
    const changes = [
      'CMD ["/usr/local/bin/etcd"]',
      'ENV PATH=/usr/local/bin:/usr/bin:/bin',
      'EXPOSE 2379/tcp',
      'EXPOSE 2380/tcp',
      'LABEL dev.homeport.test-image=etcd',
    ];
    await docker(['import', ...changes.flatMap((c) => ['--change', c]), tar, ETCD_IMAGE]);
    return { image: ETCD_IMAGE, built: true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
