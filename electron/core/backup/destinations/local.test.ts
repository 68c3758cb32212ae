import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDestination } from './local';
import { destinationContract } from './testing/contract';
import { randomStream } from './testing/streams';

let base: string;
let n = 0;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'homeport-dest-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('local folder destination', () => {
  destinationContract({
    open: async () => createLocalDestination(join(base, 'backups')),
    folder: () => `run-${++n}`,
    maxRssGrowthBytes: 40 * 1024 * 1024,
  });

  it('creates folders 0700 and files 0600, and leaves no temporary behind', async () => {
    const root = join(base, 'modes', 'root');
    const dest = createLocalDestination(root);
    await dest.write('a/b/file.bin', randomStream(5000));
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'a'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'a', 'b'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'a', 'b', 'file.bin'))).mode & 0o777).toBe(0o600);
    expect(await readdir(join(root, 'a', 'b'))).toEqual(['file.bin']);
  });

  it('keeps the temporary hidden until the rename, then removes it on failure', async () => {
    const root = join(base, 'temp');
    const dest = createLocalDestination(root);
    let during: Promise<string[]> | undefined;
    const source = randomStream(8 * 1024 * 1024, {
      failAfter: 4 * 1024 * 1024,
      onProduced: (produced) => {
        if (produced === 2 * 1024 * 1024) during = readdir(join(root, 'x'));
      },
    });
    await expect(dest.write('x/f.bin', source)).rejects.toThrow(/nothing was written at x\/f\.bin/);
    const names = await during;
    expect(names).toHaveLength(1);
    expect(names?.[0]).toMatch(/^\.homeport-partial-[0-9a-f]{12}-f\.bin$/);
    expect(await readdir(join(root, 'x'))).toEqual([]);
  });
});
