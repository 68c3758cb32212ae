/**
 * Interpolation as Compose does it (compose-spec/compose-spec spec.md, "Interpolation"): in every
 * string value (not in keys), `$VAR` and `${VAR}` are the variable's value, `${VAR:-default}` /
 * `${VAR-default}` fall back when it is unset or empty / unset, `${VAR:?err}` / `${VAR?err}` are
 * errors then, `${VAR:+alt}` / `${VAR+alt}` give alt when it is set (and non-empty), and `$$` is a
 * literal `$`. Defaults may hold further substitutions. Variables come from the project's `.env`
 * file (Homeport has no shell environment to read them from); an unset variable without a default
 * is an empty string, as in Compose, and reported.
 */
import type { KeyPath } from './source';

export interface InterpolationIssue {
  path: KeyPath;
  message: string;
  /** An error (`${VAR:?err}` unset, a malformed expression), or only worth knowing (unset variable). */
  error: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Substitutes one string; issues are pushed with the given path. */
export function interpolateString(
  text: string,
  env: Readonly<Record<string, string>>,
  path: KeyPath,
  issues: InterpolationIssue[],
): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end === -1) {
        issues.push({ path, message: `unclosed '\${' in ${JSON.stringify(text)}`, error: true });
        return out + text.slice(i);
      }
      out += braced(text.slice(i + 2, end), env, path, issues);
      i = end + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (name === undefined) {
      out += '$';
      i++;
      continue;
    }
    out += lookup(name, env, path, issues);
    i += 1 + name.length;
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function lookup(name: string, env: Readonly<Record<string, string>>, path: KeyPath, issues: InterpolationIssue[]) {
  const v = env[name];
  if (v === undefined) {
    issues.push({ path, message: `variable ${name} is not set (no .env entry); it is an empty string`, error: false });
    return '';
  }
  return v;
}

function braced(
  expr: string,
  env: Readonly<Record<string, string>>,
  path: KeyPath,
  issues: InterpolationIssue[],
): string {
  const name = NAME.exec(expr)?.[0];
  if (name === undefined) {
    issues.push({ path, message: `invalid interpolation '\${${expr}}': it names no variable`, error: true });
    return '';
  }
  const rest = expr.slice(name.length);
  if (rest === '') return lookup(name, env, path, issues);
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (op === undefined) {
    issues.push({ path, message: `invalid interpolation '\${${expr}}'`, error: true });
    return '';
  }
  const arg = () => interpolateString(rest.slice(op.length), env, path, issues);
  const value = env[name];
  const unsetOrEmpty = value === undefined || value === '';
  const missing = op.startsWith(':') ? unsetOrEmpty : value === undefined;
  switch (op.replace(':', '')) {
    case '-':
      return missing ? arg() : (value ?? '');
    case '+':
      return missing ? '' : arg();
    default: {
      if (!missing) return value ?? '';
      const why = arg();
      issues.push({ path, message: `required variable ${name} is missing${why ? `: ${why}` : ''}`, error: true });
      return '';
    }
  }
}

/** Interpolates every string value of a parsed compose file (keys are left alone, as Compose does). */
export function interpolateTree(
  value: unknown,
  env: Readonly<Record<string, string>>,
  issues: InterpolationIssue[],
  path: KeyPath = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, path, issues);
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, env, issues, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateTree(v, env, issues, [...path, k])]),
    );
  }
  return value;
}

/**
 * A dotenv file as Compose reads it: `KEY=VALUE` lines, `export ` allowed, `#` comments, values in
 * single quotes taken as they are, in double quotes with \n escapes, unquoted ones trimmed and cut
 * at ` #`. Values are interpolated with the variables defined before them.
 */
export function parseEnvFile(text: string, base: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    let v = m[2] ?? '';
    if (v.startsWith("'") && v.lastIndexOf("'") > 0) {
      v = v.slice(1, v.lastIndexOf("'"));
    } else {
      if (v.startsWith('"') && v.lastIndexOf('"') > 0) v = v.slice(1, v.lastIndexOf('"')).replace(/\\n/g, '\n');
      else v = v.replace(/\s+#.*$/, '').trim();
      v = interpolateString(v, { ...base, ...out }, [], []);
    }
    out[m[1]] = v;
  }
  return out;
}
