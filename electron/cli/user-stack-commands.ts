/**
 * homeport stacks ...: the stack picker and "Bring your own stack" for scripts. `import` reads a
 * docker-compose.yml, prints what Homeport understood and every key it cannot express, and with
 * --name saves it as a user stack with the volumes and secrets mapped as the options say.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { describeTarget } from '@shared/target-schemas';
import type { StackInfo } from '@shared/deploy-schemas';
import type { ComposeAnalysis, ComposeMapping, SecretMapping, VolumeMapping } from '@shared/user-stack-schemas';
import { resolveDataDir } from '../core/storage/data-dir';
import { readUserText } from '../core/storage/user-file';
import { createServices, type Services } from '../services';
import { consoleStorageIo, type StorageIo } from './storage-commands';
import { UsageError } from './usage-error';

export const STACKS_USAGE = `homeport stacks <command>   (the catalog's stacks and yours)
  list [--deployed]              every stack: catalog or user (version), what it needs; --deployed: where it runs
  import FILE                    what Homeport understands of a docker-compose.yml and what it cannot express
    --name NAME                  save it as the user stack NAME (a new version if NAME exists)
    --title TEXT --description TEXT
    --map-volume VOL=nas:HOST/EXPORT | VOL=nfs:SERVER:/PATH | VOL=claim[:STORAGECLASS[:SIZE]]   (repeatable)
    --secret NAME=generated | NAME=existing:SECRET/KEY                                          (repeatable)
    --env-file NAME=PATH         an env file the compose file names, read from PATH (repeatable)
  remove NAME                    delete every version of a user stack (what is deployed stays)
  --data-dir DIR                 settings directory`;

type Open = (dataDir: string) => Services;
const openServices: Open = (dataDir) => createServices({ dataDir, mode: 'desktop' });

/** `VOL=nas:HOST/EXPORT`, `VOL=nfs:SERVER:/PATH`, `VOL=claim[:CLASS[:SIZE]]`. */
export function parseVolumeMapping(arg: string): [string, VolumeMapping] {
  const bad = (why: string) =>
    new UsageError(
      `--map-volume '${arg}': ${why} (VOL=nas:HOST/EXPORT, VOL=nfs:SERVER:/PATH or VOL=claim[:CLASS[:SIZE]])`,
    );
  const eq = arg.indexOf('=');
  if (eq < 1) throw bad('name the volume before =');
  const volume = arg.slice(0, eq);
  const spec = arg.slice(eq + 1);
  const [kind, ...parts] = spec.split(':');
  const rest = parts.join(':');
  if (kind === 'nas') {
    const slash = rest.indexOf('/');
    if (slash < 1 || slash === rest.length - 1) throw bad('give the NAS host and the export as HOST/EXPORT');
    return [volume, { kind: 'nas', host: rest.slice(0, slash), export: rest.slice(slash + 1), readOnly: false }];
  }
  if (kind === 'nfs') {
    const colon = rest.indexOf(':');
    if (colon < 1 || !rest.slice(colon + 1).startsWith('/'))
      throw bad('give the NFS server and the path as SERVER:/PATH');
    return [volume, { kind: 'nfs', server: rest.slice(0, colon), path: rest.slice(colon + 1), readOnly: false }];
  }
  if (kind === 'claim') {
    const [storageClass, size] = parts;
    return [volume, { kind: 'claim', ...(storageClass ? { storageClass } : {}), size: size || '10Gi' }];
  }
  throw bad(`'${kind ?? ''}' is not a kind of storage`);
}

/** `NAME=generated`, `NAME=existing:SECRET/KEY`. */
export function parseSecretMapping(arg: string): [string, SecretMapping] {
  const eq = arg.indexOf('=');
  const name = arg.slice(0, Math.max(eq, 0));
  const spec = arg.slice(eq + 1);
  if (eq >= 1 && spec === 'generated') return [name, { kind: 'generated' }];
  const existing = /^existing:([^/]+)\/(.+)$/.exec(spec);
  if (eq >= 1 && existing) return [name, { kind: 'existing', secret: existing[1]!, key: existing[2]! }];
  throw new UsageError(`--secret '${arg}': use NAME=generated or NAME=existing:SECRET/KEY`);
}

const at = (f: { path: string; line?: number }) =>
  `${f.path || '(file)'}${f.line !== undefined ? ` (line ${f.line})` : ''}`;

function describeVolume(m: VolumeMapping): string {
  if (m.kind === 'nas') return `NAS export ${m.host}/${m.export}${m.readOnly ? ' (read-only)' : ''}`;
  if (m.kind === 'nfs') return `NFS ${m.server}:${m.path}${m.readOnly ? ' (read-only)' : ''}`;
  return `claim of ${m.size}${m.storageClass ? ` (storage class ${m.storageClass})` : ' (default storage class)'}`;
}

export function printAnalysis(a: ComposeAnalysis, io: Pick<StorageIo, 'out' | 'err'>): void {
  io.out(`Understood ${a.services.length} service(s):`);
  for (const s of a.services) {
    const ports = s.ports.map((p) => (p.published ? `${p.published}->${p.target}` : String(p.target))).join(', ');
    io.out(
      `  ${s.name}  ${s.image}  replicas ${s.replicas}` +
        (ports ? `  ports ${ports}` : '') +
        (s.volumes.length
          ? `  volumes ${s.volumes.map((v) => `${v.source}:${v.target}${v.readOnly ? ':ro' : ''}`).join(', ')}`
          : '') +
        (s.secrets.length ? `  secrets ${s.secrets.join(', ')}` : '') +
        (s.healthcheck ? '  healthcheck' : ''),
    );
  }
  if (a.unsupported.length > 0) {
    io.out(`Cannot be expressed (${a.unsupported.length}), left out:`);
    for (const u of a.unsupported) io.out(`  ${at(u)}: ${u.message}`);
  } else {
    io.out('Nothing was left out.');
  }
  for (const e of a.errors) io.err(`Error: ${at(e)}: ${e.message}`);
}

