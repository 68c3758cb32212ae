import { parse } from 'yaml';
import { HomeportError } from '../errors';

/**
 * Deep enough for any kubeconfig or values file (they nest under ten levels), far below where
 * the yaml library's recursive composer runs out of stack (near 800 levels, sooner when called
 * deep in a stack).
 */
export const MAX_YAML_DEPTH = 128;

/** yaml's own default, stated so it stays: a "billion laughs" file cannot expand without end. */
const MAX_ALIAS_COUNT = 100;

const isBlank = (ch: string | undefined) => ch === undefined || ch === ' ' || ch === '\t';

/**
 * An upper bound on how deeply the collections of a YAML (or JSON) text nest, in one pass over
 * the characters: far cheaper than the yaml library's own parse of a pathological file (seconds
 * for 100,000 levels). Flow collections count their brackets (outside quotes and comments);
 * block collections count open indentation columns twice (a mapping and the sequence that is its
 * value may share a column) plus compact `- `, `? `, `: ` indicators. Block scalars are skipped.
 */
export function yamlDepthBound(text: string): number {
  const columns: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let blockScalar: { parent: number; indent?: number } | undefined;
  let deepest = 0;
  const note = () => {
    deepest = Math.max(deepest, 2 * columns.length + flow);
  };
  for (const line of text.split(/\r?\n/)) {
    let i = 0;
    if (blockScalar) {
      const indent = line.length - line.trimStart().length;
      if (line.trim() === '') continue;
      blockScalar.indent ??= indent;
      if (indent > blockScalar.parent && indent >= blockScalar.indent) continue;
      blockScalar = undefined;
    }
    // A new line inside a flow collection starts after white space, where a new node may begin.
    let tokenStart = !quote;
    if (!quote && flow === 0) {
      while (line[i] === ' ') i++;
      if (i === line.length || line[i] === '#' || (i === 0 && line[0] === '%')) continue;
      if (i === 0 && /^(---|\.\.\.)(\s|$)/.test(line)) {
        columns.length = 0;
        i = 3;
        while (line[i] === ' ') i++;
      }
      while (columns.length > 0 && (columns.at(-1) ?? 0) > i) columns.pop();
      if (columns.at(-1) !== i) columns.push(i);
      // Compact collections: every indicator opens one more level on this line.
      while ('-?:'.includes(line[i] ?? 'x') && isBlank(line[i + 1]) && i < line.length) {
        i++;
        while (line[i] === ' ') i++;
        if (i < line.length) columns.push(i);
      }
      tokenStart = true;
      note();
    }
    for (; i < line.length; i++) {
      const ch = line[i];
      if (quote) {
        if (quote === '"' && ch === '\\') i++;
        else if (ch === quote) quote = undefined;
        continue;
      }
      if (ch === '#' && (i === 0 || isBlank(line[i - 1]))) break;
      if (ch === ' ' || ch === '\t') continue;
      if (tokenStart && (ch === '&' || ch === '!')) {
        // An anchor or tag before a node: the node still starts after it.
        while (i + 1 < line.length && !isBlank(line[i + 1])) i++;
        continue;
      }
      if (tokenStart && (ch === '"' || ch === "'")) {
        quote = ch;
        tokenStart = false;
        continue;
      }
      if ((ch === '[' || ch === '{') && (flow > 0 || tokenStart)) {
        flow++;
        note();
        tokenStart = true;
        continue;
      }
      if (flow > 0 && (ch === ']' || ch === '}')) {
        flow--;
        tokenStart = false;
        continue;
      }
      if (flow > 0 && (ch === ',' || ch === ':')) {
        tokenStart = true;
        continue;
      }
      if (flow === 0 && ch === ':' && isBlank(line[i + 1])) {
        tokenStart = true;
        continue;
      }
      if (flow === 0 && tokenStart && (ch === '|' || ch === '>')) {
        blockScalar = { parent: columns.at(-1) ?? 0 };
        break;
      }
      tokenStart = false;
    }
  }
  return deepest;
}

/**
 * Parses YAML the user wrote (a values file, a kubeconfig). A file nested past MAX_YAML_DEPTH is
 * refused with a message saying so, instead of the parser's "Maximum call stack size exceeded".
 * `what` names the file in messages ("--values /tmp/v.yaml"). Other syntax errors are thrown as
 * the yaml library reports them (line and column).
 */
export function parseUserYaml(text: string, what: string): unknown {
  const tooDeep = () =>
    new HomeportError(
      'INVALID_INPUT',
      `${what} nests lists and mappings more than ${MAX_YAML_DEPTH} levels deep; Homeport reads files up to that depth. Check that it is the right file.`,
    );
  if (yamlDepthBound(text) > MAX_YAML_DEPTH) throw tooDeep();
  try {
    return parse(text, { maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // The bound is a heuristic over YAML's grammar; should a file slip past it, say the same thing.
    if (err instanceof RangeError || /Maximum call stack size exceeded/.test(String(err))) throw tooDeep();
    throw err;
  }
}
