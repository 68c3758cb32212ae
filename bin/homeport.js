#!/usr/bin/env node
// The homeport command: runs the CLI that `npm run build` puts in out/main/cli.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('homeport: the CLI is not built yet. Run `npm run build` in the Homeport folder first.');
  process.exit(1);
}
await import(cli);
