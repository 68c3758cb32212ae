/**
 * Checks of the primary's program settings, the same on every platform: state kept in other
 * components, user files on object storage, and where the configuration comes from. The callers
 * say where the program runs (the workload or service, the stack's service names) and which fix
 * re-applies the stack.
 */
import type { Evidence, ReadinessCheck, ReadinessFix } from '@shared/readiness-schemas';
import type { StackSignals } from '../stacks/signals';
import {
  clusterInternal,
  describeSource,
  hostOf,
  LOCAL_HOSTS,
  missingRequired,
  SECRET_MARK,
  variablesRead,
  type ProgramView,
} from './program';

type Draft = Pick<ReadinessCheck, 'id' | 'title' | 'category' | 'weight'>;

export interface Place {
  /** 'Deployment/web', 'Service shop_web' */
  object: string;
  /** Names the stack's components are reached by. */
  services: ReadonlySet<string>;
  /** How evidence names a service ('Service/cache', 'Service stack_cache'). */
  serviceRef(name: string): string;
  namespace?: string;
  reapply: ReadinessFix;
}

function check(
  d: Draft,
  verdict: ReadinessCheck['verdict'],
  summary: string,
  evidence: Evidence[],
  remediation = '',
  fix?: ReadinessFix,
): ReadinessCheck {
  return { ...d, verdict, summary, evidence, remediation, ...(fix && verdict !== 'pass' ? { fix } : {}) };
}

const unreadable = (d: Draft, place: Place, program: ProgramView) =>
  check(d, 'unknown', `The settings of ${place.object} cannot be read: ${program.problem ?? ''}`, []);

const field = (program: ProgramView, key: string) => `setting ${key} (${describeSource(program.sourceOf(key))})`;

/** A config file Homeport cannot read may set what otherwise falls back to the default. */
const maybeInUnreadFile = (program: ProgramView, key: string) => {
  const file = program.unreadable[0];
  const source = program.sourceOf(key);
  return file && (!source || source.kind === 'default')
    ? `${key} may be set in ${file.path} (${file.origin}), which Homeport cannot read`
    : undefined;
};

export function externalStateCheck(
  d: Draft,
  signals: StackSignals,
  program: ProgramView,
  place: Place,
): ReadinessCheck {
  const wanted = signals.externalState;
  if (wanted.length === 0)
    return check(d, 'unknown', 'The stack declares no state kept outside its primary component', []);
  if (program.problem) return unreadable(d, place, program);
  const evidence: Evidence[] = [];
  const problems: string[] = [];
  const unread: string[] = [];
  for (const s of wanted) {
    const value = program.settings.get(s.setting);
    const inFile = maybeInUnreadFile(program, s.setting);
    if (!value || value === SECRET_MARK || inFile) {
      if (value === SECRET_MARK) unread.push(`${s.setting} comes from a secret Homeport does not read`);
      else if (inFile) unread.push(inFile);
      else problems.push(`${s.setting} is not set`);
      const seen = value === SECRET_MARK ? 'from a secret' : value ? 'not read' : 'not set';
      evidence.push({ object: place.object, field: field(program, s.setting), value: seen });
      continue;
    }
    const host = hostOf(value);
    const service = host?.split('.')[0];
    // The URL's host, never the whole URL: it may carry a password.
    evidence.push({ object: place.object, field: field(program, s.setting), value: `host ${host ?? '(not a URL)'}` });
    if (!host || LOCAL_HOSTS.has(host)) problems.push(`the ${s.what} is ${host ?? 'not a URL'}, inside the instance`);
    else if (service !== s.component)
      problems.push(`the ${s.what} is at '${host}', not the component '${s.component}'`);
    else if (!place.services.has(service)) {
      problems.push(`the ${s.what} host '${host}' is not a service of the stack`);
      evidence.push({ object: place.serviceRef(service), value: 'not found' });
    } else evidence.push({ object: place.serviceRef(service), value: 'exists' });
  }
  const kept = wanted.map((s) => `the ${s.what} in '${s.component}'`).join(' and ');
  if (problems.length > 0) {
    return check(
      d,
      'fail',
      problems.join('; '),
      evidence,
      `Every replica must share ${kept} (settings ${wanted.map((s) => s.setting).join(', ')}); re-applying the stack restores them.`,
      place.reapply,
    );
  }
  if (unread.length > 0) return check(d, 'unknown', unread.join('; '), evidence);
  return check(d, 'pass', `State lives outside the process: ${kept}`, evidence);
}

