import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import {
  APP_URL,
  claimSingleInstance,
  denyAllPermissions,
  opensExternally,
  rendererUrl,
  type WindowLike,
} from './shell-policy';

const root = join(import.meta.dirname, '..', '..');

describe('which page the desktop window loads', () => {
  it('ignores ELECTRON_RENDERER_URL in a packaged app', () => {
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173/' };
    expect(rendererUrl({ isPackaged: true, env })).toBe(APP_URL);
    expect(rendererUrl({ isPackaged: true, env: { ELECTRON_RENDERER_URL: 'https://evil.example/' } })).toBe(APP_URL);
  });

  it('takes the dev server in development, and only on loopback', () => {
    expect(rendererUrl({ isPackaged: false, env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' } })).toBe(
      'http://localhost:5173/',
    );
    expect(rendererUrl({ isPackaged: false, env: { ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173' } })).toBe(
      'http://127.0.0.1:5173',
    );
    expect(rendererUrl({ isPackaged: false, env: { ELECTRON_RENDERER_URL: 'https://evil.example/' } })).toBe(APP_URL);
    expect(rendererUrl({ isPackaged: false, env: { ELECTRON_RENDERER_URL: 'file:///tmp/x.html' } })).toBe(APP_URL);
    expect(rendererUrl({ isPackaged: false, env: {} })).toBe(APP_URL);
  });
});

describe('permissions', () => {
  it('are refused when requested and when merely checked', () => {
    let request: ((wc: unknown, p: string, cb: (granted: boolean) => void) => void) | undefined;
    let check: ((wc: unknown, p: string) => boolean) | undefined;
    denyAllPermissions({
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
    });
    for (const permission of ['media', 'notifications', 'clipboard-read', 'hid', 'geolocation']) {
      const callback = vi.fn();
      request?.({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(check?.({}, permission)).toBe(false);
    }
  });
});

describe('one desktop app at a time', () => {
  const fakeApp = (gotLock: boolean) => {
    const listeners: (() => void)[] = [];
    return {
      quit: vi.fn(),
      requestSingleInstanceLock: () => gotLock,
      on: (_event: 'second-instance', listener: () => void) => listeners.push(listener),
      launchAgain: () => listeners.forEach((l) => l()),
    };
  };
  const fakeWindow = (minimized: boolean) => {
    const calls: string[] = [];
    const win: WindowLike = {
      isMinimized: () => minimized,
      restore: () => void calls.push('restore'),
      show: () => void calls.push('show'),
      focus: () => void calls.push('focus'),
    };
    return { win, calls };
  };

  it('quits the second instance', () => {
    const app = fakeApp(false);
    expect(claimSingleInstance(app, () => [])).toBe(false);
    expect(app.quit).toHaveBeenCalled();
  });

  it('brings the first instance to the front when launched again', () => {
    const app = fakeApp(true);
    const { win, calls } = fakeWindow(true);
    expect(claimSingleInstance(app, () => [win])).toBe(true);
    expect(app.quit).not.toHaveBeenCalled();
    app.launchAgain();
    expect(calls).toEqual(['restore', 'show', 'focus']);
  });

  it('is what the shell does at start', () => {
    // The wiring itself runs only inside Electron; this checks index.ts goes through the policy.
    const main = readFileSync(join(import.meta.dirname, 'index.ts'), 'utf8');
    expect(main).toMatch(/if \(claimSingleInstance\(app, /);
    expect(main).toContain('denyAllPermissions(session.defaultSession)');
    expect(main).toContain('rendererUrl({ isPackaged: app.isPackaged, env: process.env })');
    expect(main).not.toMatch(/process\.env\.ELECTRON_RENDERER_URL/);
  });
});

describe('packaging', () => {
  it('flips the Electron fuses, in a configuration electron-builder 26 accepts', async () => {
    const config = parse(readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8')) as {
      electronFuses?: Record<string, boolean>;
    };
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    // electron-builder's own check of its configuration, as `npm run dist` runs it first.
    const { validateConfiguration } = createRequire(import.meta.url)('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: unknown, debug: { isEnabled: boolean; add(): void }): Promise<void>;
    };
    const debug = { isEnabled: false, add: () => {} };
    await expect(validateConfiguration(config, debug)).resolves.toBeUndefined();
    const misspelt = { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } };
    await expect(validateConfiguration(misspelt, debug)).rejects.toThrow(/electronFuses/);
  }, 60_000);
});

describe("links opened in the user's browser", () => {
  it('are documentation over https and port-forward addresses on 127.0.0.1', () => {
    expect(opensExternally('https://github.com/homeport/homeport#readme')).toBe(true);
    expect(opensExternally('http://127.0.0.1:41234')).toBe(true);
    expect(opensExternally('http://127.0.0.1:41234/greeting.txt?x=1')).toBe(true);
  });

  it('are nothing else', () => {
    for (const url of [
      'http://example.com/',
      'http://localhost:41234/',
      'http://127.0.0.1/',
      'http://127.0.0.1.evil.example:80/',
      'http://user:pass@127.0.0.1:41234/',
      'https://user@example.com/',
      'file:///etc/passwd',
      'ms-settings:display',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(opensExternally(url), url).toBe(false);
    }
  });
});
