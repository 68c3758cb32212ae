import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '@shared/contract';
import { composeLibrary } from '../core/user-stacks/testing/compose-library';
import { webCompose, webInput } from '../core/user-stacks/testing/compose-files';
import { builtinStacks } from '../core/stacks/catalog';
import { createServices } from '../services';
import { createDispatch } from './dispatch';
import { createHandlers } from './handlers';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-user-stack-api-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function api(compose = composeLibrary) {
  const services = createServices({ dataDir: join(dir, 'data'), mode: 'web', env: { HOME: dir }, home: dir, compose });
  return { services, dispatch: createDispatch(createHandlers(services)) };
}

const value = <T>(e: Envelope<T>): T => {
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`);
  return e.value;
};

describe('user stack channels', () => {
  it('analyzes, saves and lists a compose file; the stack picker and deploy channels see it at once', async () => {
    const { services, dispatch } = api();
    try {
      const analysis = value(await dispatch('stacks:import-analyze', { compose: webCompose() }));
      expect(analysis).toMatchObject({ ok: true, services: [{ name: 'web', image: 'busybox:1.36' }], unsupported: [] });
      const saved = value(await dispatch('stacks:user-save', webInput()));
      expect(saved).toMatchObject({ name: 'photos', version: 1 });
      expect(value(await dispatch('stacks:user-list', {}))).toEqual({ stacks: [saved] });
      const listed = value(await dispatch('stacks:list', {})) as { stacks: { name: string; origin: string }[] };
      expect(listed.stacks.find((s) => s.name === 'photos')).toMatchObject({ origin: 'user', version: 1 });
      expect(listed.stacks.find((s) => s.name === 'revenge')).toMatchObject({ origin: 'catalog' });
      expect(
        value(await dispatch('stacks:validate', { stack: 'photos', values: { services: { web: { replicas: -1 } } } })),
      ).toMatchObject({
        issues: [{ path: 'services.web.replicas' }],
      });
      // Nowhere deployed: no cluster or endpoint is known here, and none is reported unreachable.
      expect(value(await dispatch('stacks:deployments', {}))).toEqual({
        stacks: [...builtinStacks.map((b) => ({ stack: b.name, targets: [] })), { stack: 'photos', targets: [] }],
        unreachable: [],
      });
      value(await dispatch('stacks:user-remove', { name: 'photos' }));
      expect(services.stacks.has('photos')).toBe(false);
    } finally {
      services.close();
    }
  });

  it('refuses a file with errors, a catalog name, and bad input, each naming what is wrong', async () => {
    const { services, dispatch } = api();
    try {
      const broken = await dispatch('stacks:user-save', {
        ...webInput(),
        compose: 'services:\n  web:\n    build: .\n',
      });
      expect(broken).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(!broken.ok && broken.error.message).toContain("service 'web' has no image");
      const taken = await dispatch('stacks:user-save', { ...webInput(), name: 'revenge' });
      expect(taken).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      const bad = await dispatch('stacks:user-save', {
        ...webInput(),
        mapping: { volumes: { media: { kind: 'disk' } } },
      });
      expect(!bad.ok && bad.error.message).toContain('Kind (mapping › volumes › media): ');
      expect(value(await dispatch('stacks:user-list', {}))).toEqual({ stacks: [] });
    } finally {
      services.close();
    }
  });

  it('reads compose files with the compose library by default, naming what it cannot express', async () => {
    const bare = createServices({ dataDir: join(dir, 'data'), mode: 'web', env: { HOME: dir }, home: dir });
    try {
      const compose = 'services:\n  web:\n    image: busybox:1.36\n    build: .\n';
      const result = await createDispatch(createHandlers(bare))('stacks:import-analyze', { compose });
      expect(value(result)).toMatchObject({
        ok: true,
        services: [{ name: 'web', image: 'busybox:1.36' }],
        unsupported: [{ path: 'services.web.build', line: 4 }],
      });
    } finally {
      bare.close();
    }
  });
});
