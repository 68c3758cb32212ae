import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allImageContracts } from '../../stacks/contracts';
import { STANDIN_IMAGES } from './dockerd';
import { testEngine } from './engine';

const engine = testEngine();
const docker = engine.docker;
const run = promisify(execFile);
const id = randomBytes(3).toString('hex');
const net = `standins-${id}`;
/** A network where nothing answers to `revenge`. */
const lonely = `standins-lonely-${id}`;
const services: string[] = [];
const secrets: string[] = [];
const containers: string[] = [];

const GOOD_CONFIG = [
  'database:',
  '  url: "postgres://revenge:pw-123@postgres:5432/revenge?sslmode=disable"',
  'auth:',
  `  jwt_secret: "${'j'.repeat(43)}"`,
  `  encryption_key: "${'ab'.repeat(32)}"`,
  'cache:',
  '  enabled: true',
].join('\n');

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function secret(name: string, body: string): Promise<string> {
  const full = `${name}-${id}`;
  // `docker secret create NAME -` reads stdin; a file is simpler with an argument array.
  const file = join(await mkdtemp(join(tmpdir(), 'homeport-secret-')), 'value');
  await writeFile(file, body, { mode: 0o600 });
  await docker(['secret', 'create', full, file]);
  secrets.push(full);
  return full;
}

/** A Swarm service on the test network; `alias` is the name other services resolve it by. */
async function service(
  name: string,
  image: string,
  opts: { alias?: string; args?: string[]; flags?: string[]; network?: string } = {},
) {
  const full = `${name}-${id}`;
  const network = opts.alias ? `name=${net},alias=${opts.alias}` : (opts.network ?? net);
  await docker([
    'service',
    'create',
    '--quiet',
    '--detach',
    '--name',
    full,
    '--network',
    network,
    '--restart-delay',
    '1s',
    '--no-resolve-image',
    ...(opts.flags ?? []),
    image,
    ...(opts.args ?? []),
  ]);
  services.push(full);
  return full;
}

const health = (cmd: string) => ['--health-cmd', cmd, '--health-interval', '1s', '--health-retries', '2'];
const statuses = (svc: string) => () =>
  docker(['ps', '-a', '--filter', `label=com.docker.swarm.service.name=${svc}`, '--format', '{{.Status}}']);
const taskErrors = (svc: string) => () => docker(['service', 'ps', '--no-trunc', '--format', '{{.Error}}', svc]);
/** The service's log: the CLI writes the containers' stderr to its own stderr. */
const serviceLogs = (svc: string) => () =>
  run('docker', ['--host', engine.host, 'service', 'logs', '--raw', svc]).then(
    (r) => `${r.stdout}${r.stderr}`,
    () => '',
  );
/** What the health checks of the service's containers printed. */
const healthOutput = (svc: string) => async () => {
  const ids = (await docker(['ps', '-a', '-q', '--filter', `label=com.docker.swarm.service.name=${svc}`])).split('\n');
  const out = await Promise.all(
    ids
      .filter(Boolean)
      .map((c) =>
        docker([
          'inspect',
          '--format',
          '{{if .State.Health}}{{range .State.Health.Log}}{{.Output}}{{end}}{{end}}',
          c,
        ]).catch(() => ''),
      ),
  );
  return out.join('');
};
const remove = (...svcs: string[]) => docker(['service', 'rm', ...svcs]).catch(() => undefined);

/** A plain container of a stand-in (outside the swarm), for looking inside it. */
async function container(image: string, args: string[] = [], flags: string[] = []): Promise<string> {
  const name = `standin-${randomBytes(3).toString('hex')}`;
  await docker(['run', '--detach', '--name', name, ...flags, image, ...args]);
  containers.push(name);
  return name;
}

beforeAll(async () => {
  await docker(['network', 'create', '--driver', 'overlay', '--attachable', net]);
  await docker(['network', 'create', '--driver', 'overlay', '--attachable', lonely]);
  // The frontend waits 30 s for `revenge` to resolve before it gives up: start it first.
  await service('frontend', STANDIN_IMAGES.frontend as string, { network: lonely });
  await service('postgres', STANDIN_IMAGES.postgres as string, {
    alias: 'postgres',
    flags: ['--env', 'POSTGRES_PASSWORD=pw-123', '--env', 'POSTGRES_USER=revenge'],
  });
});

