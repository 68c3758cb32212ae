import { app, BrowserWindow, ipcMain, net, protocol, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveDataDir } from '../core/storage/data-dir';
import { createApi } from '../api/create-api';
import { startMemorySettler } from '../core/memory/memory-settler';
import { CONTENT_SECURITY_POLICY } from '../transport/csp';
import { registerIpcTransport } from '../transport/ipc';
import { createMainWindow, guardWebContents } from './window';
import { resolveRendererFile } from './app-files';
import { safeStorageCipher } from './safe-storage';
import { showDesktopNotifications } from './desktop-notifications';
import { claimSingleInstance, denyAllPermissions, rendererUrl } from './shell-policy';

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function dataDirFlag(argv: string[]): string | undefined {
  const i = argv.indexOf('--data-dir');
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);
}

async function start() {
  await app.whenReady();
  const rendererDir = join(import.meta.dirname, '..', 'renderer');
  // In development electron-vite serves the renderer; a packaged app always reads it from app://.
  const appUrl = rendererUrl({ isPackaged: app.isPackaged, env: process.env });

  protocol.handle('app', (request) => {
    const file = resolveRendererFile(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  denyAllPermissions(session.defaultSession);
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, appUrl));

  // A long-running process: memory a burst of work grew is given back once things are quiet.
  const settler = startMemorySettler();
  app.on('will-quit', () => settler.stop());
  const api = createApi(
    { dataDir: resolveDataDir({ flag: dataDirFlag(process.argv) }), mode: 'desktop', cipher: safeStorageCipher() },
    (m) => console.error(m),
  );
  registerIpcTransport({ ipcMain, dispatch: api.dispatch, subscribe: api.subscribe, appUrl });
  const stopNotifications = showDesktopNotifications(api.subscribe, (m) => console.error(m));
  app.on('will-quit', stopNotifications);

  const preload = join(import.meta.dirname, '..', 'preload', 'index.cjs');
  createMainWindow(appUrl, preload);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(appUrl, preload);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// A second launch brings the running window to the front and quits.
if (claimSingleInstance(app, () => BrowserWindow.getAllWindows())) void start();
