import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Finds Homeport's own package.json above this file, whether run from source or a bundle. */
function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'homeport' && pkg.version) return pkg.version;
    } catch {
      // No package.json at this level; keep climbing.
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export const HOMEPORT_VERSION = readVersion();