export async function runStacks(argv: string[], io: StorageIo = consoleStorageIo, open: Open = openServices) {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      name: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      'map-volume': { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      'env-file': { type: 'string', multiple: true },
      deployed: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (sub !== 'list' && sub !== 'import' && sub !== 'remove') {
    (sub === 'help' ? io.out : io.err)(STACKS_USAGE);
    return sub === 'help' ? 0 : 2;
  }
  const one = (what: string) => {
    if (positionals.length !== 1) {
      throw new UsageError(`expected one ${what}, got ${positionals.length}\n\n${STACKS_USAGE}`);
    }
    return positionals[0]!;
  };
  const services = open(resolveDataDir({ flag: values['data-dir'] }));
  try {
    if (sub === 'list') return await list(services, values.deployed === true, io);
    if (sub === 'remove') {
      const name = one('user stack name');
      await services.userStacks.remove(name);
      io.out(`Removed every version of the user stack '${name}'; what is deployed stays deployed.`);
      return 0;
    }
    const file = one('compose file');
    const compose = await readUserText(file, { kind: 'values', field: 'Compose file' });
    const envFiles: Record<string, string> = {};
    for (const arg of values['env-file'] ?? []) {
      const eq = arg.indexOf('=');
      if (eq < 1) throw new UsageError(`--env-file '${arg}': use NAME=PATH`);
      envFiles[arg.slice(0, eq)] = await readUserText(arg.slice(eq + 1), {
        kind: 'values',
        field: `--env-file ${arg.slice(0, eq)}:`,
      });
    }
    const analysis = services.userStacks.analyze({ compose, ...(values['env-file'] ? { envFiles } : {}) });
    printAnalysis(analysis, io);
    if (!analysis.ok) return 1;
    if (values.name === undefined) {
      io.out(
        `Not saved: give --name NAME to save it as a user stack (homeport stacks import ${basename(file)} --name NAME).`,
      );
      return 0;
    }
    const mapping: ComposeMapping = {
      volumes: Object.fromEntries((values['map-volume'] ?? []).map(parseVolumeMapping)),
      secrets: Object.fromEntries((values.secret ?? []).map(parseSecretMapping)),
    };
    for (const v of analysis.volumes) {
      if (mapping.volumes[v.name]) continue;
      mapping.volumes[v.name] = v.suggested;
      io.out(`Volume ${v.name}: ${describeVolume(v.suggested)} (suggested; --map-volume ${v.name}=... to choose)`);
    }
    for (const s of analysis.secrets) {
      if (mapping.secrets[s.name]) continue;
      mapping.secrets[s.name] = s.suggested;
      io.out(`Secret ${s.name}: ${s.suggested.kind} (suggested; --secret ${s.name}=... to choose)`);
    }
    for (const name of Object.keys(mapping.volumes)) {
      if (!analysis.volumes.some((v) => v.name === name)) {
        throw new UsageError(`--map-volume ${name}: the compose file has no volume '${name}'`);
      }
    }
    const saved = await services.userStacks.save({
      name: values.name,
      title: values.title ?? values.name,
      description: values.description ?? '',
      compose,
      mapping,
      ...(values['env-file'] ? { envFiles } : {}),
    });
    for (const [name, m] of Object.entries(saved.mapping.volumes)) io.out(`Volume ${name} -> ${describeVolume(m)}`);
    io.out(`Saved user stack '${saved.name}' version ${saved.version}; deploy it with homeport deploy ${saved.name}.`);
    return 0;
  } finally {
    services.close();
  }
}

function describeNeeds(info: StackInfo): string {
  const n = info.needs;
  if (!n) return '';
  const parts: string[] = [];
  if (n.nasExport !== 'no') parts.push(`NAS export (${n.nasExport})`);
  if (n.s3Profile !== 'no') parts.push(`S3 profile (${n.s3Profile})`);
  const toBuild = n.images.filter((i) => !i.reference).map((i) => i.component);
  if (toBuild.length > 0) parts.push(`images to build: ${toBuild.join(', ')}`);
  return parts.length ? `needs ${parts.join(', ')}` : 'needs nothing saved';
}

async function list(services: Services, deployed: boolean, io: StorageIo): Promise<number> {
  const stacks = services.stacks.list();
  const where = deployed ? await services.stackDeployments() : undefined;
  for (const s of stacks) {
    const origin = s.origin === 'user' ? `user v${s.version ?? '?'}` : 'catalog';
    io.out(`${s.name}  (${origin})  ${s.title}: ${s.description.split('\n')[0] ?? ''}`);
    io.out(`    ${describeNeeds(s)}`);
    if (where) {
      const targets = where.stacks.find((d) => d.stack === s.name)?.targets ?? [];
      io.out(`    deployed: ${targets.length ? targets.map(describeTarget).join('; ') : 'nowhere'}`);
    }
  }
  if (!stacks.some((s) => s.origin === 'user')) {
    io.out('No user stacks yet: import a docker-compose.yml with homeport stacks import FILE --name NAME.');
  }
  for (const u of where?.unreachable ?? []) io.err(`Could not ask ${u.where}: ${u.message}`);
  return 0;
}
