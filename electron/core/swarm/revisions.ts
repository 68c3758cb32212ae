/**
 * Revisions of a Swarm stack: one immutable Swarm config `homeport-rev-<stack>-<N>` per apply,
 * labelled like the Kubernetes revision Secrets, holding the validated values and the rendered
 * specs (gzipped JSON) without any secret value.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Revision } from '@shared/deploy-schemas';
import type { SecretValueTest } from '@shared/plan-diff';
import { REVISION_LABEL, revisionDetails, type RevisionAuthor } from '../deploy/revisions';
import { SWARM_MANAGED_BY, SWARM_MANAGED_BY_LABEL, SWARM_STACK_LABEL, type SwarmStack } from '../stacks/swarm';
import type { EngineApi, LiveConfig } from './engine-api';

export const APPLIED_AT_LABEL = 'homeport.dev/applied-at';
const MANAGER_LABEL = 'homeport.dev/field-manager';
const HOST_LABEL = 'homeport.dev/applied-from-host';
const USER_LABEL = 'homeport.dev/applied-by-user';
const ROLLBACK_OF_LABEL = 'homeport.dev/rollback-of';
const ROLLOUT_LABEL = 'homeport.dev/rollout';
export const revisionConfigName = (stack: string, revision: number) => `homeport-rev-${stack}-${revision}`;
export const revisionSelector = (stack: string) => `${SWARM_STACK_LABEL}=${stack}`;

export interface RecordedSwarmRevision {
  revision: number;
  appliedAt: string;
  values: unknown;
  spec: SwarmStack;
  /** The catalog stack it was rendered from (absent in revisions recorded before it was kept). */
  template?: string;
  /** Who applied it (absent on revisions recorded by earlier versions). */
  by?: RevisionAuthor;
  /** The revision a rollback brought back. */
  rollbackOf?: number;
  /** How its rollout ended, once seen. */
  rollout?: 'healthy' | 'failed';
}

export const isRevisionConfig = (c: LiveConfig) => REVISION_LABEL in (c.Spec.Labels ?? {});

/**
 * The stack's specs without secret values. Templates stay: they hold only references to other
 * secret files, and they are the only record of a config file's content (the engine never returns
 * a secret's data), which the readiness checks read.
 */
export function withoutSecretValues(spec: SwarmStack): SwarmStack {
  return {
    ...spec,
    secrets: spec.secrets.map((s) =>
      s.Templating
        ? { Name: s.Name, Labels: s.Labels, Data: s.Data, Templating: s.Templating }
        : { Name: s.Name, Labels: s.Labels },
    ),
  };
}

export const objectCount = (spec: SwarmStack | undefined) =>
  spec
    ? 1 +
      (spec.networks?.length ?? 0) +
      spec.secrets.length +
      (spec.configs?.length ?? 0) +
      spec.volumes.length +
      spec.services.length
    : 0;

export async function listRevisionConfigs(api: EngineApi, stack: string): Promise<LiveConfig[]> {
  return (await api.configs(revisionSelector(stack))).filter(isRevisionConfig);
}

export async function nextRevision(api: EngineApi, stack: string): Promise<number> {
  const numbers = (await listRevisionConfigs(api, stack)).map((c) => Number(c.Spec.Labels?.[REVISION_LABEL]));
  return Math.max(0, ...numbers.filter(Number.isInteger)) + 1;
}

export async function recordRevision(api: EngineApi, stack: string, r: RecordedSwarmRevision): Promise<void> {
  const body = JSON.stringify({ values: r.values, spec: withoutSecretValues(r.spec), template: r.template });
  await api.createConfig({
    Name: revisionConfigName(stack, r.revision),
    Labels: {
      [SWARM_STACK_LABEL]: stack,
      [REVISION_LABEL]: String(r.revision),
      [SWARM_MANAGED_BY_LABEL]: SWARM_MANAGED_BY,
      [APPLIED_AT_LABEL]: r.appliedAt,
      ...(r.by ? { [MANAGER_LABEL]: r.by.manager, [HOST_LABEL]: r.by.host, [USER_LABEL]: r.by.user } : {}),
      ...(r.rollbackOf !== undefined ? { [ROLLBACK_OF_LABEL]: String(r.rollbackOf) } : {}),
    },
    Data: gzipSync(Buffer.from(body)).toString('base64'),
  });
}

