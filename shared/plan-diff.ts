/**
 * Readable plans: what the values change ('logging.level: info → debug') and a side-by-side line
 * diff of an object's YAML. Pure functions used by the main process (values diff, masking) and the
 * renderer (line diff). A value whose key names a secret is never shown, only "(secret)".
 */

export const SECRET_MASK = '(secret)';
export const SECRET_CHANGED_MASK = '(secret, changed)';

/** Keys whose value is a credential (a password, a token, a private key), by name. */
const SECRET_KEY =
  /(password|passwd|passphrase|token|secret|secret[-_]?key|api[-_]?key|private[-_]?key|access[-_]?key)$/i;
/** camelCase keys that only name where a credential lives ('credentialsSecret', 'passwordFile'). */
const REFERENCE = /.(Secret|SecretName|SecretRef|File|Env)$/;

/** Whether the value at this key is a credential and must be masked. */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key) && !REFERENCE.test(key);

/** One value that differs: its dotted path and the values before and after, formatted. */
export interface ValueChange {
  path: string;
  /** Absent when the value did not exist before. */
  before?: string;
  /** Absent when the value is gone. */
  after?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function format(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '""' : v;
  return JSON.stringify(v) ?? String(v);
}

const lastKey = (path: string) => path.split('.').pop() ?? path;

/** Tells a value that ends up in a secret (a Secret's data), whatever its key is called. */
export type SecretValueTest = (value: string) => boolean;

function walk(a: unknown, b: unknown, path: string, out: ValueChange[], inSecret: SecretValueTest) {
  const next = (x: unknown, y: unknown, key: string) => walk(x, y, path ? `${path}.${key}` : key, out, inSecret);
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) next(a[key], b[key], key);
    return;
  }
  if (a === undefined && isObject(b)) {
    for (const key of Object.keys(b).sort()) next(undefined, b[key], key);
    return;
  }
  if (isObject(a) && b === undefined) {
    for (const key of Object.keys(a).sort()) next(a[key], undefined, key);
    return;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const lands = (v: unknown) => (typeof v === 'string' || typeof v === 'number') && inSecret(String(v));
  const secret = isSecretKey(lastKey(path)) || lands(a) || lands(b);
  const shown = (v: unknown) => (v === undefined ? undefined : secret ? SECRET_MASK : format(v));
  const change: ValueChange = { path };
  const before = shown(a);
  const after = shown(b);
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = secret && before !== undefined ? SECRET_CHANGED_MASK : after;
  out.push(change);
}

/**
 * The values that differ between two sets of stack values, as dotted paths. A value is masked when
 * its key names a credential or when `inSecret` says it is stored in a secret (an admin user name
 * that becomes a Secret's key).
 */
export function valuesDiff(before: unknown, after: unknown, inSecret: SecretValueTest = () => false): ValueChange[] {
  const out: ValueChange[] = [];
  walk(before, after, '', out, inSecret);
  return out;
}

/** A SecretValueTest from the values stored in secrets (decoded). */
export function secretValueTest(values: Iterable<string>): SecretValueTest {
  const set = new Set([...values].filter((v) => v.length > 0));
  return (v) => set.has(v);
}

/** 'logging.level: info → debug'; '(unset)' for a side that has no value. */
export function describeValueChange(c: ValueChange): string {
  return `${c.path}: ${c.before ?? '(unset)'} → ${c.after ?? '(unset)'}`;
}

/** One line summing up a values diff: the first few changes and how many more. */
export function summarizeValueChanges(changes: ValueChange[], shown = 2): string {
  if (changes.length === 0) return 'no value changed';
  const head = changes.slice(0, shown).map(describeValueChange).join('; ');
  return changes.length > shown ? `${head} (+${changes.length - shown} more)` : head;
}

/** A row of a side-by-side diff: the left (live) and right (desired) line, either may be absent. */
export interface DiffRow {
  kind: 'same' | 'changed' | 'removed' | 'added';
  left?: string;
  right?: string;
}

/**
 * Line diff by longest common subsequence, paired into side-by-side rows: a run of removed lines
 * next to a run of added lines becomes 'changed' rows. Objects of a stack are small (a few hundred
 * lines), so the quadratic table is fine.
 */
export function lineDiff(left: string[], right: string[]): DiffRow[] {
  const n = left.length;
  const m = right.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        left[i] === right[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
  const rows: DiffRow[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const flush = () => {
    const pairs = Math.max(removed.length, added.length);
    for (let k = 0; k < pairs; k++) {
      const l = removed[k];
      const r = added[k];
      if (l !== undefined && r !== undefined) rows.push({ kind: 'changed', left: l, right: r });
      else if (l !== undefined) rows.push({ kind: 'removed', left: l });
      else rows.push({ kind: 'added', right: r as string });
    }
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && left[i] === right[j]) {
      flush();
      rows.push({ kind: 'same', left: left[i], right: right[j] });
      i++;
      j++;
    } else if (
      j >= m ||
      (i < n && ((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number))
    ) {
      removed.push(left[i] as string);
      i++;
    } else {
      added.push(right[j] as string);
      j++;
    }
  }
  flush();
  return rows;
}

/** Rows far from any change folded away: runs of unchanged lines keep `context` lines each side. */
export function foldRows(rows: DiffRow[], context = 3): (DiffRow | { kind: 'fold'; count: number })[] {
  const near = rows.map(() => false);
  rows.forEach((r, i) => {
    if (r.kind === 'same') return;
    for (let k = Math.max(0, i - context); k <= Math.min(rows.length - 1, i + context); k++) near[k] = true;
  });
  const out: (DiffRow | { kind: 'fold'; count: number })[] = [];
  let folded = 0;
  rows.forEach((r, i) => {
    if (near[i]) {
      if (folded) out.push({ kind: 'fold', count: folded });
      folded = 0;
      out.push(r);
    } else folded++;
  });
  if (folded) out.push({ kind: 'fold', count: folded });
  return out;
}
