/**
 * homeport registry ...: registry credentials for private images on a swarm, as on the
 * Connections screen. The password or token comes from $HOMEPORT_REGISTRY_PASSWORD or a prompt
 * that does not echo, never from arguments.
 */
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../core/storage/data-dir';
import { createServices } from '../services';
import { readSecret } from './secret-input';
import { consoleStorageIo, type StorageIo } from './storage-commands';
import { UsageError } from './usage-error';

export const REGISTRY_USAGE = `homeport registry <command>   (credentials for private images on a swarm)
  list                           saved credentials, and the registries of your docker login (~/.docker/config.json)
  add HOST --username USER       HOST like ghcr.io, registry.nas.lan:5000 or docker.io
                                 password or token: $HOMEPORT_REGISTRY_PASSWORD or asked
  remove HOST`;

export async function runRegistry(argv: string[], io: StorageIo = consoleStorageIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { 'data-dir': { type: 'string' }, username: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const one = () => {
    if (positionals.length !== 1) {
      throw new UsageError(`expected one registry host, got ${positionals.length}\n\n${REGISTRY_USAGE}`);
    }
    return positionals[0]!;
  };
  if (sub !== 'list' && sub !== 'add' && sub !== 'remove') {
    (sub === 'help' ? io.out : io.err)(REGISTRY_USAGE);
    return sub === 'help' ? 0 : 2;
  }
  const services = createServices({
    dataDir: resolveDataDir({ flag: values['data-dir'] }),
    mode: 'desktop',
    env: io.secrets.env,
  });
  try {
    const { registries } = services;
    if (sub === 'list') {
      const list = await registries.list();
      if (list.length === 0)
        io.out(
          'No registry credentials yet (saved or from docker login): add one with homeport registry add HOST --username USER.',
        );
      for (const r of list) {
        const from =
          r.source === 'saved' ? 'saved' : r.helper ? `docker login (docker-credential-${r.helper})` : 'docker login';
        io.out(`${r.host}  ${r.username ?? '-'}  ${from}`);
      }
      return 0;
    }
    if (sub === 'add') {
      const host = one();
      if (!values.username) throw new UsageError(`'username': give --username USER\n\n${REGISTRY_USAGE}`);
      const secret = await readSecret(
        io.secrets,
        'HOMEPORT_REGISTRY_PASSWORD',
        `Password or token of ${values.username} on ${host}: `,
      );
      await registries.add({ host, username: values.username, secret: secret ?? '' });
      io.out(
        `Saved the credential of ${values.username} for ${host.trim().toLowerCase()}; Swarm deploys send it to pull its images.`,
      );
      return 0;
    }
    const host = one();
    await registries.remove(host);
    io.out(`Removed the credential for ${host.trim().toLowerCase()} and its stored secret.`);
    return 0;
  } finally {
    services.close();
  }
}