export function objectStorageCheck(
  d: Draft,
  signals: StackSignals,
  program: ProgramView,
  place: Place,
): ReadinessCheck {
  const store = signals.objectStorage;
  if (!store) return check(d, 'unknown', 'The stack declares no user files on object storage', []);
  if (program.problem) return unreadable(d, place, program);
  const backend = program.settings.get(store.setting);
  const endpoint = program.settings.get(store.endpointSetting);
  const evidence: Evidence[] = [
    { object: place.object, field: field(program, store.setting), value: backend ?? 'not set' },
    { object: place.object, field: field(program, store.endpointSetting), value: endpoint ?? 'not set' },
  ];
  const remediation = `Set ${store.setting}=${store.value} with an S3 endpoint: files kept on an instance's own disk are not shared between replicas and are lost with it. Re-applying the stack restores what Homeport renders.`;
  const unread = [store.setting, store.endpointSetting].map((k) => maybeInUnreadFile(program, k)).filter(Boolean);
  if (unread.length > 0) return check(d, 'unknown', unread.join('; '), evidence);
  if (backend !== store.value) {
    const summary = `${store.setting} is ${backend ?? 'not set'}: user files stay on each instance's disk`;
    return check(d, 'fail', summary, evidence, remediation, place.reapply);
  }
  if (!endpoint) {
    const summary = `${store.setting}=${store.value} without ${store.endpointSetting}`;
    return check(d, 'fail', summary, evidence, remediation, place.reapply);
  }
  const host = hostOf(endpoint);
  if (host && clusterInternal(host, place.services, place.namespace)) {
    return check(
      d,
      'warn',
      `User files go to S3 at ${endpoint}, an address inside the stack that browsers cannot reach`,
      evidence,
      `Browsers load these files from URLs built from ${store.endpointSetting} (${store.ref}): give the object store an address browsers reach (an ingress host, a published port or a public endpoint in the stack's values).`,
    );
  }
  return check(d, 'pass', `User files go to S3 at ${endpoint}`, evidence);
}

/** Configuration from the environment and mounted config files, with every required setting set. */
export function configurationCheck(d: Draft, program: ProgramView, place: Place, envNames: string[]): ReadinessCheck {
  if (program.problem) {
    return check(
      d,
      'fail',
      `The settings of ${place.object} cannot be read: ${program.problem}`,
      [{ object: place.object, value: program.problem }],
      'Re-apply the stack so the program runs with what Homeport renders.',
      place.reapply,
    );
  }
  const read = variablesRead(program, envNames);
  const file = program.configFile;
  const evidence: Evidence[] = [
    { object: place.object, field: 'environment', value: `${read.length} variables the program reads` },
  ];
  if (file) evidence.push({ object: place.object, field: `config file ${file.path}`, value: file.origin });
  const missing = missingRequired(program);
  const unread = program.unreadable.map((f) => `${f.path} (${f.origin})`);
  if (missing.length > 0 && unread.length === 0) {
    return check(
      d,
      'fail',
      `${place.object} lacks settings its program requires: ${missing.join(', ')}`,
      [...evidence, ...missing.map((key) => ({ object: place.object, field: `setting ${key}`, value: 'not set' }))],
      'Re-apply the stack: Homeport renders every required setting into the environment or the config file.',
      place.reapply,
    );
  }
  if (read.length === 0 && !file) {
    return check(
      d,
      'fail',
      `${place.object} gets no settings from its environment or a mounted config file`,
      evidence,
      'Re-apply the stack: Homeport renders the settings into the environment and a config file from secrets.',
      place.reapply,
    );
  }
  const from = [`${read.length} environment variables`, ...(file ? [`the config file ${file.path}`] : [])].join(
    ' and ',
  );
  if (unread.length > 0) {
    return check(d, 'unknown', `${place.object} reads ${from}; Homeport cannot read ${unread.join(', ')}`, evidence);
  }
  return check(d, 'pass', `${place.object} is configured by ${from}`, evidence);
}
