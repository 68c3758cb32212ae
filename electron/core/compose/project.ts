/**
 * A compose file as Homeport understands it: the typed form both the analysis and the stack model
 * are made from, with what it cannot express (`unsupported`), what deploys with another meaning than
 * in Compose (`notes`) and what makes the file unusable (`errors`), each with its key path and line.
 */
import type { ComposeFinding, SecretMapping, VolumeMapping } from '@shared/user-stack-schemas';
import type { KeyPath } from './source';
import { pathText } from './source';

export interface ComposePort {
  target: number;
  /** The host port (Swarm's routing mesh); absent: reachable inside the stack only. */
  published?: number;
}

export interface ComposeMount {
  volume: string;
  target: string;
  readOnly: boolean;
}

/** A secret or config a service mounts: its top-level name and the absolute path of the file. */
export interface ComposeFileRef {
  source: string;
  target: string;
}

export interface ComposeHealth {
  /** The command run in the container (CMD-SHELL becomes `sh -c`). */
  command: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds: number;
  /** Line of the healthcheck, for source references. */
  line?: number;
}

export interface ComposeService {
  name: string;
  image: string;
  /** Compose's `entrypoint` (replaces the image's entrypoint). */
  entrypoint?: string[];
  /** Compose's `command` (replaces the image's default arguments). */
  command?: string[];
  /** env_file entries first, then `environment` (which wins), as Compose merges them. */
  environment: Record<string, string>;
  ports: ComposePort[];
  /** Ports reachable inside the stack only (`expose`, or unpublished `ports`). */
  expose: number[];
  mounts: ComposeMount[];
  secrets: ComposeFileRef[];
  configs: ComposeFileRef[];
  health?: ComposeHealth;
  replicas: number;
  resources: {
    limits: { cpu?: string; memory?: string };
    reservations: { cpu?: string; memory?: string };
  };
  dependsOn: string[];
  /** Networks the service is on ('default' when it names none). */
  networks: string[];
  stopGracePeriodSeconds: number;
  user?: { uid: number; gid: number };
  /**
   * Services that may connect to this one, when the file's networks keep others out (Compose: only
   * services sharing a network reach each other); undefined when anyone in the stack may.
   */
  acceptsFrom?: string[];
  /** `read_only: true`: the root filesystem is read-only; these (tmpfs) directories stay writable. */
  readOnlyRoot?: string[];
  line?: number;
}

export interface ComposeVolume {
  name: string;
  suggested: VolumeMapping;
}

export interface ComposeSecret {
  name: string;
  suggested: SecretMapping;
}

export interface ComposeConfig {
  name: string;
  /** The file's content (inline `content`, a `file` given to the import, or an `environment` variable). */
  content: string;
}

export interface ComposeProject {
  services: ComposeService[];
  volumes: ComposeVolume[];
  secrets: ComposeSecret[];
  configs: ComposeConfig[];
  /** Networks declared at the top level (plus 'default'). */
  networks: string[];
  unsupported: ComposeFinding[];
  notes: ComposeFinding[];
  errors: ComposeFinding[];
}

/** Collects findings with their lines. */
export class Findings {
  readonly unsupported: ComposeFinding[] = [];
  readonly notes: ComposeFinding[] = [];
  readonly errors: ComposeFinding[] = [];
  constructor(readonly lineOf: (path: KeyPath) => number | undefined) {}

  private make(path: KeyPath, message: string): ComposeFinding {
    const line = this.lineOf(path);
    return { path: pathText(path), ...(line !== undefined ? { line } : {}), message };
  }
  unsupportedKey(path: KeyPath, message: string) {
    this.unsupported.push(this.make(path, message));
  }
  note(path: KeyPath, message: string) {
    this.notes.push(this.make(path, message));
  }
  error(path: KeyPath, message: string) {
    this.errors.push(this.make(path, message));
  }
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
export const asNumber = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};
export const asBool = (v: unknown): boolean => v === true || v === 'true';

/** Reports every key of `obj` not in `known` as unsupported. */
export function checkKeys(
  f: Findings,
  obj: Obj,
  path: KeyPath,
  known: ReadonlySet<string>,
  why: Record<string, string> = {},
) {
  for (const key of Object.keys(obj)) {
    if (known.has(key) || key.startsWith('x-')) continue;
    const reason = why[key] || 'Homeport cannot express it; it would not be deployed';
    f.unsupportedKey([...path, key], `'${key}' is not supported: ${reason}`);
  }
}

/** Compose durations ('1m30s', '10s', '500ms', '1h'), in whole seconds (rounded up, at least 1 when > 0). */
export function durationSeconds(v: unknown): number | undefined {
  if (typeof v === 'number') return Math.ceil(v / 1e9);
  if (typeof v !== 'string') return undefined;
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let rest = v.trim();
  if (rest === '' || rest === '0') return 0;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m?.[1] || !m[2]) return undefined;
    total += Number(m[1]) * (units[m[2]] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return Math.ceil(total);
}

/** Compose byte sizes ('512m', '1g', '1gb', '2048k', a number of bytes) as a Kubernetes quantity. */
export function memoryQuantity(v: unknown): string | undefined {
  let bytes: number | undefined;
  if (typeof v === 'number') bytes = v;
  else if (typeof v === 'string') {
    const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(v.trim());
    if (!m?.[1]) return undefined;
    const power = ['', 'k', 'm', 'g', 't'].indexOf((m[2] ?? '').toLowerCase());
    bytes = Number(m[1]) * 1024 ** power;
  }
  if (bytes === undefined || !Number.isFinite(bytes) || bytes <= 0) return undefined;
  const gi = bytes / 1024 ** 3;
  if (Number.isInteger(gi)) return `${gi}Gi`;
  return `${Math.ceil(bytes / 1024 ** 2)}Mi`;
}

/** Compose CPU counts ('0.5', 2) as a Kubernetes quantity ('500m', '2'). */
export function cpuQuantity(v: unknown): string | undefined {
  const n = asNumber(v);
  if (n === undefined || n <= 0) return undefined;
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}

/** Splits a command string into words as Compose does (shell quoting, no shell). */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur !== '') words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
    }
  }
  if (has || cur !== '') words.push(cur);
  return words;
}

/** A Kubernetes-safe name for a compose volume, secret or config name (`db_data` -> `db-data`). */
export const modelName = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
