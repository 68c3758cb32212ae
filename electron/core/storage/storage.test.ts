import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { writeFileAtomic, type AtomicFs } from './atomic-file';
import { ensureDataDir, resolveDataDir } from './data-dir';
import { JsonStore } from './json-store';

const tmp = () => mkdtempSync(join(tmpdir(), 'homeport-store-'));

describe('writeFileAtomic', () => {
  it('creates files readable by the owner only', async () => {
    const file = join(tmp(), 'credentials.json');
    await writeFileAtomic(file, '{"a":1}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}');
  });

  it('keeps the old content whole when the write dies part-way, and leaves no temp file', async () => {
    const dir = tmp();
    const file = join(dir, 'settings.json');
    writeFileSync(file, 'old content');
    // A disk that accepts half the data and then fails, as in a crash mid-write.
    const failing: AtomicFs = {
      ...fs,
      open: (async (...args: Parameters<typeof fs.open>) => {
        const handle = await fs.open(...args);
        return Object.assign(Object.create(handle) as fs.FileHandle, {
          writeFile: async (data: string) => {
            await handle.write(data.slice(0, 3));
            throw new Error('disk failed');
          },
          close: () => handle.close(),
        });
      }) as typeof fs.open,
    };
    await expect(writeFileAtomic(file, 'new content that never lands', failing)).rejects.toThrow('disk failed');
    expect(readFileSync(file, 'utf8')).toBe('old content');
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });
});

describe('JsonStore', () => {
  const schema = z.object({ items: z.array(z.number()) });
  it('serializes concurrent updates so none is lost', async () => {
    const store = new JsonStore(join(tmp(), 'nested', 's.json'), schema, () => ({ items: [] }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update((s) => ({ items: [...s.items, i] }))));
    expect((await store.read()).items.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('refuses to overwrite a file it cannot understand', async () => {
    const file = join(tmp(), 's.json');
    writeFileSync(file, '{ not json');
    const store = new JsonStore(file, schema, () => ({ items: [] }));
    await expect(store.update((s) => s)).rejects.toThrow(/not valid JSON. Fix or move the file aside/);
    expect(readFileSync(file, 'utf8')).toBe('{ not json');
  });
});

describe('data directory', () => {
  it('takes --data-dir, then HOMEPORT_DATA_DIR, then the platform config directory', () => {
    expect(resolveDataDir({ flag: '/flag', env: { HOMEPORT_DATA_DIR: '/env' } })).toBe('/flag');
    expect(resolveDataDir({ env: { HOMEPORT_DATA_DIR: '/env' } })).toBe('/env');
    expect(resolveDataDir({ env: {}, platform: 'linux', home: '/home/u' })).toBe('/home/u/.config/homeport');
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home: '/home/u' })).toBe(
      '/xdg/homeport',
    );
    expect(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/u' })).toBe(
      '/Users/u/Library/Application Support/Homeport',
    );
    expect(resolveDataDir({ env: { APPDATA: 'C:\\AppData' }, platform: 'win32', home: 'C:\\u' })).toMatch(
      /AppData.Homeport$/,
    );
  });

  it('is created for its owner only', () => {
    const dir = ensureDataDir(join(tmp(), 'data'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('is made private when it exists open to everyone', () => {
    const dir = join(tmp(), 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(ensureDataDir(dir)).toBe(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a shared directory instead of tightening or using it', () => {
    const shared = join(tmp(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    expect(() => ensureDataDir(shared)).toThrow(
      /is shared \(it has the sticky bit, like \/tmp\); give Homeport a directory of its own/,
    );
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(() => ensureDataDir('/')).toThrow(/root of the file system/);
  });
});
