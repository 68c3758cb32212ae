/** A program's settings as it computes them, with where each came from, from what Homeport can see. */
import { describe, expect, it } from 'vitest';
import { createStackCatalog } from '../stacks/catalog';
import { clusterInternal, describeSource, programView, SECRET_MARK, withoutPlaceholders } from './program';

const contracts = createStackCatalog().contracts('revenge');
const file = (content?: string) => ({
  path: '/app/config/config.yaml',
  content,
  origin: 'Secret app-config key config.yaml',
  secret: true,
});

describe('program settings', () => {
  it('reads the environment over the config file over the defaults, and says where each came from', () => {
    const template =
      'database:\n  url: "postgres://app:{{app-secrets/db-password}}@db:5432/app"\ncache:\n  url: redis://file:6379\n';
    const view = programView(contracts, 'revenge', {
      image: 'ghcr.io/lusoris/revenge:1.0',
      env: [{ name: 'REVENGE_CACHE_URL', value: 'redis://kv:6379', literal: true }],
      args: [],
      files: [file(withoutPlaceholders(template))],
    });
    expect(view.problem).toBeUndefined();
    expect(view.settings.get('database.url')).toBe(`postgres://app:${SECRET_MARK}@db:5432/app`);
    expect(view.settings.get('cache.url')).toBe('redis://kv:6379');
    expect(describeSource(view.sourceOf('database.url'))).toBe(
      'config file /app/config/config.yaml (Secret app-config key config.yaml)',
    );
    expect(describeSource(view.sourceOf('cache.url'))).toBe('env REVENGE_CACHE_URL');
    expect(describeSource(view.sourceOf('storage.backend'))).toBe("the program's default");
    expect(view.unreadable).toEqual([]);
  });

  it('names a config file it cannot read, and a missing contract', () => {
    const unread = programView(contracts, 'revenge', {
      image: 'ghcr.io/lusoris/revenge',
      env: [],
      args: [],
      files: [file()],
    });
    expect(unread.unreadable.map((f) => f.path)).toEqual(['/app/config/config.yaml']);
    const none = programView(contracts, 'nothing', { image: 'example.test/other:1', env: [], args: [], files: [] });
    expect(none.problem).toBe('no upstream contract describes the image example.test/other:1');
  });

  it('tells addresses only the cluster resolves from ones browsers reach', () => {
    const services = new Set(['objectstore', 'web']);
    for (const host of [
      'objectstore',
      'objectstore.media',
      'objectstore.media.svc',
      's3.media.svc.cluster.local',
      'localhost',
    ])
      expect(clusterInternal(host, services, 'media'), host).toBe(true);
    for (const host of ['nas.lan', 's3.amazonaws.com', 'objectstore.example.com', '192.168.1.10'])
      expect(clusterInternal(host, services, 'media'), host).toBe(false);
  });
});
