/** Swarm revision records: no secret value is kept, templates are, and the newest revision reads alone. */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createStackCatalog } from '../stacks/catalog';
import type { SwarmStack } from '../stacks/swarm';
import type { EngineApi, LiveConfig } from './engine-api';
import {
  readCurrentRevision,
  readRevisions,
  recordRevision,
  recordRollout,
  toRevisionList,
  withoutSecretValues,
} from './revisions';

const catalog = createStackCatalog();

function fakeApi() {
  const configs: LiveConfig[] = [];
  const api = {
    createConfig: async (body: LiveConfig['Spec']) => {
      configs.push({ ID: `c${configs.length}`, Version: { Index: 1 }, Spec: body });
      return { ID: `c${configs.length - 1}` };
    },
    configs: async () => configs,
    config: async (id: string) => configs.find((c) => c.ID === id) as LiveConfig,
    updateConfig: async (id: string, version: number, body: LiveConfig['Spec']) => {
      const c = configs.find((x) => x.ID === id) as LiveConfig;
      if (c.Version.Index !== version) throw new Error('out of sequence');
      if (body.Data !== c.Spec.Data) throw new Error('only labels can change');
      c.Spec = body;
      c.Version = { Index: version + 1 };
    },
  } as unknown as EngineApi;
  return { api, configs };
}

describe('Swarm revisions', () => {
  const values = catalog.validate('revenge', {});
  if (!values.ok) throw new Error('invalid values');
  const spec = catalog.renderSwarm('revenge', values.values, {
    stack: 'media',
    provided: {},
  });

  it('keep the templates of config files and drop every other secret value', () => {
    const kept = withoutSecretValues(spec);
    const templated = spec.secrets.filter((s) => s.Templating);
    expect(templated.length).toBeGreaterThan(0);
    for (const s of kept.secrets) {
      const original = spec.secrets.find((x) => x.Name === s.Name);
      if (original?.Templating) expect(s).toEqual(original);
      else expect(s.Data).toBeUndefined();
    }
    // A template names secret files, never a value.
    for (const s of templated) expect(Buffer.from(s.Data ?? '', 'base64').toString()).toMatch(/\{\{ secret "/);
  });

  it('read back the newest revision with its values and recorded specs', async () => {
    const { api, configs } = fakeApi();
    const withValue: SwarmStack = {
      ...spec,
      secrets: [
        ...spec.secrets,
        { Name: 'media_plain_key_1', Labels: {}, Data: Buffer.from('hunter2').toString('base64') },
      ],
    };
    for (const revision of [1, 2]) {
      await recordRevision(api, 'media', {
        revision,
        appliedAt: `2026-02-0${revision}T00:00:00Z`,
        values: { revision },
        spec: withValue,
      });
    }
    const recorded = configs.map((c) => gunzipSync(Buffer.from(c.Spec.Data ?? '', 'base64')).toString());
    expect(recorded.join()).not.toContain(Buffer.from('hunter2').toString('base64'));
    const current = await readCurrentRevision(api, 'media');
    expect(current).toMatchObject({ revision: 2, values: { revision: 2 }, appliedAt: '2026-02-02T00:00:00Z' });
    expect(current?.spec.secrets.filter((s) => s.Templating)).toEqual(spec.secrets.filter((s) => s.Templating));
    expect(await readCurrentRevision(fakeApi().api, 'media')).toBeUndefined();
  });

  it('say who applied each revision, what it changed and how its rollout ended; older ones say nothing', async () => {
    const { api } = fakeApi();
    // Revision 1 as earlier versions recorded it: no author.
    await recordRevision(api, 'media', {
      revision: 1,
      appliedAt: '2026-02-01T00:00:00Z',
      values: { level: 'info' },
      spec,
    });
    await recordRevision(api, 'media', {
      revision: 2,
      appliedAt: '2026-02-02T00:00:00Z',
      values: { level: 'debug' },
      spec,
      by: { manager: 'homeport', host: 'desk-7', user: 'ana' },
      rollbackOf: 1,
    });
    expect(await recordRollout(api, 'media', 'failed')).toBe(true);
    expect(await recordRollout(api, 'media', 'healthy')).toBe(false);
    const [two, one] = toRevisionList(await readRevisions(api, 'media'));
    expect(two).toMatchObject({
      revision: 2,
      current: true,
      manager: 'homeport',
      host: 'desk-7',
      user: 'ana',
      rollout: 'failed',
      rollbackOf: 1,
      summary: 'rollback to 1: level: info → debug',
    });
    expect(one).toMatchObject({ revision: 1, summary: 'first revision' });
    expect(one?.manager ?? one?.rollout ?? one?.rollbackOf).toBeUndefined();
  });
});
