import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSelectionStore } from './selection-store';

describe('selection store', () => {
  it('starts empty, merges changes, and a new store on the same directory reads them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeport-selection-'));
    const store = createSelectionStore(dir);
    expect(await store.get()).toEqual({});
    await store.set({ context: 'cluster-b' });
    expect(await store.set({ swarmEndpoint: 'lab' })).toEqual({ context: 'cluster-b', swarmEndpoint: 'lab' });
    expect(await createSelectionStore(dir).get()).toEqual({ context: 'cluster-b', swarmEndpoint: 'lab' });
    expect(JSON.parse(readFileSync(join(dir, 'selection.json'), 'utf8'))).toEqual({
      version: 1,
      selection: { context: 'cluster-b', swarmEndpoint: 'lab' },
    });
  });
});
