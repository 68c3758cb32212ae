#!/usr/bin/env node
// `npm start`: the desktop app (electron-vite preview), once Electron's binary is known to be there.
// Without it (installed with ELECTRON_SKIP_BINARY_DOWNLOAD, or offline) electron would try to
// download it or fail with a stack trace; this says what to do in one line instead.
// `node bin/start.js --check` only checks.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const MISSING =
  "Electron's binary is not installed: run `npm rebuild electron` with network access, or use `npm run serve` for web mode";

/** Where Electron's binary is, as the electron package finds it; undefined when it is not there. */
function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const pathFile = join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? join(override, relative || 'electron') : relative && join(dir, 'dist', relative);
  return binary && existsSync(binary) ? binary : undefined;
}

const args = process.argv.slice(2);
const binary = electronBinary();
if (!binary) {
  console.error(MISSING);
  process.exit(1);
}
if (args[0] === '--check') {
  console.log(`Electron's binary: ${binary}`);
  process.exit(0);
}
const child = spawn(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'preview', ...args], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
