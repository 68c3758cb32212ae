/** homeport render / deploy / rollback / uninstall / revisions: the Deploy screen for scripts. */
import { createInterface } from 'node:readline/promises';
import type { ApplyResult, FieldIssue, Plan, Revision, RolloutStatus, UninstallResult } from '@shared/deploy-schemas';
import { ValuesError } from '../core/deploy/engine';
import { HomeportError } from '../core/errors';
import { createStackCatalog, toYaml } from '../core/stacks/catalog';
import { resolveDataDir } from '../core/storage/data-dir';
import { readUserText } from '../core/storage/user-file';
import { parseUserYaml } from '../core/storage/user-yaml';
import { createServices, type Services } from '../services';

export interface TargetOptions {
  context?: string;
  /** A saved Docker endpoint (or 'env' for $DOCKER_HOST): deploy to its swarm instead. */
  swarm?: string;
  namespace?: string;
  kubeconfig?: string;
  'data-dir'?: string;
}

export interface StackIo {
  /** Asks a yes/no question; resolves false when there is no terminal to ask on. */
  confirm(question: string): Promise<boolean>;
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: StackIo = {
  async confirm(question) {
    if (!process.stdin.isTTY) return false;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  },
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

function formatIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `  ${i.path || 'values'}: ${i.message}`).join('\n');
}

