/** Applies the batched deltas of a live collection to a keyed map. Pure; used by the renderer. */
export type KeyedDelta<T> =
  | { type: 'reset'; items: T[] }
  | { type: 'upsert'; items: T[] }
  | { type: 'delete'; keys: string[] }
  | { type: 'status'; status: unknown };

/**
 * Returns whether the map changed. `store` turns an incoming item into what the map keeps, given
 * what it kept before under that key (for example to remember when a lease changed hands).
 */
export function applyDeltas<T, S = T>(
  map: Map<string, S>,
  deltas: KeyedDelta<T>[],
  keyOf: (item: T) => string,
  store: (item: T, previous: S | undefined) => S = (item) => item as unknown as S,
): boolean {
  let changed = false;
  const put = (item: T) => {
    const key = keyOf(item);
    map.set(key, store(item, map.get(key)));
  };
  for (const delta of deltas) {
    switch (delta.type) {
      case 'reset': {
        const previous = new Map(map);
        map.clear();
        for (const item of delta.items) map.set(keyOf(item), store(item, previous.get(keyOf(item))));
        changed = true;
        break;
      }
      case 'upsert':
        delta.items.forEach(put);
        changed ||= delta.items.length > 0;
        break;
      case 'delete':
        for (const key of delta.keys) changed = map.delete(key) || changed;
        break;
      case 'status':
        break;
    }
  }
  return changed;
}
