/**
 * The user's ~/.ssh/config, read the way ssh reads it for the options Homeport uses: Host blocks
 * (patterns with * and ?, negated with !), `Match all` / `host` / `originalhost` / `user` /
 * `localuser` blocks, Include, and the first value obtained for each option wins (IdentityFile
 * accumulates). Options: HostName, Port, User, IdentityFile (~ and %d %u %h %r %p %%), ProxyJump.
 * Nothing in the file is ever run: `Match exec` never matches, and a ProxyCommand is refused.
 */
import { readdir, readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { SshConfigError } from './errors';

interface Directive {
  keyword: string;
  args: string[];
  file: string;
  line: number;
}
type Block = { kind: 'host'; patterns: string[]; body: Entry[] } | { kind: 'match'; criteria: string[]; body: Entry[] };
type Entry = Directive | { kind: 'include'; entries: Entry[] } | Block;

/** A jump host as ProxyJump names it: [user@]host[:port]. */
export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** What the config says about one host, before the user's own settings are applied. */
export interface SshHostConfig {
  hostName?: string;
  port?: number;
  user?: string;
  /** As written (tokens not yet expanded). */
  identityFiles: string[];
  /** Undefined: no ProxyJump; [] for `ProxyJump none`. */
  proxyJump?: JumpSpec[];
  proxyCommand?: string;
}

const MAX_FILE_BYTES = 1024 * 1024;
const MAX_INCLUDE_DEPTH = 16;

export const userSshConfigFile = (env: NodeJS.ProcessEnv) => join(homeOf(env), '.ssh', 'config');
const homeOf = (env: NodeJS.ProcessEnv) => env.HOME ?? homedir();

export function localUserName(env: NodeJS.ProcessEnv): string {
  try {
    return env.USER ?? env.LOGNAME ?? userInfo().username;
  } catch {
    return '';
  }
}

/** Splits arguments as ssh does: whitespace separates, double quotes group, backslash escapes in quotes. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let arg = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        arg += text[i++];
      }
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) arg += text[i++];
    }
    args.push(arg);
  }
  return args;
}

/** Parses one line: `Keyword value`, `Keyword=value` or `Keyword = value`; undefined for blanks and comments. */
function parseLine(raw: string): { keyword: string; args: string[] } | undefined {
  const text = raw.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const m = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)(.*)$/.exec(text);
  if (!m) return undefined;
  return { keyword: m[1]!.toLowerCase(), args: splitArgs(m[2]!) };
}

async function readBounded(file: string): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    return text.length > MAX_FILE_BYTES ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The files an Include argument names: ~ expanded, relative to ~/.ssh, * and ? in the last component. */
async function includeFiles(arg: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  let path = arg.startsWith('~/') ? join(homeOf(env), arg.slice(2)) : arg;
  if (!isAbsolute(path)) path = join(homeOf(env), '.ssh', path);
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  return names
    .filter((n) => re.test(n))
    .sort()
    .map((n) => join(dirname(path), n));
}

async function parseFile(file: string, env: NodeJS.ProcessEnv, depth: number): Promise<Entry[]> {
  const text = await readBounded(file);
  if (text === undefined) return [];
  const top: Entry[] = [];
  let body = top;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseLine(lines[i]!);
    if (!parsed) continue;
    const { keyword, args } = parsed;
    if (keyword === 'host') {
      const block: Block = { kind: 'host', patterns: args, body: [] };
      top.push(block);
      body = block.body;
    } else if (keyword === 'match') {
      const block: Block = { kind: 'match', criteria: args, body: [] };
      top.push(block);
      body = block.body;
    } else if (keyword === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) continue;
      for (const arg of args) {
        for (const included of await includeFiles(arg, env)) {
          body.push({ kind: 'include', entries: await parseFile(included, env, depth + 1) });
        }
      }
    } else {
      body.push({ keyword, args, file, line: i + 1 });
    }
  }
  return top;
}

/** ssh's match_pattern: `*` any run, `?` one character, case-insensitive for host names. */
function wildcard(pattern: string, s: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'is').test(s);
}

