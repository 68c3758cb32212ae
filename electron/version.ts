import { createRequire } from 'node:module';

const requireJson = createRequire(import.meta.url);

function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return (requireJson(candidate) as { version: string }).version;
    } catch {
      // Built and source layouts sit at different depths below package.json.
    }
  }
  return '0.0.0';
}

export const HOMEPORT_VERSION = readVersion();
