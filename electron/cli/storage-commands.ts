/**
 * homeport nas ... and homeport s3 ...: the Storage screen for scripts. Passwords, passphrases and
 * secret keys come from environment variables or a prompt that does not echo, never from arguments.
 */
import { parseArgs } from 'node:util';
import type { NasProbe, NfsExport } from '@shared/storage-schemas';
import { squashOptions } from '@shared/storage-schemas';
import { resolveDataDir } from '../core/storage/data-dir';
import { createServices, type Services } from '../services';
import { checkArgs } from './check-args';
import { hostKeyAdvice, notReplacedLine, replacedLine } from './host-key-output';
import { consoleSecrets, readSecret, type SecretSource } from './secret-input';
import { UsageError } from './usage-error';

export const NAS_USAGE = `homeport nas <command>   (NAS hosts over SSH and their NFS exports)
  list
  add NAME --address ADDR --user USER [--port 22] (--key FILE | --agent | --password)
                                 passphrase: $HOMEPORT_NAS_PASSPHRASE or asked; password: $HOMEPORT_NAS_PASSWORD or asked
  remove NAME
  probe NAME [--trust SHA256:...]   connect (host key checked first); --trust accepts the fingerprint shown
  replace-host-key NAME --fingerprint SHA256:...
                                 after a HOST KEY CHANGED warning: trust the new key the NAS presents (it must be
                                 the fingerprint given, checked on the NAS itself) and remove the old one
  exports HOST
  export HOST NAME --path DIR --clients ADDR[,CIDR...] [--rw] [--squash root_squash|all_squash|no_root_squash]
                                 [--owner USER|UID:GID] [--mode 0755]
  unexport HOST NAME`;

export const S3_USAGE = `homeport s3 <command>   (S3 endpoint profiles and buckets)
  list
  add NAME --endpoint URL --access-key-id ID [--region R] [--virtual-host] [--ca-file FILE]
                                 secret key: $HOMEPORT_S3_SECRET_KEY or asked; --ca-file: the CA (PEM)
                                 that signs an https endpoint's certificate (a private CA)
  remove NAME
  test NAME
  buckets NAME
  mb NAME BUCKET [--public]      create a bucket (private unless --public)
  rb NAME BUCKET                 remove an empty bucket
  private NAME BUCKET            make a bucket private`;

export interface StorageIo {
  out(line: string): void;
  err(line: string): void;
  secrets: SecretSource;
}

export const consoleStorageIo: StorageIo = {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  secrets: consoleSecrets,
};