/** Reads a values file (YAML or JSON); a missing option means the stack's defaults. */
export async function readValues(file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) return {};
  const text = await readUserText(file, { kind: 'values', field: '--values:' });
  let parsed: unknown;
  try {
    parsed = parseUserYaml(text, `--values: ${file}`);
  } catch (err) {
    if (err instanceof HomeportError) throw err;
    throw new HomeportError('INVALID_INPUT', `--values: ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HomeportError('INVALID_INPUT', `--values: ${file} must hold a mapping of values (key: value)`);
  }
  return parsed as Record<string, unknown>;
}

/** The stack named on the command line, checked against the catalog. */
function requireStack(stack: string | undefined, catalog = createStackCatalog()): string {
  const names = catalog.list().map((s) => s.name);
  if (!stack) throw new HomeportError('INVALID_INPUT', `name a stack: one of ${names.join(', ')}`);
  if (!names.includes(stack)) {
    throw new HomeportError('NOT_FOUND', `unknown stack '${stack}'; the catalog has: ${names.join(', ')}`);
  }
  return stack;
}

/** The values file read and checked against the stack; undefined (issues printed) when invalid. */
async function readCheckedValues(
  catalog: ReturnType<typeof createStackCatalog>,
  name: string,
  file: string | undefined,
  io: StackIo,
): Promise<{ raw: Record<string, unknown>; values: unknown } | undefined> {
  const raw = await readValues(file);
  const checked = catalog.validate(name, raw);
  if (!checked.ok) {
    io.err(`Invalid values for stack '${name}':\n${formatIssues(checked.issues)}`);
    return undefined;
  }
  return { raw, values: checked.values };
}

export async function runRender(
  stack: string | undefined,
  opts: { values?: string; namespace?: string; 'data-dir'?: string },
  io: StackIo = consoleIo,
): Promise<number> {
  const catalog = createStackCatalog();
  const name = requireStack(stack, catalog);
  const checked = await readCheckedValues(catalog, name, opts.values, io);
  if (!checked) return 1;
  // A NAS export or S3 profile named in the values is looked up; keys never reach the output.
  const resolved = await withServices(opts, (services) => services.resolveReferences(name, checked.values));
  const rendered = catalog.renderKubernetes(name, resolved.values, { namespace: opts.namespace ?? name });
  io.out(toYaml(rendered.objects));
  return 0;
}

function servicesFor(opts: TargetOptions): Services {
  const env = opts.kubeconfig ? { ...process.env, KUBECONFIG: opts.kubeconfig } : process.env;
  return createServices({ dataDir: resolveDataDir({ flag: opts['data-dir'] }), mode: 'desktop', env });
}

/** Where the CLI deploys: a Kubernetes context and namespace, or a saved Docker Swarm endpoint. */
interface CliTarget {
  /** "namespace revenge of context home" / "swarm endpoint nas" */
  where: string;
  kind: 'kubernetes' | 'swarm';
  plan(values: unknown): Promise<Plan>;
  apply(values: unknown, prune: boolean): Promise<ApplyResult>;
  revisions(): Promise<Revision[]>;
  watch(emit: (s: RolloutStatus) => void): () => void;
  uninstall(deleteData: boolean): Promise<UninstallResult>;
}

function targetOf(services: Services, opts: TargetOptions, stack: string): CliTarget {
  if (opts.context && opts.swarm) {
    throw new HomeportError('INVALID_INPUT', 'give either --context (Kubernetes) or --swarm (Docker Swarm), not both');
  }
  if (opts.swarm) {
    const ref = { endpoint: opts.swarm, stack };
    const d = services.swarmDeploy;
    return {
      where: `swarm endpoint '${opts.swarm}'`,
      kind: 'swarm',
      plan: async (values) => d.plan({ ...ref, ...(await services.resolveReferences(stack, values)) }),
      apply: async (values, prune) => d.apply({ ...ref, ...(await services.resolveReferences(stack, values)), prune }),
      revisions: () => d.revisions(ref),
      watch: (emit) => d.watchConvergence(ref, emit),
      uninstall: (deleteData) => d.remove({ ...ref, deleteVolumes: deleteData }),
    };
  }
  if (!opts.context) {
    throw new HomeportError(
      'INVALID_INPUT',
      '--context: name the cluster context (see homeport contexts), or --swarm a Docker endpoint',
    );
  }
  const ref = { context: opts.context, namespace: opts.namespace ?? stack, stack };
  const d = services.deploy;
  return {
    where: `namespace ${ref.namespace} of context '${ref.context}'`,
    kind: 'kubernetes',
    plan: async (values) => d.plan({ ...ref, ...(await services.resolveReferences(stack, values)) }),
    apply: async (values, prune) => d.apply({ ...ref, ...(await services.resolveReferences(stack, values)), prune }),
    revisions: () => d.revisions(ref),
    watch: (emit) => d.watchRollout(ref, emit),
    uninstall: (deleteData) => d.uninstall({ ...ref, deleteClaims: deleteData }),
  };
}

export function formatPlan(plan: Plan): string {
  const rows = plan.items.map((i) => [
    i.action,
    i.kind,
    i.namespace ? `${i.namespace}/${i.name}` : i.name,
    i.changedFields.join(', '),
  ]);
  const header = ['ACTION', 'KIND', 'NAME', 'CHANGED FIELDS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const changesIn = (plan: Plan) => plan.items.filter((i) => i.action !== 'unchanged');

/** Follows the rollout until it is healthy or failed, printing each change; false on failure or timeout. */
function followRollout(target: CliTarget, stack: string, io: StackIo, timeoutMs: number) {
  return new Promise<boolean>((resolvePromise) => {
    let last = '';
    let stop: () => void = () => {};
    const timer = setTimeout(() => {
      stop();
      io.err(`Not healthy after ${Math.round(timeoutMs / 1000)} s: ${last}`);
      resolvePromise(false);
    }, timeoutMs);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      // The subscription may report synchronously, before stop exists.
      queueMicrotask(() => stop());
      resolvePromise(ok);
    };
    stop = target.watch((status) => {
      const line = status.workloads.map((w) => `${w.name} ${w.ready}/${w.desired}`).join(', ');
      if (line !== last) io.err(`${status.state}: ${line}`);
      last = line;
      if (status.state === 'healthy') {
        io.out(`Stack '${stack}' is healthy in ${target.where}.`);
        finish(true);
      } else if (status.state === 'failed') {
        io.err(`Rollout failed: ${status.failed?.component ?? '?'}: ${status.failed?.reason ?? ''}`);
        finish(false);
      }
    });
  });
}

/** Runs one command against a context with the deploy services, closing them afterwards. */
async function withServices<R>(opts: TargetOptions, fn: (s: Services) => Promise<R>): Promise<R> {
  const services = servicesFor(opts);
  try {
    return await fn(services);
  } catch (err) {
    if (err instanceof ValuesError) throw new HomeportError('INVALID_INPUT', err.message);
    throw err;
  } finally {
    services.close();
  }
}

export async function runDeploy(
  stack: string | undefined,
  opts: TargetOptions & { values?: string; 'dry-run'?: boolean; yes?: boolean; timeout?: string },
  io: StackIo = consoleIo,
): Promise<number> {
  const name = requireStack(stack);
  const checked = await readCheckedValues(createStackCatalog(), name, opts.values, io);
  if (!checked) return 1;
  const values = checked.raw;
  const timeoutMs = parseTimeout(opts.timeout);
  return withServices(opts, async (services) => {
    const target = targetOf(services, opts, name);
    const plan = await target.plan(values);
    io.err(formatPlan(plan));
    const changes = changesIn(plan);
    const prunes = plan.items.filter((i) => i.action === 'prune');
    if (opts['dry-run']) {
      io.out(`Dry run: ${changes.length} change(s) planned for revision ${plan.revision}; nothing was applied.`);
      return 0;
    }
    if (changes.length === 0) {
      io.out(`No changes: stack '${name}' is up to date in ${target.where}.`);
      return 0;
    }
    if (!opts.yes && !(await io.confirm(`Apply ${changes.length} change(s) to ${target.where}?`))) {
      io.err('Not applied. Run again with --yes to apply without asking.');
      return 1;
    }
    const prune =
      prunes.length > 0 &&
      (opts.yes === true ||
        (await io.confirm(
          `Delete ${prunes.length} object(s) the stack no longer has (${prunes.map((p) => p.name).join(', ')})?`,
        )));
    const result = await target.apply(values, prune);
    io.out(`Applied revision ${result.revision} of '${name}' to ${target.where}.`);
    if (result.leftOver.length > 0) io.err(`Left in place (prune not confirmed): ${result.leftOver.join(', ')}`);
    return (await followRollout(target, name, io, timeoutMs)) ? 0 : 1;
  });
}

export async function runRevisions(stack: string | undefined, opts: TargetOptions, io: StackIo = consoleIo) {
  const name = requireStack(stack);
  return withServices(opts, async (services) => {
    const target = targetOf(services, opts, name);
    const list = await target.revisions();
    if (list.length === 0) io.out(`Stack '${name}' is not deployed in ${target.where}.`);
    for (const r of list) io.out(`${String(r.revision).padEnd(4)} ${r.appliedAt}${r.current ? '  (live)' : ''}`);
    return 0;
  });
}

export async function runRollback(
  stack: string | undefined,
  opts: TargetOptions & { revision?: string; service?: string; yes?: boolean; timeout?: string },
  io: StackIo = consoleIo,
): Promise<number> {
  const name = requireStack(stack);
  return withServices(opts, async (services) => {
    const target = targetOf(services, opts, name);
    if (target.kind === 'swarm') {
      // Swarm keeps each service's previous spec: roll one service back to it.
      if (!opts.service) {
        throw new HomeportError('INVALID_INPUT', `--service: name the Swarm service to roll back (e.g. ${name}_api)`);
      }
      if (
        !opts.yes &&
        !(await io.confirm(`Roll service '${opts.service}' on ${target.where} back to its previous spec?`))
      ) {
        io.err('Not rolled back. Run again with --yes to roll back without asking.');
        return 1;
      }
      await services.swarmDeploy.rollbackService({ endpoint: opts.swarm ?? '', stack: name, service: opts.service });
      io.out(`Rolling back service '${opts.service}'.`);
      return (await followRollout(target, name, io, parseTimeout(opts.timeout))) ? 0 : 1;
    }
    const revision = Number(opts.revision);
    if (!opts.revision || !Number.isInteger(revision) || revision < 1) {
      throw new HomeportError(
        'INVALID_INPUT',
        `--revision: give the revision number to roll back to (see homeport revisions ${name})`,
      );
    }
    if (!opts.yes && !(await io.confirm(`Roll '${name}' in ${target.where} back to revision ${revision}?`))) {
      io.err('Not rolled back. Run again with --yes to roll back without asking.');
      return 1;
    }
    const ref = { context: opts.context ?? '', namespace: opts.namespace ?? name, stack: name };
    // The revision records references (a profile name), not keys: resolve them again now.
    const recorded = (await services.deploy.revisions(ref)).find((r) => r.revision === revision);
    const { provided } = recorded ? await services.resolveReferences(name, recorded.values) : { provided: undefined };
    const result = await services.deploy.rollback({ ...ref, revision, provided });
    io.out(`Rolled back to revision ${revision}; recorded as revision ${result.revision}.`);
    return (await followRollout(target, name, io, parseTimeout(opts.timeout))) ? 0 : 1;
  });
}

export async function runUninstall(
  stack: string | undefined,
  opts: TargetOptions & { 'delete-claims'?: boolean; yes?: boolean },
  io: StackIo = consoleIo,
): Promise<number> {
  const name = requireStack(stack);
  const deleteClaims = opts['delete-claims'] === true;
  return withServices(opts, async (services) => {
    const target = targetOf(services, opts, name);
    const question = `Uninstall '${name}' from ${target.where}${deleteClaims ? ', deleting its data volumes' : ''}?`;
    if (!opts.yes && !(await io.confirm(question))) {
      io.err('Not uninstalled. Run again with --yes to uninstall without asking.');
      return 1;
    }
    const result = await target.uninstall(deleteClaims);
    io.out(`Deleted ${result.deleted.length} object(s).`);
    if (result.kept.length > 0) io.out(`Kept (data volumes; --delete-claims removes them): ${result.kept.join(', ')}`);
    return 0;
  });
}

export function parseTimeout(value: string | undefined): number {
  if (value === undefined) return 10 * 60_000;
  const m = /^(\d+)(s|m)?$/.exec(value.trim());
  if (!m) throw new HomeportError('INVALID_INPUT', `--timeout: '${value}' is not a duration; use e.g. 90s or 10m`);
  return Number(m[1]) * (m[2] === 'm' ? 60_000 : 1000);
}
