/**
 * The behaviour every backup destination promises (electron/core/backup/destination.ts), as tests
 * each destination's own test file runs against its real server.
 */
import { expect, it } from 'vitest';
import { HomeportError } from '../../../errors';
import type { BackupDestination } from '../../destination';
import { digest, randomStream, watchRss, type Relay } from './streams';

export interface ContractSetup {
  /** The destination under test (opened once per test). */
  open(): Promise<BackupDestination>;
  /** A relay the destination's connection goes through, for the cut-connection fault. */
  relay?: () => Relay;
  /** A fresh folder per test, so tests do not see each other's files. */
  folder(): string;
  /** How much the 64 MB test may grow this process's memory. */
  maxRssGrowthBytes: number;
}

const MiB = 1024 * 1024;

async function expectNothingAt(dest: BackupDestination, dir: string, name: string): Promise<void> {
  const entries = await dest.list(dir);
  expect(entries.map((e) => e.name)).not.toContain(name);
  // Nor anything else that looks like a file: a leftover temporary is never listed.
  expect(entries.filter((e) => e.kind === 'file')).toEqual([]);
  await expect(dest.read(`${dir}/${name}`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
}

export function destinationContract(setup: ContractSetup, log: (line: string) => void = console.info): void {
  it('writes, reads back, lists and removes files, byte for byte', async () => {
    const dest = await setup.open();
    try {
      const dir = setup.folder();
      const small = randomStream(1000);
      const big = randomStream(3 * MiB + 17);
      expect(await dest.write(`${dir}/db/dump.pgc`, big)).toEqual({ bytes: 3 * MiB + 17 });
      expect(await dest.write(`${dir}/manifest.json`, small)).toEqual({ bytes: 1000 });
      const empty = randomStream(0);
      expect(await dest.write(`${dir}/empty`, empty)).toEqual({ bytes: 0 });

      expect(await digest(await dest.read(`${dir}/db/dump.pgc`))).toEqual({
        sha256: big.sha256(),
        bytes: 3 * MiB + 17,
      });
      expect(await digest(await dest.read(`${dir}/manifest.json`))).toEqual({ sha256: small.sha256(), bytes: 1000 });
      expect((await digest(await dest.read(`${dir}/empty`))).bytes).toBe(0);

      expect(await dest.list(dir)).toEqual([
        { name: 'db', kind: 'dir' },
        { name: 'empty', kind: 'file', bytes: 0 },
        { name: 'manifest.json', kind: 'file', bytes: 1000 },
      ]);
      expect(await dest.list(`${dir}/db`)).toEqual([{ name: 'dump.pgc', kind: 'file', bytes: 3 * MiB + 17 }]);
      expect((await dest.list('')).map((e) => e.name)).toContain(dir.split('/')[0]);
      expect(await dest.list(`${dir}/absent`)).toEqual([]);

      // A second write replaces the file whole.
      const again = randomStream(2000);
      await dest.write(`${dir}/manifest.json`, again);
      expect(await digest(await dest.read(`${dir}/manifest.json`))).toEqual({ sha256: again.sha256(), bytes: 2000 });

      await dest.remove(`${dir}/manifest.json`);
      expect((await dest.list(dir)).map((e) => e.name)).toEqual(['db', 'empty']);
      await dest.remove(dir);
      expect(await dest.list(dir)).toEqual([]);
      await dest.remove(dir); // absent is fine
    } finally {
      await dest.close();
    }
  });

  it('refuses paths that leave the destination', async () => {
    const dest = await setup.open();
    try {
      await expect(dest.write('../escape', randomStream(10))).rejects.toThrow(/contains '\.\.'/);
      await expect(dest.write('/etc/passwd', randomStream(10))).rejects.toThrow(/is absolute/);
      await expect(dest.read('a/../../b')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(dest.remove('')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    } finally {
      await dest.close();
    }
  });

  it('says NOT_FOUND, naming the file and the destination, for a missing file', async () => {
    const dest = await setup.open();
    try {
      const path = `${setup.folder()}/missing.json`;
      const err = await dest.read(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HomeportError);
      expect(err).toMatchObject({ code: 'NOT_FOUND' });
      expect((err as Error).message).toContain(path);
      expect((err as Error).message).toContain(dest.label);
    } finally {
      await dest.close();
    }
  });

  it('streams 64 MB in and out with bounded memory', async () => {
    const dest = await setup.open();
    try {
      const dir = setup.folder();
      const source = randomStream(64 * MiB);
      const rss = watchRss();
      let started = Date.now();
      expect(await dest.write(`${dir}/big.bin`, source)).toEqual({ bytes: 64 * MiB });
      const writeMs = Date.now() - started;
      started = Date.now();
      const back = await digest(await dest.read(`${dir}/big.bin`));
      const readMs = Date.now() - started;
      const { peakGrowthBytes } = rss.stop();
      expect(back).toEqual({ sha256: source.sha256(), bytes: 64 * MiB });
      log(
        `${dest.label}: 64 MiB written in ${writeMs} ms (${((64 * 1000) / writeMs).toFixed(1)} MiB/s), ` +
          `read in ${readMs} ms (${((64 * 1000) / readMs).toFixed(1)} MiB/s); peak RSS growth ${(peakGrowthBytes / MiB).toFixed(1)} MiB`,
      );
      expect(peakGrowthBytes).toBeLessThan(setup.maxRssGrowthBytes);
      await dest.remove(dir);
    } finally {
      await dest.close();
    }
  }, 120_000);

  it('leaves nothing at the path when the source fails mid-write', async () => {
    const dest = await setup.open();
    try {
      const dir = setup.folder();
      const err = await dest
        .write(`${dir}/dump.pgc`, randomStream(20 * MiB, { failAfter: 9 * MiB }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HomeportError);
      expect((err as Error).message).toMatch(
        /writing .*dump\.pgc failed \(the source broke off\); nothing was written/,
      );
      await expectNothingAt(dest, dir, 'dump.pgc');
    } finally {
      await dest.close();
    }
  });

  it('leaves nothing at the path when the write is cancelled mid-way', async () => {
    const dest = await setup.open();
    try {
      const dir = setup.folder();
      const abort = new AbortController();
      const source = randomStream(40 * MiB, {
        onProduced: (produced) => {
          if (produced >= 10 * MiB && !abort.signal.aborted) abort.abort();
        },
      });
      const err = await dest.write(`${dir}/dump.pgc`, source, { signal: abort.signal }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HomeportError);
      expect((err as Error).message).toMatch(/writing .*dump\.pgc was cancelled; nothing was written/);
      expect(source.produced()).toBeLessThan(40 * MiB);
      await expectNothingAt(dest, dir, 'dump.pgc');
    } finally {
      await dest.close();
    }
  });

  const relayOf = setup.relay;
  if (!relayOf) return;
  it('leaves nothing at the path when the connection is cut mid-upload', async () => {
    const relay = relayOf();
    const dest = await setup.open();
    const dir = setup.folder();
    try {
      const cut = relay.cutAfter(12 * MiB);
      const err = await dest.write(`${dir}/dump.pgc`, randomStream(40 * MiB)).catch((e: unknown) => e);
      await cut;
      expect(err).toBeInstanceOf(HomeportError);
      expect((err as Error).message).toMatch(/writing .*dump\.pgc failed \(.+\); nothing was written/);
    } finally {
      await dest.close().catch(() => undefined);
    }
    const after = await setup.open();
    try {
      await expectNothingAt(after, dir, 'dump.pgc');
    } finally {
      await after.close();
    }
  }, 60_000);
}