const revisionOf = (c: LiveConfig) => Number(c.Spec.Labels?.[REVISION_LABEL]);

async function readRevision(api: EngineApi, c: LiveConfig): Promise<RecordedSwarmRevision> {
  const data = c.Spec.Data ?? (await api.config(c.ID)).Spec.Data;
  const parsed = data
    ? (JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as {
        values?: unknown;
        spec?: SwarmStack;
        template?: string;
      })
    : {};
  const labels = c.Spec.Labels ?? {};
  const rollbackOf = Number(labels[ROLLBACK_OF_LABEL]);
  const rollout = labels[ROLLOUT_LABEL];
  return {
    revision: revisionOf(c),
    appliedAt: labels[APPLIED_AT_LABEL] ?? c.CreatedAt ?? '',
    values: parsed.values,
    spec: parsed.spec as SwarmStack,
    ...(typeof parsed.template === 'string' ? { template: parsed.template } : {}),
    ...(labels[MANAGER_LABEL]
      ? { by: { manager: labels[MANAGER_LABEL], host: labels[HOST_LABEL] ?? '', user: labels[USER_LABEL] ?? '' } }
      : {}),
    ...(Number.isInteger(rollbackOf) && rollbackOf > 0 ? { rollbackOf } : {}),
    ...(rollout === 'healthy' || rollout === 'failed' ? { rollout } : {}),
  };
}

const numbered = (configs: LiveConfig[]) =>
  configs.filter((c) => Number.isInteger(revisionOf(c)) && revisionOf(c) >= 1);

export async function readRevisions(api: EngineApi, stack: string): Promise<RecordedSwarmRevision[]> {
  const out: RecordedSwarmRevision[] = [];
  for (const c of numbered(await listRevisionConfigs(api, stack))) out.push(await readRevision(api, c));
  return out.sort((a, b) => b.revision - a.revision);
}

/** The newest revision only (undefined when Homeport recorded none). */
export async function readCurrentRevision(api: EngineApi, stack: string): Promise<RecordedSwarmRevision | undefined> {
  const newest = numbered(await listRevisionConfigs(api, stack)).sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  return newest ? readRevision(api, newest) : undefined;
}

/**
 * `inSecret(r)`: tells the values revision r stores in secrets (they are masked in its summary);
 * the deployer renders r's values to know.
 */
export function toRevisionList(
  recorded: RecordedSwarmRevision[],
  inSecret?: (r: RecordedSwarmRevision, previous: RecordedSwarmRevision | undefined) => SecretValueTest,
): Revision[] {
  return recorded.map((r, i) => ({
    revision: r.revision,
    appliedAt: r.appliedAt,
    values: r.values,
    objects: objectCount(r.spec),
    current: i === 0,
    ...revisionDetails(r, recorded[i + 1], inSecret?.(r, recorded[i + 1])),
  }));
}

/** Records how the newest revision's rollout ended, once, as a label of its config. */
export async function recordRollout(api: EngineApi, stack: string, outcome: 'healthy' | 'failed'): Promise<boolean> {
  const newest = numbered(await listRevisionConfigs(api, stack)).sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  if (!newest || newest.Spec.Labels?.[ROLLOUT_LABEL]) return false;
  const full = await api.config(newest.ID);
  await api.updateConfig(full.ID, full.Version.Index, {
    ...full.Spec,
    Labels: { ...full.Spec.Labels, [ROLLOUT_LABEL]: outcome },
  });
  return true;
}
