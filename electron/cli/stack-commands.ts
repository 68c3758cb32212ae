/** homeport render / deploy / rollback / uninstall / revisions: the Deploy screen for scripts. */
import { createInterface } from 'node:readline/promises';
import type { FieldIssue, Plan } from '@shared/deploy-schemas';
import { describeValueChange } from '@shared/plan-diff';
import { describeTarget, targetSchema, type StackOnTarget, type Target } from '@shared/target-schemas';
import { userError } from '../api/errors';
import { HomeportError } from '../core/errors';
import { requireKnownStack } from '../core/targets/stack-deployments';
import { toYaml } from '../core/stacks/catalog';
import type { StackCatalog } from '../core/stacks/types';
import { resolveDataDir } from '../core/storage/data-dir';
import { readUserText } from '../core/storage/user-file';
import { parseUserYaml } from '../core/storage/user-yaml';
import { createServices, type Services } from '../services';
import { UsageError } from './usage-error';

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

/**
 * The catalog the commands check stack names and values against: the catalog's own stacks and the
 * user stacks saved in the data directory.
 */
export function cliCatalog(opts: { 'data-dir'?: string }): StackCatalog {
  const services = createServices({ dataDir: resolveDataDir({ flag: opts['data-dir'] }), mode: 'desktop' });
  services.close();
  return services.stacks;
}

/** The stack named on the command line, checked against the catalog. */
function requireStack(stack: string | undefined, catalog: StackCatalog): string {
  if (!stack) {
    const names = catalog.list().map((s) => s.name);
    throw new UsageError(`name a stack: one of ${names.join(', ')}`);
  }
  return requireKnownStack(catalog, stack);
}

/** The values file read and checked against the stack; undefined (issues printed) when invalid. */
async function readCheckedValues(
  catalog: StackCatalog,
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
  const catalog = cliCatalog(opts);
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

/** Where the command acts: --context (and --namespace, default the stack's name) or --swarm. */
export function targetFromOptions(opts: TargetOptions, stack: string): Target {
  if (opts.context && opts.swarm) {
    throw new UsageError('give either --context (Kubernetes) or --swarm (Docker Swarm), not both');
  }
  const parsed = targetSchema.safeParse(
    opts.swarm
      ? { kind: 'swarm', endpoint: opts.swarm }
      : { kind: 'kubernetes', context: opts.context ?? '', namespace: opts.namespace ?? stack },
  );
  if (!opts.swarm && !opts.context) {
    throw new UsageError('--context: name the cluster context (see homeport contexts), or --swarm a Docker endpoint');
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = opts.swarm ? '--swarm' : issue?.path.includes('namespace') ? '--namespace' : '--context';
    throw new UsageError(`${option}: ${issue?.message ?? 'not valid'}`);
  }
  return parsed.data;
}

export function formatPlan(plan: Plan): string {
  const values = plan.values?.changes.length
    ? `Values:\n${plan.values.changes.map((c) => `  ${describeValueChange(c)}`).join('\n')}\n`
    : '';
  return values + formatPlanItems(plan);
}

function formatPlanItems(plan: Plan): string {
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
function followRollout(services: Services, ref: StackOnTarget, io: StackIo, timeoutMs: number) {
  const where = describeTarget(ref.target);
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
    stop = services.deployments.watchRollout(ref, (status) => {
      const line = status.workloads.map((w) => `${w.name} ${w.ready}/${w.desired}`).join(', ');
      if (line !== last) io.err(`${status.state}: ${line}`);
      last = line;
      if (status.state === 'healthy') {
        io.out(`Stack '${ref.stack}' is healthy in ${where}.`);
        finish(true);
      } else if (status.state === 'failed') {
        io.err(`Rollout failed: ${status.failed?.component ?? '?'}: ${status.failed?.reason ?? ''}`);
        finish(false);
      }
    });
  });
}

/** Runs one command with the services, closing them afterwards; failures in the user's words. */
export async function withServices<R>(
  opts: TargetOptions,
  fn: (s: Services) => Promise<R>,
  ref?: StackOnTarget,
): Promise<R> {
  const services = servicesFor(opts);
  try {
    return await fn(services);
  } catch (err) {
    throw ref ? userError(err, `stack '${ref.stack}'`, ref.target) : err;
  } finally {
    services.close();
  }
}

export async function runDeploy(
  stack: string | undefined,
  opts: TargetOptions & { values?: string; 'dry-run'?: boolean; yes?: boolean; timeout?: string },
  io: StackIo = consoleIo,
): Promise<number> {
  const catalog = cliCatalog(opts);
  const name = requireStack(stack, catalog);
  const ref = { target: targetFromOptions(opts, name), stack: name };
  const checked = await readCheckedValues(catalog, name, opts.values, io);
  if (!checked) return 1;
  const values = checked.raw;
  const timeoutMs = parseTimeout(opts.timeout);
  const where = describeTarget(ref.target);
  return withServices(
    opts,
    async (services) => {
      const plan = await services.deployments.plan({ ...ref, values });
      io.err(formatPlan(plan));
      const changes = changesIn(plan);
      const prunes = plan.items.filter((i) => i.action === 'prune');
      if (opts['dry-run']) {
        io.out(`Dry run: ${changes.length} change(s) planned for revision ${plan.revision}; nothing was applied.`);
        return 0;
      }
      if (changes.length === 0) {
        io.out(`No changes: stack '${name}' is up to date in ${where}.`);
        return 0;
      }
      if (!opts.yes && !(await io.confirm(`Apply ${changes.length} change(s) to ${where}?`))) {
        io.err('Not applied. Run again with --yes to apply without asking.');
        return 1;
      }
      const prune =
        prunes.length > 0 &&
        (opts.yes === true ||
          (await io.confirm(
            `Delete ${prunes.length} object(s) the stack no longer has (${prunes.map((p) => p.name).join(', ')})?`,
          )));
      const result = await services.deployments.apply({ ...ref, values, prune });
      io.out(`Applied revision ${result.revision} of '${name}' to ${where}.`);
      if (result.leftOver.length > 0) io.err(`Left in place (prune not confirmed): ${result.leftOver.join(', ')}`);
      return (await followRollout(services, ref, io, timeoutMs)) ? 0 : 1;
    },
    ref,
  );
}

