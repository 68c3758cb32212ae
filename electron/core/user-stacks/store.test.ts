import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HomeportError } from '../errors';
import { createUserStackStore, type UserStackStore } from './store';
import { webCompose, webInput } from './testing/compose-files';

let dir: string;
let store: UserStackStore;
let clock = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-user-stacks-'));
  store = createUserStackStore({
    dataDir: dir,
    reserved: () => ['revenge'],
    now: () => new Date(Date.UTC(2026, 0, 1) + clock++ * 1000),
  });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as HomeportError,
  );

describe('user stack store', () => {
  it('saves each save as the next version, one 0600 file per version, and lists the newest', async () => {
    const v1 = await store.save(webInput());
    expect(v1).toMatchObject({ name: 'photos', version: 1, title: 'Photos', mapping: webInput().mapping });
    const v2 = await store.save({ ...webInput('busybox:1.37'), title: 'Photos 2' });
    expect(v2.version).toBe(2);
    expect((await readdir(join(dir, 'user-stacks', 'photos'))).sort()).toEqual(['v1.json', 'v2.json']);
    expect((await stat(join(dir, 'user-stacks', 'photos', 'v2.json'))).mode & 0o777).toBe(0o600);
    expect(await store.list()).toEqual([v2]);
    expect(await store.get('photos', 1)).toEqual(v1);
    expect(await store.get('photos')).toEqual(v2);
    expect(store.readAllSync().documents.map((d) => `${d.name}@${d.version}`)).toEqual(['photos@1', 'photos@2']);
    // The compose file is kept as given.
    expect(v2.compose).toBe(webCompose('busybox:1.37'));
  });

  it("refuses a catalog stack's name and bad input, naming the field", async () => {
    const reserved = await errorOf(store.save({ ...webInput(), name: 'revenge' }));
    expect(reserved?.code).toBe('CONFLICT');
    expect(reserved?.message).toContain("'name'");
    const badName = await errorOf(store.save({ ...webInput(), name: 'My Photos' }));
    expect(badName?.code).toBe('INVALID_INPUT');
    expect(badName?.message).toMatch(/^User stack 'name': .*upper-case/);
    const badMapping = await errorOf(
      store.save({
        ...webInput(),
        mapping: { volumes: { media: { kind: 'nas', host: '', export: 'x' } }, secrets: {} },
      }),
    );
    expect(badMapping?.message).toMatch(/^User stack 'mapping\.volumes\.media\.host': /);
    const noTitle = await errorOf(store.save({ ...webInput(), title: '  ' }));
    expect(noTitle?.message).toMatch(/^User stack 'title': is empty/);
    expect(await store.list()).toEqual([]);
  });

  it('answers NOT_FOUND for a missing stack or version, and removes every version', async () => {
    await store.save(webInput());
    expect((await errorOf(store.get('photos', 3)))?.message).toBe(
      "User stack 'photos' has no version 3; its versions are 1",
    );
    expect((await errorOf(store.get('films')))?.code).toBe('NOT_FOUND');
    await store.remove('photos');
    expect(await store.list()).toEqual([]);
    expect((await errorOf(store.remove('photos')))?.code).toBe('NOT_FOUND');
    // A new stack of the same name starts again at version 1.
    expect((await store.save(webInput())).version).toBe(1);
  });

  it('names the file that cannot be read', async () => {
    await store.save(webInput());
    await writeFile(join(dir, 'user-stacks', 'photos', 'v2.json'), '{"name":"photos"}');
    expect((await errorOf(store.get('photos')))?.message).toMatch(/^User stack file photos\/v2\.json '.*': required/);
    const { documents, problems } = store.readAllSync();
    expect(documents.map((d) => d.version)).toEqual([1]);
    expect(problems).toEqual([expect.stringMatching(/^User stack file photos\/v2\.json/)]);
  });
});
