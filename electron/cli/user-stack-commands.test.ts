import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeLibrary } from '../core/user-stacks/testing/compose-library';
import { webCompose } from '../core/user-stacks/testing/compose-files';
import { createServices } from '../services';
import { parseSecretMapping, parseVolumeMapping, runStacks } from './user-stack-commands';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-stacks-cli-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), secrets: { env: {} } as never },
  };
}
const open = (dataDir: string) =>
  createServices({ dataDir, mode: 'desktop', env: { HOME: dir }, home: dir, compose: composeLibrary });
const stacks = (argv: string[], t = io()) => runStacks([...argv, '--data-dir', join(dir, 'data')], t.io, open);

describe('homeport stacks', () => {
  it('import prints what was understood and the keys left out, and saves with the volume mapped', async () => {
    const file = join(dir, 'docker-compose.yml');
    await writeFile(
      file,
      `${webCompose()}  # end\n`.replace('    image: busybox:1.36\n', '    image: busybox:1.36\n    build: ./web\n'),
    );
    const look = io();
    expect(await stacks(['import', file], look)).toBe(0);
    expect(look.out).toContain('Understood 1 service(s):');
    expect(look.out.join('\n')).toContain('web  busybox:1.36  replicas 1  ports 8080->80  volumes media:/srv/media');
    expect(look.out.join('\n')).toContain("  services.web.build (line 4): 'build' is not supported");
    expect(look.out.at(-1)).toMatch(/^Not saved: give --name NAME/);

    const save = io();
    const code = await stacks(
      ['import', file, '--name', 'photos', '--title', 'Photos', '--map-volume', 'media=nas:box/media'],
      save,
    );
    expect(save.err).toEqual([]);
    expect(code).toBe(0);
    expect(save.out).toContain('Volume media -> NAS export box/media');
    expect(save.out.at(-1)).toBe("Saved user stack 'photos' version 1; deploy it with homeport deploy photos.");

    const listed = io();
    expect(await stacks(['list'], listed)).toBe(0);
    expect(listed.out).toContain('photos  (user v1)  Photos: ');
    expect(listed.out).toContain('    needs NAS export (required)');
    expect(listed.out.some((l) => l.startsWith('revenge  (catalog)'))).toBe(true);
  });

  it('exits 1 on a broken file, naming the line, and saves nothing', async () => {
    const file = join(dir, 'broken.yml');
    await writeFile(file, 'services:\n  web: [\n');
    const t = io();
    expect(await stacks(['import', file, '--name', 'photos'], t)).toBe(1);
    expect(t.err[0]).toMatch(/^Error: \(file\) \(line \d+\): /);
    const listed = io();
    await stacks(['list'], listed);
    expect(listed.out.some((l) => l.startsWith('photos'))).toBe(false);
  });

  it('reads the mapping options, refusing what it cannot read', () => {
    expect(parseVolumeMapping('media=nas:box/media')).toEqual([
      'media',
      { kind: 'nas', host: 'box', export: 'media', readOnly: false },
    ]);
    expect(parseVolumeMapping('db=claim:local-path:5Gi')).toEqual([
      'db',
      { kind: 'claim', storageClass: 'local-path', size: '5Gi' },
    ]);
    expect(parseVolumeMapping('db=claim')).toEqual(['db', { kind: 'claim', size: '10Gi' }]);
    expect(parseVolumeMapping('m=nfs:10.0.0.2:/srv/m')).toEqual([
      'm',
      { kind: 'nfs', server: '10.0.0.2', path: '/srv/m', readOnly: false },
    ]);
    expect(() => parseVolumeMapping('media=nas:box')).toThrow(
      /--map-volume 'media=nas:box': give the NAS host and the export/,
    );
    expect(() => parseVolumeMapping('media=disk:x')).toThrow(/'disk' is not a kind of storage/);
    expect(parseSecretMapping('db=generated')).toEqual(['db', { kind: 'generated' }]);
    expect(parseSecretMapping('db=existing:pg/password')).toEqual([
      'db',
      { kind: 'existing', secret: 'pg', key: 'password' },
    ]);
    expect(() => parseSecretMapping('db=random')).toThrow(/--secret 'db=random'/);
  });
});
