/**
 * A saved user stack as a StackDefinition, deployed, planned, rolled back and scored by the same
 * code as catalog stacks. What catalog stacks read from their programs' sources, a user stack reads
 * from its compose file, the only source Homeport has; each fact's reference is the file and line
 * (`<stack>/docker-compose.yml:12`):
 *
 * - contracts: per service, its ports (HTTP where its health check fetches a URL from itself), the
 *   HTTP path that health check fetches, the programs it runs (the check's command), and the hosts
 *   it expects: its depends_on services on their first port. Settings are the environment as given
 *   (`exact`), none known to be required: Compose says nothing about what a program needs.
 * - signals: the primary is the first service publishing a port; it may run many replicas (its
 *   replica count is `services.<primary>.replicas`). A PostgreSQL service is the database.
 * - backup: an official `postgres` image service is dumped like a catalog stack's database.
 * - needs: a NAS export when a volume is mapped to one; every image has a reference.
 */
import type { ComposeMapping, UserStackDocument } from '@shared/user-stack-schemas';
import type { PostgresBackup, StackBackup } from '../stacks/backup-declaration';
import { defineStack, type StackDefinition, type StackNeeds } from '../stacks/model';
import type { StackSignals } from '../stacks/signals';
import type { ImageContract } from '../stacks/upstream';
import type { ComposeProject, ComposeService } from './project';
import { readCompose } from './read';
import { composeToModel, healthTools, portsOf } from './to-model';
import { primaryService, userStackValuesSchema, volumeMappingOf, type UserStackValues } from './values';

const PG = 'docker-library/postgres@6edb0a8c';

/** The image's repository, without tag or digest ('postgres:17-alpine' -> 'postgres'). */
export const repositoryOf = (image: string) => image.replace(/@sha256:[a-f0-9]+$/, '').replace(/:[\w][\w.-]*$/, '');

