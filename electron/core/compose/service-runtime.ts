/** A compose service's health check and deploy section (service.ts reads the rest). */
import {
  asBool,
  asNumber,
  asString,
  checkKeys,
  cpuQuantity,
  durationSeconds,
  isObj,
  memoryQuantity,
  type ComposeHealth,
  type ComposeService,
  type Findings,
  type Obj,
} from './project';
import type { KeyPath } from './source';

export function healthOf(v: unknown, at: KeyPath, f: Findings): ComposeHealth | undefined {
  if (!isObj(v)) return undefined;
  checkKeys(f, v, at, new Set(['test', 'interval', 'timeout', 'retries', 'start_period', 'disable']), {
    start_interval: 'checks during the start period run at the usual interval',
  });
  if (asBool(v.disable)) return undefined;
  const test = v.test;
  let command: string[] | undefined;
  if (typeof test === 'string') command = ['sh', '-c', test];
  else if (Array.isArray(test)) {
    const [kind, ...rest] = test.map((x) => asString(x) ?? '');
    if (kind === 'NONE') return undefined;
    if (kind === 'CMD') command = rest;
    else if (kind === 'CMD-SHELL') command = ['sh', '-c', rest.join(' ')];
  }
  if (!command || command.length === 0) {
    f.error([...at, 'test'], "the health check's test must be a command (CMD or CMD-SHELL)");
    return undefined;
  }
  const line = f.lineOf(at);
  return {
    command,
    intervalSeconds: Math.max(1, durationSeconds(v.interval) ?? 30),
    timeoutSeconds: Math.max(1, durationSeconds(v.timeout) ?? 30),
    retries: Math.max(1, asNumber(v.retries) ?? 3),
    startPeriodSeconds: durationSeconds(v.start_period) ?? 0,
    ...(line !== undefined ? { line } : {}),
  };
}

export function readDeploy(raw: Obj, at: KeyPath, f: Findings, svc: ComposeService) {
  const scale = asNumber(raw.scale);
  if (scale !== undefined) svc.replicas = scale;
  const mem = memoryQuantity(raw.mem_limit);
  if (mem) svc.resources.limits.memory = mem;
  const memRes = memoryQuantity(raw.mem_reservation);
  if (memRes) svc.resources.reservations.memory = memRes;
  const cpus = cpuQuantity(raw.cpus);
  if (cpus) svc.resources.limits.cpu = cpus;
  const d = raw.deploy;
  if (!isObj(d)) return;
  const dp = [...at, 'deploy'];
  checkKeys(
    f,
    d,
    dp,
    new Set(['mode', 'replicas', 'resources', 'update_config', 'rollback_config', 'restart_policy']),
    {
      placement: 'the platform places the instances',
      labels: 'service labels are not carried onto the deployed objects',
      endpoint_mode: 'services are reached through the platform’s virtual IP',
    },
  );
  const mode = asString(d.mode);
  if (mode !== undefined && mode !== 'replicated') {
    f.unsupportedKey([...dp, 'mode'], `mode '${mode}' is not supported: services are replicated`);
  }
  const replicas = asNumber(d.replicas);
  if (replicas !== undefined) svc.replicas = replicas;
  for (const key of ['update_config', 'rollback_config'] as const) {
    if (d[key] !== undefined) {
      f.note(
        [...dp, key],
        'rolling updates and roll-backs follow Homeport’s (one instance at a time, new before old where the storage allows)',
      );
    }
  }
  const rp = d.restart_policy;
  if (isObj(rp)) {
    checkKeys(f, rp, [...dp, 'restart_policy'], new Set(['condition']));
    const c = asString(rp.condition);
    if (c !== undefined && c !== 'any') {
      f.unsupportedKey(
        [...dp, 'restart_policy', 'condition'],
        `'${c}': containers are always restarted when they exit`,
      );
    }
  }
  const r = d.resources;
  if (isObj(r)) {
    checkKeys(f, r, [...dp, 'resources'], new Set(['limits', 'reservations']));
    for (const [key, into] of [
      ['limits', svc.resources.limits],
      ['reservations', svc.resources.reservations],
    ] as const) {
      const amounts = r[key];
      if (!isObj(amounts)) continue;
      checkKeys(f, amounts, [...dp, 'resources', key], new Set(['cpus', 'memory']), {
        devices: 'Homeport passes no devices (GPUs) into containers',
      });
      const cpu = cpuQuantity(amounts.cpus);
      if (cpu) into.cpu = cpu;
      const memory = memoryQuantity(amounts.memory);
      if (memory) into.memory = memory;
    }
  }
}
