import { parseDocument, visit } from 'yaml';

/**
 * Reads kubeconfig YAML the way kubectl does (sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1 plain
 * scalars): an unquoted `n`, `yes` or `off` is a boolean and `0755` an octal number, so a file that
 * uses them where a string belongs is refused, as kubectl refuses it; `~` and an empty value are
 * null; timestamps and `1:20` stay strings; a repeated key keeps its last value.
 */
export function parseKubeconfigYaml(text: string): unknown {
  // The failsafe schema leaves every scalar a string, so the plain ones can be resolved here exactly
  // as go-yaml v2 resolves them (YAML 1.2's core schema would keep `yes` a string, 1.1's would
  // turn `1:20` into 80 and dates into Date objects; kubectl does neither).
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: false, merge: true });
  if (doc.errors.length > 0) throw doc.errors[0];
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      const explicitString = node.tag === 'tag:yaml.org,2002:str' || node.tag === 'tag:yaml.org,2002:binary';
      if (node.type !== 'PLAIN' || explicitString) return;
      node.value = resolvePlain(node.value);
    },
  });
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  rejectNonFinite(value);
  return value;
}

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULL = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS: Record<string, number> = {
  '.nan': NaN,
  '.NaN': NaN,
  '.NAN': NaN,
  '.inf': Infinity,
  '.Inf': Infinity,
  '.INF': Infinity,
  '+.inf': Infinity,
  '+.Inf': Infinity,
  '+.INF': Infinity,
  '-.inf': -Infinity,
  '-.Inf': -Infinity,
  '-.INF': -Infinity,
};
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** go-yaml v2's resolve() for an untagged plain scalar. */
export function resolvePlain(text: string): unknown {
  if (NULL.has(text)) return null;
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  if (text in SPECIAL_FLOATS) return SPECIAL_FLOATS[text];
  const first = text[0] ?? '';
  if (first === '.') {
    return YAML_STYLE_FLOAT.test(text) ? Number(text) : text;
  }
  if (!/[-+0-9]/.test(first)) return text;
  // A timestamp (2001-12-14) is no int or float below, so it stays a string, as kubectl keeps it.
  const plain = text.replaceAll('_', '');
  const int = parseGoInt(plain);
  if (int !== undefined) return int;
  if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
  return text;
}

/** strconv.ParseInt(s, 0, 64) (and ParseUint): sign, then 0x / 0o / 0b / leading-0 octal or decimal. */
function parseGoInt(s: string): number | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const digits = m[2]!;
  let value: number;
  if (/^0[xX]/.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (/^0[oO]/.test(digits)) value = parseInt(digits.slice(2), 8);
  else if (/^0[bB]/.test(digits)) value = parseInt(digits.slice(2), 2);
  else if (digits.length > 1 && digits.startsWith('0')) value = parseInt(digits.slice(1), 8);
  else value = parseInt(digits, 10);
  return sign * value;
}

/** kubectl converts the YAML to JSON, which has no NaN or infinity: such a file is refused. */
function rejectNonFinite(value: unknown, path = ''): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(
      `unsupported value ${Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf'} at '${path}'; quote it`,
    );
  }
  if (Array.isArray(value)) value.forEach((v, i) => rejectNonFinite(v, path ? `${path}.${i}` : String(i)));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) rejectNonFinite(v, path ? `${path}.${k}` : k);
  }
}

/** A parsed value in words, for errors that name what the file holds where a string belongs. */
export function describeValue(value: unknown): string {
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `the string ${JSON.stringify(value)}`;
}
