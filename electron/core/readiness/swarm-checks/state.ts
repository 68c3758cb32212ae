/** Swarm readiness checks: State management and Configuration, from the primary's effective settings. */
import type { ReadinessCheck } from '@shared/readiness-schemas';
import { SECRETS_DIR } from '../../stacks/swarm';
import { tableLeaderCheck } from '../leader';
import { configurationCheck, externalStateCheck, objectStorageCheck, type Place } from '../program-checks';
import { SECRET_NAME } from '../score';
import {
  componentOf,
  envOf,
  make,
  noPrimary,
  obj,
  primaryService,
  programOf,
  REAPPLY,
  serviceOf,
  unknown,
  type Draft,
  type SwarmInputs,
} from './common';
import type { LiveService } from '../../swarm/engine-api';

const placeOf = (i: SwarmInputs, s: LiveService): Place => ({
  object: obj(s),
  // Services reach each other by their component names (network aliases).
  services: new Set(i.services.flatMap((x) => [componentOf(x), x.Spec.Name])),
  serviceRef: (name) => `Service ${serviceOf(i, name)?.Spec.Name ?? name}`,
  reapply: REAPPLY,
});

export function stateChecks(i: SwarmInputs): ReadinessCheck[] {
  const primary = primaryService(i);
  const sessions: Draft = {
    id: 'state.sessions-cache',
    title: 'Sessions and cache are externalized',
    category: 'state',
    weight: 5,
  };
  const files: Draft = { id: 'state.avatars-s3', title: 'User files are stored on S3', category: 'state', weight: 4 };
  const leader: Draft = {
    id: 'state.leader-election',
    title: 'Periodic jobs run on one leader',
    category: 'state',
    weight: 4,
  };
  const program = primary && programOf(i, primary);
  const source = i.signals.leader;
  return [
    primary && program ? externalStateCheck(sessions, i.signals, program, placeOf(i, primary)) : noPrimary(sessions, i),
    primary && program ? objectStorageCheck(files, i.signals, program, placeOf(i, primary)) : noPrimary(files, i),
    !source
      ? make(leader, 'unknown', 'The stack declares no leader election', [])
      : source.kind === 'lease'
        ? unknown(
            leader,
            'Docker Swarm has no Lease objects: who runs the periodic jobs cannot be seen from the engine API',
          )
        : tableLeaderCheck(
            leader,
            source,
            `Service ${serviceOf(i, source.component)?.Spec.Name ?? source.component}`,
            i.tableLeader,
          ),
  ];
}

export function configurationChecks(i: SwarmInputs): ReadinessCheck[] {
  const primary = primaryService(i);
  const env: Draft = {
    id: 'configuration.env',
    title: 'Configuration comes from the environment and mounted files',
    category: 'configuration',
    weight: 3,
  };
  return [
    primary
      ? configurationCheck(
          env,
          programOf(i, primary),
          placeOf(i, primary),
          envOf(primary).map(([name]) => name),
        )
      : noPrimary(env, i),
    secretsAsFiles(i),
    configsWithoutCredentials(i),
  ];
}

function secretsAsFiles(i: SwarmInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.secret-env',
    title: 'Credentials are secret files, not env literals',
    category: 'configuration',
    weight: 5,
  };
  const literal: ReadinessCheck['evidence'] = [];
  const names: string[] = [];
  let files = 0;
  for (const s of i.services) {
    files += s.Spec.TaskTemplate.ContainerSpec.Secrets?.length ?? 0;
    for (const [name, value] of envOf(s)) {
      const isFileRef = name.endsWith('_FILE') && value.startsWith(`${SECRETS_DIR}/`);
      if (SECRET_NAME.test(name) && value !== '' && !isFileRef) {
        names.push(name);
        literal.push({ object: obj(s), field: `Env ${name}`, value: `${name} has a literal value` });
      }
    }
    const program = programOf(i, s);
    for (const k of program.contract?.settings.known ?? []) {
      const source = program.sourceOf(k.key);
      if (!k.secret || !program.settings.get(k.key) || source?.kind !== 'env' || names.includes(source.name)) continue;
      // NAME_FILE=/run/secrets/... reads the value from a secret file.
      if (program.contract?.settings.fileVariables.supported && source.name.endsWith('_FILE')) continue;
      names.push(source.name);
      literal.push({
        object: obj(s),
        field: `Env ${source.name}`,
        value: `the credential ${k.key} is a literal value`,
      });
    }
  }
  if (literal.length > 0) {
    return make(
      d,
      'fail',
      `Credentials with literal values: ${names.join(', ')}`,
      literal,
      'Put these values in Swarm secrets (files under /run/secrets, or the config file Homeport assembles from them) instead of the environment.',
      REAPPLY,
    );
  }
  return make(d, 'pass', `${files} secret files; no literal credentials in the environment`, [
    { field: 'TaskTemplate.ContainerSpec.Secrets', value: `${files} secret files` },
  ]);
}

function configsWithoutCredentials(i: SwarmInputs): ReadinessCheck {
  const d: Draft = {
    id: 'configuration.configmaps',
    title: 'No plain credentials in configs',
    category: 'configuration',
    weight: 3,
  };
  const bad = i.configNames.filter((n) => SECRET_NAME.test(n));
  return bad.length > 0
    ? make(
        d,
        'fail',
        `Configs that look like credentials: ${bad.join(', ')}`,
        bad.map((n) => ({ object: `Config ${n}`, value: 'credential-looking name' })),
        'Move credentials from Swarm configs into Swarm secrets.',
      )
    : make(d, 'pass', `${i.configNames.length} configs, none named like a credential`, [
        { object: 'Configs', value: i.configNames.join(', ') || 'none' },
      ]);
}