function table(header: string[], rows: string[][]): string {
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

function positional(positionals: string[], count: number, usage: string): string[] {
  if (positionals.length !== count) {
    throw new UsageError(`expected ${count} argument(s), got ${positionals.length}\n\n${usage}`);
  }
  return positionals;
}

const exportRow = (e: NfsExport) => [
  e.name,
  e.path,
  e.clients.join(','),
  `${e.readOnly ? 'ro' : 'rw'},${e.squash}`,
  e.active ? 'active' : 'NOT EXPORTED',
];

async function withStorage<R>(dataDir: string | undefined, fn: (s: Services) => Promise<R>): Promise<R> {
  const services = createServices({ dataDir: resolveDataDir({ flag: dataDir }), mode: 'desktop' });
  try {
    return await fn(services);
  } finally {
    services.close();
  }
}

export async function runNas(argv: string[], io: StorageIo = consoleStorageIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      address: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string' },
      key: { type: 'string' },
      agent: { type: 'boolean' },
      password: { type: 'boolean' },
      trust: { type: 'string' },
      fingerprint: { type: 'string' },
      path: { type: 'string' },
      clients: { type: 'string' },
      rw: { type: 'boolean' },
      squash: { type: 'string' },
      owner: { type: 'string' },
      mode: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  return withStorage(values['data-dir'], async ({ nasHosts: hosts, nasExports: exports }) => {
    switch (sub) {
      case 'list': {
        const list = await hosts.list();
        if (list.length === 0)
          io.out('No NAS hosts yet: add one with homeport nas add NAME --address ADDR --user USER --key FILE.');
        else
          io.out(
            table(
              ['NAME', 'ADDRESS', 'USER', 'AUTH'],
              list.map((h) => [
                h.name,
                `${h.address}:${h.port}`,
                h.user,
                h.auth === 'key' ? `key ${h.keyFile ?? ''}` : h.auth,
              ]),
            ),
          );
        return 0;
      }
      case 'add': {
        const [name = ''] = positional(positionals, 1, NAS_USAGE);
        const kinds = [values.key !== undefined, values.agent === true, values.password === true].filter(Boolean);
        if (kinds.length !== 1) {
          throw new UsageError('give exactly one of --key FILE, --agent or --password');
        }
        const auth = values.key !== undefined ? 'key' : values.agent ? 'agent' : 'password';
        const port = values.port === undefined ? undefined : Number(values.port);
        const input = {
          name,
          address: values.address ?? '',
          ...(port !== undefined ? { port } : {}),
          user: values.user ?? '',
          auth,
          ...(values.key !== undefined ? { keyFile: values.key } : {}),
        };
        // Everything but the secret is checked before the secret is asked for.
        checkArgs('nas:add', input, 'homeport nas add', ['secret']);
        const secret =
          auth === 'password'
            ? await readSecret(io.secrets, 'HOMEPORT_NAS_PASSWORD', `Password of ${values.user ?? 'the user'}: `)
            : auth === 'key'
              ? await readSecret(io.secrets, 'HOMEPORT_NAS_PASSPHRASE', 'Key passphrase (empty if none): ', false)
              : undefined;
        const host = await hosts.add(
          checkArgs('nas:add', { ...input, ...(secret !== undefined ? { secret } : {}) }, 'homeport nas add'),
        );
        io.out(`Added NAS host '${host.name}' (${host.address}:${host.port}). Run: homeport nas probe ${host.name}`);
        return 0;
      }
      case 'remove': {
        const [name = ''] = positional(positionals, 1, NAS_USAGE);
        await hosts.remove(checkArgs('nas:remove', { name }, 'homeport nas remove').name);
        io.out(`Removed NAS host '${name}' and its stored secret.`);
        return 0;
      }
      case 'probe': {
        const [name = ''] = positional(positionals, 1, NAS_USAGE);
        checkArgs('nas:probe', { name }, 'homeport nas probe');
        if (values.trust !== undefined) {
          checkArgs('nas:acceptHostKey', { name, fingerprint: values.trust }, 'homeport nas probe --trust');
        }
        let result = await hosts.probe(name);
        if (result.status === 'failed' && result.reason === 'host-key-unknown' && values.trust) {
          await hosts.acceptHostKey(name, values.trust);
          result = await hosts.probe(name);
        }
        return printProbe(name, result, io);
      }
      case 'replace-host-key': {
        const [name = ''] = positional(positionals, 1, NAS_USAGE);
        if (values.fingerprint === undefined) {
          // The warning first: the user checks the new fingerprint on the NAS, then confirms it.
          checkArgs('nas:probe', { name }, 'homeport nas replace-host-key');
          const result = await hosts.probe(name);
          printProbe(name, result, io);
          io.err(notReplacedLine(name, result));
          return 1;
        }
        const { fingerprint } = checkArgs(
          'nas:replaceHostKey',
          { name, fingerprint: values.fingerprint },
          'homeport nas replace-host-key',
        );
        const removed = await hosts.replaceHostKey(name, fingerprint);
        io.out(replacedLine(name, removed, fingerprint));
        return printProbe(name, await hosts.probe(name), io);
      }
      case 'exports': {
        const [host = ''] = positional(positionals, 1, NAS_USAGE);
        const list = await exports.list(checkArgs('nas:listExports', { host }, 'homeport nas exports').host);
        if (list.length === 0) io.out(`No exports made by Homeport on '${host}'.`);
        else io.out(table(['NAME', 'PATH', 'CLIENTS', 'OPTIONS', 'STATE'], list.map(exportRow)));
        return 0;
      }
      case 'export': {
        const [host = '', name = ''] = positional(positionals, 2, NAS_USAGE);
        const squash = values.squash ?? 'root_squash';
        if (!(squashOptions as readonly string[]).includes(squash)) {
          throw new UsageError(`--squash: use one of ${squashOptions.join(', ')}`);
        }
        const { host: _host, ...spec } = checkArgs(
          'nas:createExport',
          {
            host,
            name,
            path: values.path ?? '',
            clients: (values.clients ?? '')
              .split(',')
              .map((c) => c.trim())
              .filter(Boolean),
            readOnly: values.rw !== true,
            squash,
            ...(values.owner ? { owner: values.owner } : {}),
            ...(values.mode ? { mode: values.mode } : {}),
          },
          'homeport nas export',
        );
        const result = await exports.create(host, spec);
        io.out(table(['NAME', 'PATH', 'CLIENTS', 'OPTIONS', 'STATE'], [exportRow(result)]));
        io.out(result.changed ? 'Export written and re-exported.' : 'Already exported this way: nothing changed.');
        if (!result.active) {
          io.err(`exportfs does not list it${result.message ? `: ${result.message}` : ''}`);
          return 1;
        }
        return 0;
      }
      case 'unexport': {
        const [host = '', name = ''] = positional(positionals, 2, NAS_USAGE);
        checkArgs('nas:removeExport', { host, name }, 'homeport nas unexport');
        await exports.remove(host, name);
        io.out(`Removed export '${name}' from '${host}' (the directory and its data stay).`);
        return 0;
      }
      case 'help':
        io.out(NAS_USAGE);
        return 0;
      default:
        io.err(NAS_USAGE);
        return 2;
    }
  });
}

export async function runS3(argv: string[], io: StorageIo = consoleStorageIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      'virtual-host': { type: 'boolean' },
      'access-key-id': { type: 'string' },
      'ca-file': { type: 'string' },
      public: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  return withStorage(values['data-dir'], async ({ s3Profiles: profiles, s3 }) => {
    switch (sub) {
      case 'list': {
        const list = await profiles.list();
        if (list.length === 0)
          io.out('No S3 profiles yet: add one with homeport s3 add NAME --endpoint URL --access-key-id ID.');
        else
          io.out(
            table(
              ['NAME', 'ENDPOINT', 'REGION', 'STYLE', 'ACCESS KEY ID', 'TLS'],
              list.map((p) => [
                p.name,
                p.endpoint,
                p.region,
                p.pathStyle ? 'path' : 'virtual-host',
                p.accessKeyId,
                p.caFile ? `CA ${p.caFile}` : '',
              ]),
            ),
          );
        return 0;
      }
      case 'add': {
        const [name = ''] = positional(positionals, 1, S3_USAGE);
        const input = {
          name,
          endpoint: values.endpoint ?? '',
          ...(values.region ? { region: values.region } : {}),
          pathStyle: values['virtual-host'] !== true,
          accessKeyId: values['access-key-id'] ?? '',
          ...(values['ca-file'] ? { caFile: values['ca-file'] } : {}),
        };
        // Everything but the secret key is checked before the secret key is asked for.
        checkArgs('s3:add', input, 'homeport s3 add', ['secretAccessKey']);
        const secretAccessKey = (await readSecret(io.secrets, 'HOMEPORT_S3_SECRET_KEY', 'Secret access key: ')) ?? '';
        const saved = await profiles.add(checkArgs('s3:add', { ...input, secretAccessKey }, 'homeport s3 add'));
        for (const w of saved.warnings) io.err(`warning: ${w}`);
        io.out(`Added S3 profile '${saved.profile.name}' (${saved.profile.endpoint}). Run: homeport s3 test ${name}`);
        return 0;
      }
      case 'remove': {
        const [name = ''] = positional(positionals, 1, S3_USAGE);
        await profiles.remove(checkArgs('s3:remove', { name }, 'homeport s3 remove').name);
        io.out(`Removed S3 profile '${name}' and its stored secret key.`);
        return 0;
      }
      case 'test': {
        const [name = ''] = positional(positionals, 1, S3_USAGE);
        const result = await s3.test(checkArgs('s3:test', { name }, 'homeport s3 test').name);
        if (result.status === 'failed') {
          io.err(`${name}: ${result.reason}: ${result.message}`);
          return 1;
        }
        io.out(`${name}: connected · ${result.buckets} buckets · ${result.latencyMs} ms`);
        return 0;
      }
      case 'buckets': {
        const [name = ''] = positional(positionals, 1, S3_USAGE);
        const { profile } = checkArgs('s3:listBuckets', { profile: name }, 'homeport s3 buckets');
        for (const b of await s3.listBuckets(profile)) io.out(b.name);
        return 0;
      }
      case 'mb': {
        const [name = '', bucket = ''] = positional(positionals, 2, S3_USAGE);
        const isPrivate = values.public !== true;
        checkArgs('s3:createBucket', { profile: name, bucket, private: isPrivate }, 'homeport s3 mb');
        const result = await s3.createBucket(name, bucket, { private: isPrivate });
        io.out(result.status === 'created' ? `Created bucket '${bucket}'.` : `Bucket '${bucket}' exists already.`);
        return 0;
      }
      case 'rb': {
        const [name = '', bucket = ''] = positional(positionals, 2, S3_USAGE);
        checkArgs('s3:deleteBucket', { profile: name, bucket }, 'homeport s3 rb');
        await s3.deleteBucket(name, bucket);
        io.out(`Removed bucket '${bucket}'.`);
        return 0;
      }
      case 'private': {
        const [name = '', bucket = ''] = positional(positionals, 2, S3_USAGE);
        checkArgs('s3:makePrivate', { profile: name, bucket }, 'homeport s3 private');
        await s3.makePrivate(name, bucket);
        io.out(`Bucket '${bucket}' is private.`);
        return 0;
      }
      case 'help':
        io.out(S3_USAGE);
        return 0;
      default:
        io.err(S3_USAGE);
        return 2;
    }
  });
}

function printProbe(name: string, result: NasProbe, io: StorageIo): number {
  if (result.status === 'failed') {
    io.err(`${name}: ${result.reason}: ${result.message}`);
    const advice = hostKeyAdvice(result, {
      what: 'the NAS',
      test: `homeport nas probe ${name}`,
      replace: `homeport nas replace-host-key ${name}`,
    });
    for (const line of advice) io.err(line);
    return 1;
  }
  io.out(`${name}: connected · ${result.os}`);
  io.out(`NFS server: ${result.nfsServer ? 'installed' : 'missing (install nfs-kernel-server)'}`);
  io.out(`Privilege: ${result.privilege}`);
  for (const p of result.paths) io.out(`  ${p.path}: ${p.freeBytes} bytes free of ${p.totalBytes}`);
  return 0;
}
