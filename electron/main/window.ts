import { app, BrowserWindow, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { isOwnOrigin } from '../transport/ipc';
import { opensExternally } from './shell-policy';

/** Secure defaults for the one app window; guards apply to every web contents ever created. */
export function createMainWindow(appUrl: string, preloadPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Homeport',
    show: false,
    icon: join(app.getAppPath(), 'resources', 'icon.png'),
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(appUrl);
  return win;
}

export function guardWebContents(contents: WebContents, appUrl: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isOwnOrigin(url, appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOwnOrigin(url, appUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Documentation and port-forward addresses open in the user's browser; nothing opens in-app.
    if (opensExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}