/** A pattern list (`a,b,!c` or separate arguments): no if any negated pattern matches, else yes if one matches. */
export function matchPatternList(patterns: string[], s: string): boolean {
  let matched = false;
  for (const p of patterns.flatMap((x) => x.split(','))) {
    if (p === '') continue;
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), s)) return false;
    } else if (wildcard(p, s)) matched = true;
  }
  return matched;
}

export function parseJump(value: string): JumpSpec {
  const text = value.replace(/^ssh:\/\//, '');
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:@[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) throw new SshConfigError(`ProxyJump "${value}" is not [user@]host[:port]`);
  return {
    host: m[2]!.replace(/^\[|\]$/g, ''),
    ...(m[1] ? { user: m[1] } : {}),
    ...(m[3] ? { port: Number(m[3]) } : {}),
  };
}

/** Reads the config once; `lookup` answers for one host. */
export async function loadSshConfig(env: NodeJS.ProcessEnv, file = userSshConfigFile(env)) {
  const entries = await parseFile(file, env, 0);

  function lookup(host: string, given: { user?: string } = {}): SshHostConfig {
    const found = new Map<string, { args: string[]; at: string }>();
    const identityFiles: string[] = [];
    const localUser = localUserName(env);
    const walk = (list: Entry[]) => {
      for (const e of list) {
        if ('keyword' in e) {
          if (e.keyword === 'identityfile') identityFiles.push(...e.args.slice(0, 1));
          else if (!found.has(e.keyword)) found.set(e.keyword, { args: e.args, at: `${e.file}:${e.line}` });
        } else if (e.kind === 'include') walk(e.entries);
        else if (e.kind === 'host' ? matchPatternList(e.patterns, host) : matches(e.criteria)) walk(e.body);
      }
    };
    const matches = (criteria: string[]): boolean => {
      if (criteria.length === 1 && criteria[0]!.toLowerCase() === 'all') return true;
      for (let i = 0; i < criteria.length; i++) {
        let key = criteria[i]!.toLowerCase();
        const negate = key.startsWith('!');
        if (negate) key = key.slice(1);
        const arg = criteria[i + 1];
        let yes: boolean;
        if (key === 'all') yes = true;
        else if (arg === undefined) return false;
        else {
          i++;
          const against: Record<string, string | undefined> = {
            host: found.get('hostname')?.args[0]?.replace(/%h/g, host) ?? host,
            originalhost: host,
            user: given.user ?? found.get('user')?.args[0] ?? localUser,
            localuser: localUser,
          };
          // exec, canonical, final and anything newer: Homeport runs nothing and makes one pass.
          yes = key in against ? matchPatternList([arg], against[key] ?? '') : false;
        }
        if (yes === negate) return false;
      }
      return true;
    };
    walk(entries);
    const first = (k: string) => found.get(k)?.args[0];
    const port = first('port');
    const jump = first('proxyjump');
    const command = found.get('proxycommand')?.args.join(' ');
    const out: SshHostConfig = { identityFiles };
    const hostName = first('hostname');
    if (hostName) out.hostName = hostName.replace(/%%|%h/g, (t) => (t === '%%' ? '%' : host));
    if (port !== undefined) {
      const n = Number(port);
      if (!/^\d+$/.test(port) || n < 1 || n > 65535) {
        throw new SshConfigError(`${found.get('port')!.at}: Port "${port}" for ${host} is not a port number`);
      }
      out.port = n;
    }
    if (first('user')) out.user = first('user')!;
    if (jump !== undefined) out.proxyJump = jump.toLowerCase() === 'none' ? [] : jump.split(',').map(parseJump);
    if (command !== undefined && command.toLowerCase() !== 'none') out.proxyCommand = command;
    return out;
  }

  return { file, lookup };
}

/** Expands ~ and the % tokens ssh allows in IdentityFile. */
export function expandPath(
  path: string,
  t: { home: string; localUser: string; host: string; user: string; port: number },
): string {
  const withHome = path === '~' ? t.home : path.startsWith('~/') ? join(t.home, path.slice(2)) : path;
  return withHome.replace(/%[%dhpru]/g, (tok) => {
    switch (tok) {
      case '%%':
        return '%';
      case '%d':
        return t.home;
      case '%h':
        return t.host;
      case '%p':
        return String(t.port);
      case '%r':
        return t.user;
      default:
        return t.localUser;
    }
  });
}
