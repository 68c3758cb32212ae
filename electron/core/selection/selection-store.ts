import { join } from 'node:path';
import { z } from 'zod';
import { selectionSchema, type Selection } from '@shared/selection-schemas';
import { JsonStore } from '../storage/json-store';

const fileSchema = z.object({ version: z.literal(1), selection: selectionSchema });

/**
 * The user's choice of cluster, target and endpoints, in `selection.json` of the data directory
 * (written atomically, like every store), so the desktop app and `homeport serve` both come back
 * to it after a restart, whatever browser or window asks.
 */
export function createSelectionStore(dataDir: string) {
  const store = new JsonStore(join(dataDir, 'selection.json'), fileSchema, () => ({
    version: 1 as const,
    selection: {},
  }));
  return {
    async get(): Promise<Selection> {
      return (await store.read()).selection;
    },
    /** Sets the fields given and keeps the others. */
    async set(change: Selection): Promise<Selection> {
      const next = await store.update((file) => ({ version: 1, selection: { ...file.selection, ...change } }));
      return next.selection;
    },
  };
}
export type SelectionStore = ReturnType<typeof createSelectionStore>;