/** The port and path a health check fetches from the container itself (curl / wget of localhost). */
function healthUrl(s: ComposeService): { port: number; path: string } | undefined {
  const cmd = s.health?.command.join(' ') ?? '';
  if (!/\b(curl|wget)\b/.test(cmd)) return undefined;
  const m = /https?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d+))?(\/[^\s'"|;&]*)?/.exec(cmd);
  if (!m) return undefined;
  const port = Number(m[1] ?? 80);
  return portsOf(s).includes(port) ? { port, path: (m[2] ?? '/').split('?')[0] ?? '/' } : undefined;
}

export function composeContracts(stack: string, p: ComposeProject): ImageContract[] {
  const ref = (line: number | undefined) => `${stack}/docker-compose.yml:${line ?? 1}`;
  const byName = new Map(p.services.map((s) => [s.name, s]));
  return p.services.map((s) => {
    const url = healthUrl(s);
    const contract: ImageContract = {
      component: s.name,
      images: [repositoryOf(s.image)],
      ports: portsOf(s).map((port) => ({ port, protocol: url?.port === port ? 'http' : 'tcp', ref: ref(s.line) })),
      http: url ? [{ ...url, roles: ['health', 'liveness', 'readiness'], ref: ref(s.health?.line) }] : [],
      // The file sets NAME_FILE variables only where its author knows the program reads them.
      settings: { env: { kind: 'exact' }, fileVariables: { supported: true, ref: ref(s.line) }, known: [] },
      expects: s.dependsOn.flatMap((d) => {
        const port = portsOf(byName.get(d) ?? ({ ports: [], expose: [] } as unknown as ComposeService))[0];
        return port === undefined ? [] : [{ host: d, port, why: `${s.name} depends on ${d}`, ref: ref(s.line) }];
      }),
      tools: toolsOf(s),
    };
    return contract;
  });
}

/**
 * Programs the image has: the ones its health check runs (healthTools). Without a health check nothing is known;
 * the Swarm check of its port (swarm-health.ts) runs BusyBox's sh and nc, which the image must have
 * (the analysis says so), and `kill -0 1` needs sh.
 */
function toolsOf(s: ComposeService): string[] {
  return healthTools(s) ?? (portsOf(s).length > 0 ? ['sh', 'nc'] : ['sh']);
}

/** The official postgres image's database, as its entrypoint sets it up. */
function postgresBackup(s: ComposeService): PostgresBackup | undefined {
  if (repositoryOf(s.image) !== 'postgres' && repositoryOf(s.image) !== 'docker.io/library/postgres') return undefined;
  const env = s.environment;
  // POSTGRES_USER defaults to postgres, POSTGRES_DB to the user (18/alpine3.23/docker-entrypoint.sh:237-238);
  // given as _FILE (file_env) Homeport cannot know them.
  if (env.POSTGRES_USER_FILE !== undefined || env.POSTGRES_DB_FILE !== undefined) return undefined;
  const user = env.POSTGRES_USER || 'postgres';
  return {
    kind: 'postgres',
    component: s.name,
    database: env.POSTGRES_DB || user,
    user,
    // The image's server and libpq put the socket there (18/alpine3.23/Dockerfile:114-116).
    socketDir: '/var/run/postgresql',
    ref: `${PG}:18/alpine3.23/docker-entrypoint.sh:237`,
  };
}

export function composeSignals(p: ComposeProject): StackSignals {
  const primary = primaryService(p);
  const db = p.services.find((s) => postgresBackup(s) !== undefined);
  return {
    primary,
    replicas: { kind: 'many', scale: { replicas: `services.${primary}.replicas` } },
    externalState: [],
    ...(db ? { database: { component: db.name } } : {}),
    dashboard: [],
  };
}

export function composeNeeds(p: ComposeProject, mapping: ComposeMapping): StackNeeds {
  const used = new Set(p.services.flatMap((s) => s.mounts.map((m) => m.volume)));
  const nas = [...used].some((v) => volumeMappingOf(p, mapping, v).kind === 'nas');
  return {
    nasExport: nas ? 'required' : 'no',
    s3Profile: 'no',
    images: p.services.map((s) => ({ component: s.name, reference: s.image })),
  };
}

export class UserStackError extends Error {
  constructor(
    readonly stackName: string,
    readonly errors: { path: string; line?: number; message: string }[],
  ) {
    super(
      `user stack '${stackName}': ${errors.map((e) => `${e.path || '(file)'}${e.line ? ` (line ${e.line})` : ''}: ${e.message}`).join('; ')}`,
    );
    this.name = 'UserStackError';
  }
}

/** The project of a saved user stack; throws UserStackError when the file has errors. */
export function userStackProject(doc: Pick<UserStackDocument, 'name' | 'compose' | 'files'>): ComposeProject {
  const read = readCompose(doc.compose, { files: doc.files });
  if (!read.project || read.errors.length > 0) throw new UserStackError(doc.name, read.errors);
  return read.project;
}

export function userStackDefinition(doc: UserStackDocument): StackDefinition<UserStackValues> {
  const project = userStackProject(doc);
  const backups = project.services.map(postgresBackup).filter((b): b is PostgresBackup => b !== undefined);
  const backup: StackBackup = { databases: backups, buckets: () => [], scratchValues: scratchValues(project) };
  return defineStack({
    name: doc.name,
    title: doc.title,
    description: doc.description,
    schema: userStackValuesSchema(project, doc.mapping),
    build: (values: UserStackValues) => composeToModel({ name: doc.name, project, mapping: doc.mapping }, values),
    contracts: composeContracts(doc.name, project),
    signals: composeSignals(project),
    backup,
    needs: composeNeeds(project, doc.mapping),
  });
}

/** A restore drill's copy runs beside the live stack: its published ports move up by 10000. */
function scratchValues(p: ComposeProject): Record<string, unknown> {
  const services = Object.fromEntries(
    p.services
      .filter((s) => s.ports.length > 0)
      .map((s) => [
        s.name,
        {
          ports: Object.fromEntries(
            s.ports.map((pp) => [String(pp.target), (((pp.published ?? pp.target) + 10000 - 1) % 65535) + 1]),
          ),
        },
      ]),
  );
  return Object.keys(services).length > 0 ? { services } : {};
}
