import { describe, expect, it, vi } from 'vitest';
import { resolveStackReferences, StackReferenceError, type ReferenceLookups } from './resolve';

function lookups(): ReferenceLookups & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    nasExport: vi.fn(async (host: string, exportName: string) => {
      calls.push(`${host}/${exportName}`);
      if (host !== 'box') throw Object.assign(new Error(`no NAS host '${host}'`), { field: 'host' });
      if (exportName === 'gone') throw new Error('the NAS did not answer');
      if (exportName !== 'media' && exportName !== 'photos') {
        throw Object.assign(new Error(`no export '${exportName}' on NAS host '${host}'`), { field: 'export' });
      }
      return { server: '192.168.1.20', path: `/srv/${exportName}` };
    }),
    s3Profile: vi.fn(async () => {
      throw new Error('not used');
    }),
  };
}

describe('NAS exports anywhere in the values', () => {
  it("resolves every object naming a NAS export (a user stack's volumes), keeping the reference", async () => {
    const l = lookups();
    const input = {
      stackVersion: 2,
      volumes: {
        media: { nas: { host: 'box', export: 'media' }, readOnly: true },
        photos: { nas: { host: 'box', export: 'photos' } },
        cache: { size: '1Gi' },
      },
      extra: [{ nas: { host: 'box', export: 'media' } }],
    };
    const { values } = await resolveStackReferences('mine', input, l);
    expect(values).toEqual({
      stackVersion: 2,
      volumes: {
        media: { nas: { host: 'box', export: 'media' }, readOnly: true, server: '192.168.1.20', path: '/srv/media' },
        photos: { nas: { host: 'box', export: 'photos' }, server: '192.168.1.20', path: '/srv/photos' },
        cache: { size: '1Gi' },
      },
      extra: [{ nas: { host: 'box', export: 'media' }, server: '192.168.1.20', path: '/srv/media' }],
    });
    expect(l.calls.sort()).toEqual(['box/media', 'box/media', 'box/photos']);
    // The input is left as it was.
    expect(input.volumes.media).not.toHaveProperty('server');
  });

  it('names the real field path of each reference that does not resolve', async () => {
    const err = await resolveStackReferences(
      'mine',
      {
        volumes: {
          media: { nas: { host: 'box', export: 'films' } },
          db: { nas: { host: 'attic', export: 'media' } },
          logs: { nas: { host: 'box', export: 'gone' } },
        },
      },
      lookups(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackReferenceError);
    expect((err as StackReferenceError).issues).toEqual([
      { path: 'volumes.media.nas.export', message: "no export 'films' on NAS host 'box'" },
      { path: 'volumes.db.nas.host', message: "no NAS host 'attic'" },
      { path: 'volumes.logs.nas', message: 'the NAS did not answer' },
    ]);
    expect((err as Error).message).toContain("'volumes.media.nas.export'");
  });

  it('looks nothing up in an object switched off, or under one', async () => {
    const l = lookups();
    const input = {
      volumes: { media: { enabled: false, nas: { host: 'box', export: 'films' } } },
      backup: { enabled: false, place: { nas: { host: 'attic', export: 'x' } } },
    };
    const { values } = await resolveStackReferences('mine', input, l);
    expect(values).toEqual(input);
    expect(l.calls).toEqual([]);
  });

  it('passes malformed references on for the schema to report', async () => {
    const l = lookups();
    const input = { volumes: { media: { nas: { host: '', export: 'media' } }, other: { nas: 'box:/media' } } };
    expect((await resolveStackReferences('mine', input, l)).values).toEqual(input);
    expect(l.calls).toEqual([]);
  });
});
