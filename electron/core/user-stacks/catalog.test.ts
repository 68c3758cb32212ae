import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import type { HomeportError } from '../errors';
import { createUserStacks } from './service';
import { createUserStackStore } from './store';
import { composeLibrary } from './testing/compose-library';
import { webInput } from './testing/compose-files';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-user-catalog-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function setup() {
  const catalog = createStackCatalog(builtinStacks, { define: composeLibrary.userStackDefinition });
  const store = createUserStackStore({ dataDir: dir, reserved: () => builtinStacks.map((s) => s.name) });
  const userStacks = createUserStacks({ store, catalog, compose: composeLibrary });
  userStacks.refresh();
  return { catalog, userStacks };
}

const resolved = { volumes: { media: { server: '192.168.1.20', path: '/srv/media' } } };
const imagesOf = (objects: { kind: string; spec?: unknown }[]) =>
  objects
    .filter((o) => o.kind === 'Deployment')
    .map(
      (o) => (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image,
    );

describe('user stacks in the catalog', () => {
  it('lists a saved user stack next to the catalog stacks, with its version and needs', async () => {
    const { catalog, userStacks } = setup();
    expect(catalog.has('photos')).toBe(false);
    await userStacks.save(webInput());
    expect(catalog.has('photos')).toBe(true);
    const info = catalog.list().find((s) => s.name === 'photos');
    expect(info).toMatchObject({
      origin: 'user',
      version: 1,
      title: 'Photos',
      description: 'A web server for my photos',
      needs: { nasExport: 'required', s3Profile: 'no' },
    });
    expect(catalog.list().find((s) => s.name === 'revenge')).toMatchObject({ origin: 'catalog' });
    expect(catalog.list().find((s) => s.name === 'revenge')?.version).toBeUndefined();
    // Another process on the same data directory (the CLI) sees it from the start.
    expect(setup().catalog.has('photos')).toBe(true);
  });

  it('validates with the newest version unless the values name one, and renders with the version named', async () => {
    const { catalog, userStacks } = setup();
    await userStacks.save(webInput('busybox:1.36'));
    await userStacks.save(webInput('busybox:1.37'));
    const checked = catalog.validate('photos', resolved);
    expect(checked).toMatchObject({ ok: true, values: { stackVersion: 2, services: { web: { replicas: 1 } } } });
    const latest = catalog.renderKubernetes('photos', resolved, { namespace: 'pics' });
    expect(imagesOf(latest.objects)).toEqual(['busybox:1.37']);
    // A revision recorded with version 1 renders as version 1 (a rollback).
    const old = catalog.renderKubernetes('photos', { ...resolved, stackVersion: 1 }, { namespace: 'pics' });
    expect(imagesOf(old.objects)).toEqual(['busybox:1.36']);
    const swarm = catalog.renderSwarm('photos', { ...resolved, stackVersion: 1 }, { stack: 'pics' });
    expect(swarm.services.map((s) => s.TaskTemplate.ContainerSpec.Image)).toEqual(['busybox:1.36']);
    expect(catalog.validate('photos', { stackVersion: 7 })).toEqual({
      ok: false,
      issues: [{ path: 'stackVersion', message: "user stack 'photos' has no version 7; its versions are 1, 2" }],
    });
    expect(catalog.validate('photos', { services: { web: { replicas: 'two' } } })).toMatchObject({
      ok: false,
      issues: [{ path: 'services.web.replicas' }],
    });
    expect(catalog.userStackVersions('photos')).toEqual([1, 2]);
  });

  it('forgets a removed user stack, and refuses what cannot be saved', async () => {
    const { catalog, userStacks } = setup();
    await userStacks.save(webInput());
    await userStacks.remove('photos');
    expect(catalog.has('photos')).toBe(false);
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as HomeportError,
      );

    const built = await fail(userStacks.save({ ...webInput(), compose: 'services:\n  web:\n    build: .\n' }));
    expect(built?.code).toBe('INVALID_INPUT');
    expect(built?.message).toContain("service 'web' has no image");
    const broken = await fail(userStacks.save({ ...webInput(), compose: 'services:\n  web: [\n' }));
    expect(broken?.message).toMatch(/\(line \d+\)/);
    const unmapped = await fail(userStacks.save({ ...webInput(), mapping: { volumes: {}, secrets: {} } }));
    expect(unmapped?.message).toContain("'mapping.volumes.media': map the volume");
    const reserved = await fail(userStacks.save({ ...webInput(), name: 'revenge' }));
    expect(reserved?.code).toBe('CONFLICT');
    expect(catalog.list().map((s) => s.name)).toEqual(builtinStacks.map((s) => s.name));
  });
});
