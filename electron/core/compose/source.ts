/**
 * The compose file as YAML: parsed with the `yaml` package (its LineCounter gives every node a
 * line), with merge keys (`<<: *anchor`) as Compose reads them. `lineOf` answers "on which line is
 * this key path" for every finding: the key's own line when it is there, else its nearest ancestor's
 * (a path into a merged or aliased node, or a key that is missing).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ComposeFinding } from '@shared/user-stack-schemas';

export type KeyPath = readonly (string | number)[];

export interface ComposeSource {
  /** The file as plain data (before interpolation); undefined when it does not parse. */
  data: unknown;
  errors: ComposeFinding[];
  lineOf(path: KeyPath): number | undefined;
}

/** 'services.web.ports.0': the dotted path of a key, as findings name it. */
export const pathText = (path: KeyPath) => path.map(String).join('.');

export function parseComposeSource(text: string): ComposeSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const lineOf = (path: KeyPath) => findLine(doc, path, lineAt);
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => ({
      path: '',
      line: e.linePos?.[0].line ?? lineAt(e.pos[0]),
      message: `YAML: ${e.message.split('\n')[0] ?? e.message}`,
    }));
    return { data: undefined, errors, lineOf };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    return { data: undefined, errors: [{ path: '', line: 1, message: `YAML: ${(err as Error).message}` }], lineOf };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { data: undefined, errors: [{ path: '', line: 1, message: 'the file is not a mapping of keys' }], lineOf };
  }
  return { data, errors: [], lineOf };
}

function findLine(doc: Document, path: KeyPath, lineAt: (offset: number) => number): number | undefined {
  let node: unknown = doc.contents;
  let line = node && (node as Node).range ? lineAt((node as Node).range?.[0] ?? 0) : undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return line;
      const key = pair.key as Node;
      if (key.range) line = lineAt(key.range[0]);
      node = pair.value;
    } else if (isSeq(node)) {
      // An index, or (for lists of names such as depends_on) the item with that value.
      const item = (
        typeof segment === 'number' || /^\d+$/.test(segment)
          ? node.items[Number(segment)]
          : node.items.find((i) => isScalar(i) && String(i.value) === segment)
      ) as Node | undefined;
      if (!item) return line;
      if (item.range) line = lineAt(item.range[0]);
      node = item;
    } else {
      return line;
    }
  }
  return line;
}
