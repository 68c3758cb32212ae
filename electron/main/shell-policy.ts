/**
 * The desktop shell's security decisions, in plain Node so they are unit-tested: index.ts hands
 * Electron's objects to these functions. The interfaces name only the Electron methods used.
 */

export const APP_URL = 'app://homeport/index.html';

/**
 * The page the window loads: the packaged renderer over app://, or, in development only, the
 * electron-vite dev server named by ELECTRON_RENDERER_URL. A packaged app ignores the variable:
 * otherwise anyone able to set the environment could point the window, its preload bridge and
 * every credential behind it at a page of their choosing. Even in development only a loopback
 * http(s) URL is taken.
 */
export function rendererUrl(opts: { isPackaged: boolean; env: NodeJS.ProcessEnv }): string {
  const dev = opts.env.ELECTRON_RENDERER_URL;
  if (opts.isPackaged || !dev) return APP_URL;
  try {
    const url = new URL(dev);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && loopback) return dev;
  } catch {
    // Not a URL: fall through to the packaged renderer.
  }
  return APP_URL;
}

/**
 * Whether a link the renderer opens in a new window goes to the user's browser: documentation
 * over https, and a port-forward's local address (`http://127.0.0.1:PORT/...`, where forwards
 * listen). Nothing else: no other http host, no credentials in the URL, no other scheme (file:,
 * a custom protocol handler).
 */
export function opensExternally(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && url.hostname === '127.0.0.1' && url.port !== '';
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

/**
 * Denies every permission (camera, notifications, clipboard, HID, ...) both when a page asks for
 * one and when Chromium only checks whether it has one: Homeport's renderer needs none.
 */
export function denyAllPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export interface WindowLike {
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

export interface AppLike {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: () => void): unknown;
}

/**
 * One desktop app per user: a second launch hands over to the first (which comes to the front)
 * and quits, so two main processes never serve one data directory's window at once. Returns
 * false in the instance that must quit.
 */
export function claimSingleInstance(app: AppLike, windows: () => WindowLike[]): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const win = windows()[0];
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  return true;
}
