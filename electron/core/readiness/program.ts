/**
 * The settings a deployed program ends up with, computed the way the program computes them (its
 * upstream contract's `effectiveSettings`) from what Homeport can see of its container: the
 * environment, the arguments and the config files mounted into it. Secret values are never read:
 * a variable from a secret and every `{{...}}` placeholder of a template stand for SECRET_MARK, so
 * a URL keeps its host and a setting counts as set, and nothing secret reaches a report.
 */
import {
  contractForImage,
  effectiveSettings,
  settingOfEnv,
  type ImageContract,
  type Settings,
} from '../stacks/upstream';

/** What a secret value reads as here. */
export const SECRET_MARK = 'secret';

/** A template's placeholders (`{{secret/key}}`, or Swarm's `{{ secret "file" }}`) as SECRET_MARK. */
export const withoutPlaceholders = (template: string) => template.replace(/\{\{[^{}]*\}\}/g, SECRET_MARK);

export interface ProgramEnv {
  name: string;
  /** SECRET_MARK for a variable read from a secret. */
  value: string;
  /** The value is written in the workload spec itself (not read from a secret or a field). */
  literal: boolean;
}

export interface ProgramFile {
  path: string;
  /** Undefined when Homeport cannot see the content (a secret's value). */
  content?: string;
  /** 'Secret app-config key config.yaml' */
  origin: string;
  /** Whether the file comes from a secret (not readable by whoever can read the namespace). */
  secret: boolean;
}

export interface ProgramInputs {
  image: string;
  env: ProgramEnv[];
  args: readonly string[];
  files: ProgramFile[];
}

export type SettingSource =
  | { kind: 'env'; name: string; literal: boolean }
  | { kind: 'arg'; name: string }
  | { kind: 'file'; file: ProgramFile }
  | { kind: 'default' };

export interface ProgramView {
  /** The contract of the image (by repository, else the component's). */
  contract?: ImageContract;
  settings: Settings;
  sourceOf(key: string): SettingSource | undefined;
  /** The config file the contract names, when it is mounted. */
  configFile?: ProgramFile;
  /** Mounted files the program may read whose content Homeport cannot see. */
  unreadable: ProgramFile[];
  /** Why the settings could not be computed (no contract, a config file that does not parse). */
  problem?: string;
}

export function describeSource(s: SettingSource | undefined): string {
  if (!s) return 'not set';
  switch (s.kind) {
    case 'env':
      return `env ${s.name}`;
    case 'arg':
      return `argument --${s.name}`;
    case 'file':
      return `config file ${s.file.path} (${s.file.origin})`;
    case 'default':
      return "the program's default";
  }
}

/** The program's settings from its container's inputs, by its upstream contract. */
export function programView(
  contracts: readonly ImageContract[],
  component: string,
  inputs: ProgramInputs,
): ProgramView {
  const contract = contractForImage(contracts, inputs.image) ?? contracts.find((c) => c.component === component);
  const empty: ProgramView = { contract, settings: new Map(), sourceOf: () => undefined, unreadable: [] };
  if (!contract) return { ...empty, problem: `no upstream contract describes the image ${inputs.image}` };
  const c = contract.settings;
  const files: Record<string, string> = {};
  const unreadable: ProgramFile[] = [];
  for (const f of inputs.files) {
    if (f.content !== undefined) files[f.path] = f.content;
    // A config file Homeport cannot read is missing from the settings; any other unread file is a secret value.
    else if (f.path === c.configFile?.path) unreadable.push(f);
    else files[f.path] = SECRET_MARK;
  }
  const container = {
    env: Object.fromEntries(inputs.env.map((e) => [e.name, e.value])),
    args: inputs.args,
    files,
    hosts: new Set<string>(),
  };
  let settings: Settings;
  let fromFile: Settings;
  try {
    settings = effectiveSettings(c, container);
    // The file alone: no defaults, no environment.
    fromFile = effectiveSettings({ ...c, known: [] }, { ...container, env: {} });
  } catch (err) {
    return {
      ...empty,
      unreadable,
      problem: `the config file ${c.configFile?.path ?? ''} does not parse: ${(err as Error).message}`,
    };
  }
  const sources = new Map<string, SettingSource>();
  const configFile = inputs.files.find((f) => f.path === c.configFile?.path);
  if (configFile) for (const key of fromFile.keys()) sources.set(key, { kind: 'file', file: configFile });
  for (const e of inputs.env) {
    const variable = c.fileVariables.supported && e.name.endsWith('_FILE') ? e.name.slice(0, -'_FILE'.length) : e.name;
    const key = settingOfEnv(c.env, variable);
    if (key !== undefined && settings.has(key)) sources.set(key, { kind: 'env', name: e.name, literal: e.literal });
  }
  if (c.args?.supported) {
    for (const a of inputs.args) {
      const m = /^--([A-Za-z0-9_.-]+)=/.exec(a);
      if (m?.[1] && settings.has(m[1])) sources.set(m[1], { kind: 'arg', name: m[1] });
    }
  }
  return {
    contract,
    configFile,
    settings,
    sourceOf: (key) => sources.get(key) ?? (settings.has(key) ? { kind: 'default' } : undefined),
    unreadable,
  };
}

/** The port and path the program serves Prometheus metrics on, by its contract. */
export function metricsEndpoint(
  contract: ImageContract | undefined,
): { port: number; path: string; ref: string } | undefined {
  const e = contract?.http.find((h) => h.roles.includes('metrics'));
  return e ? { port: e.port, path: e.path, ref: e.ref } : undefined;
}

/** The host of a URL-ish setting ('redis://kv:6379' -> 'kv'). */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

export const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

/**
 * Whether a host name only resolves inside the cluster: one of the stack's services (bare, or
 * with the namespace and cluster suffixes) or any cluster-local name. Browsers cannot reach it.
 */
export function clusterInternal(host: string, services: ReadonlySet<string>, namespace?: string): boolean {
  if (LOCAL_HOSTS.has(host)) return true;
  if (/\.svc(\.cluster\.local)?$|\.cluster\.local$/.test(host)) return true;
  const [first, ...rest] = host.split('.');
  if (!first || !services.has(first)) return false;
  const suffix = rest.join('.');
  return suffix === '' || (namespace !== undefined && suffix === namespace);
}

/** Settings the program refuses to start without, by its contract, that have no value. */
export function missingRequired(view: ProgramView): string[] {
  const s = view.settings;
  return (view.contract?.settings.known ?? [])
    .filter(
      (k) =>
        k.required ||
        (k.requiredWhen && s.get(k.requiredWhen.key) === k.requiredWhen.equals) ||
        (k.requiredUnless && s.get(k.requiredUnless.key) !== k.requiredUnless.equals),
    )
    .filter((k) => !s.get(k.key))
    .map((k) => k.key);
}

/** The environment variables the program reads (by its contract's rule). */
export function variablesRead(view: ProgramView, names: readonly string[]): string[] {
  const rule = view.contract?.settings.env;
  if (!rule) return [];
  return names.filter((n) => settingOfEnv(rule, n) !== undefined);
}
