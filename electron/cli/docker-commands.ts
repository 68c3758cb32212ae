/**
 * homeport docker ...: the Docker endpoints of the Swarm screen for scripts. Arguments are checked
 * with the contract's schemas of the same actions in the app before anything is saved or contacted.
 */
import { parseArgs } from 'node:util';
import type { EndpointTest } from '@shared/swarm-schemas';
import { resolveDataDir } from '../core/storage/data-dir';
import { createServices, type Services } from '../services';
import { checkArgs } from './check-args';
import { UsageError } from './usage-error';
import { hostKeyAdvice, notReplacedLine, replacedLine } from './host-key-output';

export const DOCKER_USAGE = `homeport docker <command>   (Docker endpoints: the engines and swarms Homeport reaches)
  list
  add NAME --url URL [--tls-ca FILE --tls-cert FILE --tls-key FILE] [--ssh-key FILE]
                                 URL: unix:///var/run/docker.sock, tcp://host:2376 (TLS) or ssh://user@host
  remove NAME
  test NAME [--trust SHA256:...]  connect (an SSH host key is checked first); --trust accepts the fingerprint shown
  replace-host-key NAME --fingerprint SHA256:...
                                 after a HOST KEY CHANGED warning: trust the new key the host presents (it must be
                                 the fingerprint given, checked on the host itself) and remove the old one`;

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

function one(positionals: string[]): string {
  if (positionals.length !== 1) {
    throw new UsageError(`expected 1 argument, got ${positionals.length}\n\n${DOCKER_USAGE}`);
  }
  return positionals[0]!;
}

function report(name: string, result: EndpointTest, io: CommandIo): number {
  if (result.status === 'failed') {
    io.err(`${name}: ${result.reason}: ${result.message}`);
    const advice = hostKeyAdvice(result, {
      what: 'the host',
      test: `homeport docker test ${name}`,
      replace: `homeport docker replace-host-key ${name}`,
    });
    for (const line of advice) io.err(line);
    return 1;
  }
  const swarm =
    result.swarm.state === 'active'
      ? `swarm active (${result.swarm.isManager ? 'manager' : 'worker'})`
      : `swarm ${result.swarm.state}`;
  io.out(`${name}: connected · Docker ${result.version} · ${swarm} · ${result.latencyMs} ms`);
  return 0;
}

/** `env` decides the 'env' endpoint ($DOCKER_HOST); the process environment unless given. */
export async function runDocker(
  argv: string[],
  io: CommandIo = consoleIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      url: { type: 'string' },
      'tls-ca': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'ssh-key': { type: 'string' },
      trust: { type: 'string' },
      fingerprint: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (sub === 'help') {
    io.out(DOCKER_USAGE);
    return 0;
  }
  if (!['list', 'add', 'remove', 'test', 'replace-host-key'].includes(sub ?? '')) {
    io.err(DOCKER_USAGE);
    return 2;
  }
  const services: Services = createServices({
    dataDir: resolveDataDir({ flag: values['data-dir'], env }),
    mode: 'desktop',
    env,
  });
  const endpoints = services.dockerEndpoints;
  try {
    switch (sub) {
      case 'list': {
        const list = await endpoints.list();
        if (list.length === 0) io.out('No Docker endpoints yet: add one with homeport docker add NAME --url URL.');
        for (const e of list) io.out(`${e.name}  ${e.url}${e.source === 'env' ? '  (from $DOCKER_HOST)' : ''}`);
        return 0;
      }
      case 'add': {
        const tlsFiles = [values['tls-ca'], values['tls-cert'], values['tls-key']];
        const tls = tlsFiles.some((f) => f !== undefined)
          ? { caFile: tlsFiles[0] ?? '', certFile: tlsFiles[1] ?? '', keyFile: tlsFiles[2] ?? '' }
          : undefined;
        const input = checkArgs(
          'docker:addEndpoint',
          {
            name: one(positionals),
            url: values.url ?? '',
            ...(tls ? { tls } : {}),
            ...(values['ssh-key'] !== undefined ? { sshKeyFile: values['ssh-key'] } : {}),
          },
          'homeport docker add',
        );
        const saved = await endpoints.add(input);
        io.out(`Added Docker endpoint '${saved.name}' (${saved.url}). Run: homeport docker test ${saved.name}`);
        return 0;
      }
      case 'remove': {
        const { name } = checkArgs('docker:removeEndpoint', { name: one(positionals) }, 'homeport docker remove');
        await endpoints.remove(name);
        io.out(`Removed Docker endpoint '${name}'.`);
        return 0;
      }
      case 'replace-host-key': {
        const { name } = checkArgs(
          'docker:testEndpoint',
          { name: one(positionals) },
          'homeport docker replace-host-key',
        );
        if (values.fingerprint === undefined) {
          // The warning first: the user checks the new fingerprint on the host, then confirms it.
          const result = await endpoints.test(name);
          report(name, result, io);
          io.err(notReplacedLine(name, result));
          return 1;
        }
        const { fingerprint } = checkArgs(
          'docker:replaceHostKey',
          { name, fingerprint: values.fingerprint },
          'homeport docker replace-host-key',
        );
        const removed = await endpoints.replaceHostKey(name, fingerprint);
        io.out(replacedLine(name, removed, fingerprint));
        return report(name, await endpoints.test(name), io);
      }
      default: {
        const { name } = checkArgs('docker:testEndpoint', { name: one(positionals) }, 'homeport docker test');
        if (values.trust !== undefined) {
          checkArgs('docker:acceptHostKey', { name, fingerprint: values.trust }, 'homeport docker test --trust');
        }
        let result = await endpoints.test(name);
        if (result.status === 'failed' && result.reason === 'host-key-unknown' && values.trust !== undefined) {
          await endpoints.acceptHostKey(name, values.trust);
          result = await endpoints.test(name);
        }
        return report(name, result, io);
      }
    }
  } finally {
    services.close();
  }
}
