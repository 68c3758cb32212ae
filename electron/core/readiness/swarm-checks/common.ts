/** What the Swarm readiness checks share: their inputs, the primary service and what its program reads. */
import type { BackupStatus } from '../backup-check';
import type { ReadinessCheck, ReadinessFix } from '@shared/readiness-schemas';
import type { LeaderRead } from '../../leaders/read-leader';
import type { StackSignals } from '../../stacks/signals';
import { SECRETS_DIR, SWARM_COMPONENT_LABEL, type SwarmStack } from '../../stacks/swarm';
import type { ImageContract } from '../../stacks/upstream';
import type { LiveService, LiveTask } from '../../swarm/engine-api';
import { programView, withoutPlaceholders, type ProgramView } from '../program';

export interface SwarmInputs {
  stack: string;
  services: LiveService[];
  tasks: LiveTask[];
  configNames: string[];
  /** The values of the current revision (undefined when Homeport recorded none). */
  values: unknown;
  signals: StackSignals;
  contracts: readonly ImageContract[];
  /**
   * The current revision's specs as Homeport recorded them: the engine never returns a secret's
   * data, so the templates of config files are read from here.
   */
  recorded?: SwarmStack;
  /** What the stack's leader table says, when its leader lives in one and Homeport could run psql. */
  tableLeader?: LeaderRead;
  /** What Homeport knows of the stack's backups; undefined when it took none. */
  backup?: BackupStatus;
  now?: Date;
}

export type Draft = Pick<ReadinessCheck, 'id' | 'title' | 'category' | 'weight'>;
export const SECOND = 1_000_000_000;
export const REAPPLY: ReadinessFix = { label: 'Re-deploy the stack', values: {} };

export function make(
  d: Draft,
  verdict: ReadinessCheck['verdict'],
  summary: string,
  evidence: ReadinessCheck['evidence'],
  remediation = '',
  fix?: ReadinessFix,
): ReadinessCheck {
  return { ...d, verdict, summary, evidence, remediation, ...(fix && verdict !== 'pass' ? { fix } : {}) };
}

export const unknown = (d: Draft, why: string, remediation = ''): ReadinessCheck =>
  make(d, 'unknown', why, [{ value: 'not observable on Docker Swarm' }], remediation);

export const componentOf = (s: LiveService) => s.Spec.Labels?.[SWARM_COMPONENT_LABEL] ?? s.Spec.Name;
export const obj = (s: LiveService) => `Service ${s.Spec.Name}`;

export function envOf(s: LiveService): [string, string][] {
  return (s.Spec.TaskTemplate.ContainerSpec.Env ?? []).map((e) => {
    const i = e.indexOf('=');
    return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
  });
}

export const serviceOf = (i: SwarmInputs, component: string) => i.services.find((s) => componentOf(s) === component);
export const primaryService = (i: SwarmInputs) => serviceOf(i, i.signals.primary);
/** The services that run until stopped: not one-shot jobs, which run to their end and are done. */
export const longRunning = (i: SwarmInputs) => i.services.filter((s) => !s.Spec.Mode?.ReplicatedJob);

export const noService = (d: Draft, component: string) =>
  make(
    d,
    'fail',
    `The stack has no service for its component '${component}'`,
    [{ object: `Service with ${SWARM_COMPONENT_LABEL}=${component}`, value: 'not found' }],
    'Deploy the stack.',
    REAPPLY,
  );

export const noPrimary = (d: Draft, i: SwarmInputs) => noService(d, i.signals.primary);

export function running(i: SwarmInputs, s: LiveService): number {
  return i.tasks.filter((t) => t.ServiceID === s.ID && t.Status.State === 'running' && t.DesiredState === 'running')
    .length;
}

/** The environment, arguments and secret files of a service, as its program sees them (no secret values). */
export function programOf(i: SwarmInputs, s: LiveService): ProgramView {
  const spec = s.Spec.TaskTemplate.ContainerSpec;
  const files = (spec.Secrets ?? []).map((ref) => {
    const recorded = i.recorded?.secrets.find((x) => x.Name === ref.SecretName);
    // A template holds no value: the one Homeport recorded is the file's content, placeholders and all.
    const template =
      recorded?.Templating && recorded.Data ? Buffer.from(recorded.Data, 'base64').toString('utf8') : undefined;
    return {
      path: ref.File.Name.startsWith('/') ? ref.File.Name : `${SECRETS_DIR}/${ref.File.Name}`,
      content: template === undefined ? undefined : withoutPlaceholders(template),
      origin: `secret ${ref.SecretName}${recorded?.Templating ? ' (template recorded in the current revision)' : ''}`,
      secret: true,
    };
  });
  return programView(i.contracts, componentOf(s), {
    image: spec.Image,
    env: envOf(s).map(([name, value]) => ({ name, value, literal: true })),
    args: spec.Args ?? [],
    files,
  });
}
