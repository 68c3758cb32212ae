import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Handlers } from '@shared/contract';
import { createDispatch } from '../api/dispatch';
import { createSecretStore } from '../core/secrets/secret-store';
import { createMetricsSettings } from '../core/metrics/settings';

const tmp = () => mkdtempSync(join(tmpdir(), 'homeport-metrics-settings-'));

describe('metrics settings keyed by context name', () => {
  it("answers the defaults for contexts named like Object's own properties, through the contract", async () => {
    const dataDir = tmp();
    const settings = createMetricsSettings({ dataDir, secrets: createSecretStore({ dataDir }) });
    await settings.set('home', { url: 'https://prometheus.lan', auth: 'none' });
    // The same channel the app calls, with the contract's output parsing.
    const handlers = { 'metrics:getSettings': ({ context }: { context: string }) => settings.get(context) };
    const dispatch = createDispatch(handlers as unknown as Handlers);
    for (const context of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(await dispatch('metrics:getSettings', { context })).toEqual({
        ok: true,
        value: { auth: 'none', hasSecret: false },
      });
      expect(await settings.resolve(context)).toBeUndefined();
    }
  });

  it("stores and reads back a context named '__proto__' without touching the others", async () => {
    const dataDir = tmp();
    const secrets = createSecretStore({ dataDir });
    const settings = createMetricsSettings({ dataDir, secrets });
    await settings.set('home', { url: 'https://a.lan', auth: 'none' });
    await settings.set('__proto__', { url: 'https://b.lan', auth: 'bearer', secret: 't0ken' });
    await settings.set('constructor', { url: 'https://c.lan', auth: 'none' });
    const reread = createMetricsSettings({ dataDir, secrets });
    expect(await reread.get('__proto__')).toEqual({ url: 'https://b.lan', auth: 'bearer', hasSecret: true });
    expect(await reread.resolve('__proto__')).toEqual({
      url: 'https://b.lan',
      auth: { kind: 'bearer', token: 't0ken' },
    });
    expect(await reread.get('home')).toEqual({ url: 'https://a.lan', auth: 'none', hasSecret: false });
    expect(await reread.get('constructor')).toEqual({ url: 'https://c.lan', auth: 'none', hasSecret: false });
    await reread.clear('__proto__');
    expect(await reread.get('__proto__')).toEqual({ auth: 'none', hasSecret: false });
    expect(Object.keys(JSON.parse(readFileSync(join(dataDir, 'metrics-settings.json'), 'utf8')).contexts)).toEqual([
      'home',
      'constructor',
    ]);
  });
});
