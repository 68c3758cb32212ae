import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, parse, resolve } from 'node:path';
import { HomeportError } from '../errors';

export interface DataDirOptions {
  flag?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** --data-dir, else HOMEPORT_DATA_DIR, else the platform's per-user config directory. */
export function resolveDataDir(opts: DataDirOptions = {}): string {
  const env = opts.env ?? process.env;
  if (opts.flag) return resolve(opts.flag);
  if (env.HOMEPORT_DATA_DIR) return resolve(env.HOMEPORT_DATA_DIR);
  const home = opts.home ?? homedir();
  switch (opts.platform ?? process.platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Homeport');
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Homeport');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'homeport');
  }
}

/**
 * Creates the data directory readable by its owner only, and tightens one that exists with looser
 * permissions (a 0777 directory would let any local user swap the files holding credentials).
 * A shared directory (the file system root, or one with the sticky bit, like /tmp) is refused:
 * tightening it would break the system, and leaving it open would expose the data.
 */
export function ensureDataDir(dir: string, platform: NodeJS.Platform = process.platform): string {
  const shared = (why: string) =>
    new HomeportError(
      'INVALID_INPUT',
      `The data directory ${dir} ${why}; give Homeport a directory of its own (--data-dir or HOMEPORT_DATA_DIR)`,
    );
  if (parse(dir).root === dir) throw shared('is the root of the file system');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Windows has no POSIX modes; the per-user profile directory is private there.
  if (platform === 'win32') return dir;
  const info = statSync(dir);
  if (!info.isDirectory()) throw shared('is not a directory');
  if (info.mode & 0o1000) throw shared('is shared (it has the sticky bit, like /tmp)');
  if ((info.mode & 0o077) !== 0) {
    try {
      chmodSync(dir, 0o700);
    } catch (err) {
      throw new HomeportError(
        'FORBIDDEN',
        `The data directory ${dir} is open to other users (mode ${(info.mode & 0o777).toString(8)}) and Homeport cannot make it private (${(err as NodeJS.ErrnoException).code}); run chmod 700 on it as its owner`,
      );
    }
  }
  return dir;
}