afterAll(async () => {
  if (services.length) await docker(['service', 'rm', ...services]).catch(() => undefined);
  if (containers.length) await docker(['rm', '--force', ...containers]).catch(() => undefined);
  await until(
    () => docker(['ps', '-a', '-q', '--filter', `label=com.docker.swarm.service.name`]).catch(() => ''),
    (o) => o.trim() === '',
    'service containers to go',
    30_000,
  ).catch(() => undefined);
  if (secrets.length) await docker(['secret', 'rm', ...secrets]).catch(() => undefined);
  await docker(['network', 'rm', net, lonely]).catch(() => undefined);
});

describe('contract stand-in images', () => {
  it('are built for every contract and hold only the tools the contract lists', async () => {
    for (const c of allImageContracts()) {
      const image = STANDIN_IMAGES[c.component] as string;
      expect(image).toBe(`${c.images[0]}:homeport-standin`);
      const listing = await docker([
        'run',
        '--rm',
        '--entrypoint',
        '/standin/busybox',
        image,
        'ls',
        '/bin',
        '/usr/bin',
      ]);
      const onPath = listing
        .split('\n')
        .filter((l) => l && !l.endsWith(':'))
        .sort();
      // The tools the contract lists, and the program itself where a start wrapper runs it by name.
      expect(onPath, c.component).toEqual([...c.tools, ...(c.program ? [c.program.name] : [])].sort());
    }
    const user = await docker(['image', 'inspect', '--format', '{{.Config.User}}', STANDIN_IMAGES.revenge as string]);
    expect(user.trim()).toBe('1000:1000');
  });

  it('Revenge with a good config and postgres reachable runs healthy on /readyz; /health/ready on 8096 is unhealthy', async () => {
    const config = await secret('revenge-config', GOOD_CONFIG);
    const mount = ['--secret', `source=${config},target=/app/config/config.yaml`];
    const good = await service('api', STANDIN_IMAGES.revenge as string, {
      alias: 'revenge',
      flags: [...mount, ...health('wget -q -O /dev/null http://127.0.0.1:8096/readyz')],
    });
    const wrong = await service('api-wrong', STANDIN_IMAGES.revenge as string, {
      flags: [...mount, ...health('wget -q -O /dev/null http://127.0.0.1:8096/health/ready')],
    });
    const curl = await service('api-curl', STANDIN_IMAGES.revenge as string, {
      flags: [...mount, ...health('curl -f http://127.0.0.1:8096/healthz')],
    });
    expect(await until(statuses(good), (s) => s.includes('(healthy)'), 'healthy')).toContain('Up');
    await until(
      async () => `${await statuses(wrong)()}${await taskErrors(wrong)()}`,
      (s) => s.includes('(unhealthy)') || s.includes('unhealthy container'),
      '/health/ready to make the task unhealthy',
    );
    expect(await healthOutput(wrong)()).toContain('404 Not Found');
    // The image has no curl: a health check using it cannot pass.
    await until(
      async () => `${await statuses(curl)()}${await taskErrors(curl)()}`,
      (s) => s.includes('(unhealthy)') || s.includes('unhealthy container'),
      'the curl health check to fail',
    );
    expect(await healthOutput(curl)()).toContain('curl: not found');
    const logs = await serviceLogs(good)();
    expect(logs).toContain('setting cache.enabled=true');
    expect(logs).toContain('setting database.url=(secret)');
    expect(logs).not.toContain('pw-123');
    await remove(wrong, curl);
  });

  it('Revenge with a config lacking the database password fails, saying why in the service log', async () => {
    const config = await secret('revenge-nopw', GOOD_CONFIG.replace(':pw-123@', '@'));
    const svc = await service('api-nopw', STANDIN_IMAGES.revenge as string, {
      flags: ['--secret', `source=${config},target=/app/config/config.yaml`],
    });
    expect(await until(serviceLogs(svc), (l) => l.includes('Error:'), 'the reason')).toContain(
      'Error: database.url has no password',
    );
    expect(await until(taskErrors(svc), (e) => e.includes('non-zero exit (1)'), 'the task to fail')).toBeTruthy();
    await remove(svc);
  });

  it('the frontend without a `revenge` to resolve fails after waiting', async () => {
    const svc = `frontend-${id}`;
    expect(await until(serviceLogs(svc), (l) => l.includes('Error:'), 'the frontend to give up', 75_000)).toContain(
      "Error: cannot resolve host 'revenge'",
    );
    await until(taskErrors(svc), (e) => e.includes('non-zero exit (1)'), 'the task to fail');
    await remove(svc);
  }, 90_000);

  it('Typesense ignores TYPESENSE_API_KEY_FILE, but starts with --config naming its ini file', async () => {
    const key = await secret('ts-key', 'abc');
    const bad = await service('ts-file', STANDIN_IMAGES.typesense as string, {
      flags: [
        '--secret',
        `source=${key},target=/run/secrets/key`,
        '--env',
        'TYPESENSE_API_KEY_FILE=/run/secrets/key',
        '--env',
        'TYPESENSE_DATA_DIR=/data',
      ],
    });
    expect(await until(serviceLogs(bad), (l) => l.includes('Error:'), 'typesense to refuse')).toContain(
      'Error: api-key is required',
    );
    const ini = await secret('ts-ini', '[server]\napi-key = abc\ndata-dir = /data\n');
    const good = await service('ts-ini', STANDIN_IMAGES.typesense as string, {
      flags: [
        '--secret',
        `source=${ini},target=/etc/typesense/typesense-server.ini`,
        ...health('curl -fsS http://127.0.0.1:8108/health'),
      ],
      args: ['--config=/etc/typesense/typesense-server.ini'],
    });
    expect(await until(statuses(good), (s) => s.includes('(healthy)'), 'typesense healthy')).toContain('Up');
    await remove(bad, good);
  });

  it('serve only the contract paths, answer PING on the Redis port, and exit 0 on SIGTERM', async () => {
    const pg = await container(STANDIN_IMAGES.postgres as string, [], ['--env', 'POSTGRES_HOST_AUTH_METHOD=trust']);
    const api = await container(
      STANDIN_IMAGES.revenge as string,
      [],
      ['--add-host', 'postgres:127.0.0.1', '--env', 'REVENGE_DATABASE_URL=postgres://revenge:pw@postgres:5432/revenge'],
    );
    const df = await container(STANDIN_IMAGES.dragonfly as string, ['--cluster_mode=emulated']);
    const exec = (c: string, ...cmd: string[]) => docker(['exec', c, ...cmd]);
    await until(
      () => docker(['logs', api]),
      (l) => l.includes('listening on :9096'),
      'the API to listen',
    );
    expect(await exec(api, 'wget', '-q', '-O', '-', 'http://127.0.0.1:9096/metrics')).toContain(
      'homeport_standin_info{component="revenge"} 1',
    );
    await expect(exec(api, 'wget', '-q', '-O', '-', 'http://127.0.0.1:8096/metrics')).rejects.toThrow(/404/);
    await until(
      () => docker(['logs', df]),
      (l) => l.includes('listening on :6379'),
      'dragonfly to listen',
    );
    expect((await exec(df, 'redis-cli', 'ping')).trim()).toBe('PONG');
    await until(
      () => docker(['logs', pg]),
      (l) => l.includes('listening on :5432'),
      'postgres to listen',
    );
    expect(await exec(pg, 'pg_isready', '-h', '127.0.0.1')).toContain('accepting connections');
    await expect(exec(pg, 'pg_isready', '-h', '127.0.0.1', '-p', '5433')).rejects.toMatchObject({
      code: 2,
      stdout: '127.0.0.1:5433 - no response\n',
    });
    // It holds no database: pg_dump and pg_restore fail as the real ones do (standin-pgtools.test.ts).
    await until(
      () => docker(['logs', pg]),
      (l) => l.includes('listening on /var/run/postgresql/.s.PGSQL.5432'),
      'postgres to listen on its socket',
    );
    await expect(exec(pg, 'pg_dump', '-Fc', '-U', 'revenge', 'revenge')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^pg_dump: error: connection to server on socket "\/var\/run\/postgresql\/\.s\.PGSQL\.5432" failed: server closed the connection unexpectedly\n/,
      ),
    });
    await expect(exec(pg, 'pg_dump', '-h', '/nowhere', 'revenge')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('failed: No such file or directory'),
    });
    await expect(exec(pg, 'pg_restore', '--list', '/nowhere.dump')).rejects.toMatchObject({
      code: 1,
      stderr: 'pg_restore: error: could not open input file "/nowhere.dump": No such file or directory\n',
    });
    await docker(['stop', api]);
    expect((await docker(['inspect', '--format', '{{.State.ExitCode}}', api])).trim()).toBe('0');
  });
});
