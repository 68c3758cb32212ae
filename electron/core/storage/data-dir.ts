import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

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

/** Creates the data directory readable by its owner only. */
export function ensureDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