export async function runRevisions(stack: string | undefined, opts: TargetOptions, io: StackIo = consoleIo) {
  const name = requireStack(stack, cliCatalog(opts));
  const ref = { target: targetFromOptions(opts, name), stack: name };
  return withServices(
    opts,
    async (services) => {
      const list = await services.deployments.revisions(ref);
      if (list.length === 0) {
        io.out(`No revisions yet: stack '${name}' is not deployed in ${describeTarget(ref.target)}.`);
      }
      for (const r of list) {
        const who = r.manager ? `${r.manager}@${r.host ?? '?'}${r.user ? ` (${r.user})` : ''}` : 'unknown';
        const rollout = r.rollout ?? 'rollout unknown';
        io.out(
          `${String(r.revision).padEnd(4)} ${r.appliedAt}${r.current ? '  (live)' : ''}  ${who}  ${rollout}  ${r.summary ?? ''}`.trimEnd(),
        );
      }
      return 0;
    },
    ref,
  );
}

export async function runRollback(
  stack: string | undefined,
  opts: TargetOptions & { revision?: string; service?: string; yes?: boolean; timeout?: string },
  io: StackIo = consoleIo,
): Promise<number> {
  const name = requireStack(stack, cliCatalog(opts));
  const ref = { target: targetFromOptions(opts, name), stack: name };
  const where = describeTarget(ref.target);
  if (opts.service !== undefined && opts.revision !== undefined) {
    throw new UsageError('give either --revision N (the stack) or --service NAME (one workload)');
  }
  if (opts.service !== undefined) {
    const workload = opts.service;
    return withServices(
      opts,
      async (services) => {
        if (!opts.yes && !(await io.confirm(`Roll '${workload}' in ${where} back to its previous spec?`))) {
          io.err('Not rolled back. Run again with --yes to roll back without asking.');
          return 1;
        }
        await services.deployments.rollbackWorkload({ ...ref, workload });
        io.out(`Rolling back '${workload}'.`);
        return (await followRollout(services, ref, io, parseTimeout(opts.timeout))) ? 0 : 1;
      },
      ref,
    );
  }
  const revision = Number(opts.revision);
  if (!opts.revision || !Number.isInteger(revision) || revision < 1) {
    throw new UsageError(
      `--revision: give the revision number to roll back to (see homeport revisions ${name})` +
        (ref.target.kind === 'swarm' ? `, or --service NAME to roll one service back to its previous spec` : ''),
    );
  }
  return withServices(
    opts,
    async (services) => {
      // Checked before the question: there is nothing to confirm about a revision that does not exist.
      const known = (await services.deployments.revisions(ref)).map((r) => r.revision).sort((a, b) => a - b);
      if (!known.includes(revision)) {
        throw new HomeportError(
          'NOT_FOUND',
          `revision ${revision} of '${name}' does not exist (` +
            (known.length ? `revisions: ${known.join(', ')}` : `it is not deployed in ${where}`) +
            ')',
        );
      }
      // Refuses the revision that runs now, and shows what the rollback changes before asking.
      io.err(formatPlan(await services.deployments.rollbackPlan({ ...ref, revision })));
      if (!opts.yes && !(await io.confirm(`Roll '${name}' in ${where} back to revision ${revision}?`))) {
        io.err('Not rolled back. Run again with --yes to roll back without asking.');
        return 1;
      }
      const result = await services.deployments.rollback({ ...ref, revision });
      io.out(`Rolled back to revision ${revision}; recorded as revision ${result.revision}.`);
      return (await followRollout(services, ref, io, parseTimeout(opts.timeout))) ? 0 : 1;
    },
    ref,
  );
}

export async function runUninstall(
  stack: string | undefined,
  opts: TargetOptions & { 'delete-claims'?: boolean; yes?: boolean },
  io: StackIo = consoleIo,
): Promise<number> {
  const name = requireStack(stack, cliCatalog(opts));
  const ref = { target: targetFromOptions(opts, name), stack: name };
  const deleteData = opts['delete-claims'] === true;
  const where = describeTarget(ref.target);
  return withServices(
    opts,
    async (services) => {
      const question = `Uninstall '${name}' from ${where}${deleteData ? ', deleting its data volumes' : ''}?`;
      if (!opts.yes && !(await io.confirm(question))) {
        io.err('Not uninstalled. Run again with --yes to uninstall without asking.');
        return 1;
      }
      const result = await services.deployments.uninstall({ ...ref, deleteData });
      io.out(`Deleted ${result.deleted.length} object(s).`);
      if (result.kept.length > 0)
        io.out(`Kept (data volumes; --delete-claims removes them): ${result.kept.join(', ')}`);
      return 0;
    },
    ref,
  );
}

export function parseTimeout(value: string | undefined): number {
  if (value === undefined) return 10 * 60_000;
  const m = /^(\d+)(s|m)?$/.exec(value.trim());
  if (!m) throw new UsageError(`--timeout: '${value}' is not a duration; use e.g. 90s or 10m`);
  return Number(m[1]) * (m[2] === 'm' ? 60_000 : 1000);
}
