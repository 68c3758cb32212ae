/**
 * One rule per name, whatever the entry point: the same names go through the CLI (homeport s3 /
 * nas / docker), the API (the contract's dispatch over the real services) and the screens' check
 * (renderer/src/lib/check-input.ts, which every form's call goes through), and each must give the
 * same verdict. A name the CLI saves must then be usable from the app: tested and removed.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, ChannelInput } from '@shared/contract';
import { checkInput } from '../renderer/src/lib/check-input';
import { runDocker } from '../electron/cli/docker-commands';
import { runNas, runS3, type StorageIo } from '../electron/cli/storage-commands';
import { HomeportError } from '../electron/core/errors';
import { createApi } from '../electron/api/create-api';

type Verdict = 'accepted' | 'refused';

/** Names every saved thing (S3 profile, NAS host, Docker endpoint, NFS export) is checked with. */
const NAMES: [string, Verdict][] = [
  ['-garage-', 'refused'],
  ['garage-', 'refused'],
  ['garage', 'accepted'],
  ['Garage', 'refused'],
  ['a', 'accepted'],
  ['1', 'accepted'],
  ['nas-1', 'accepted'],
  ['a'.repeat(63), 'accepted'],
  ['a'.repeat(64), 'refused'],
  ['nas_1', 'refused'],
  ['nas.lan', 'refused'],
  ['nas 1', 'refused'],
  [' nas', 'refused'],
  ['gärage', 'refused'],
  ['nas-🚀', 'refused'],
  ['--', 'refused'],
  ['', 'refused'],
];

const BUCKETS: [string, Verdict][] = [
  ['media', 'accepted'],
  ['media.backups-2', 'accepted'],
  ['a'.repeat(63), 'accepted'],
  ['me', 'refused'],
  ['a'.repeat(64), 'refused'],
  ['Media', 'refused'],
  ['my_bucket', 'refused'],
  ['-media', 'refused'],
  ['media..x', 'refused'],
  ['media.-x', 'refused'],
  ['192.168.1.10', 'refused'],
  ['xn--media', 'refused'],
  ['sthree-media', 'refused'],
  ['media-s3alias', 'refused'],
];

let root: string;
let closedPort: number;
const dirs = { cli: '', api: '' };
let api: ReturnType<typeof createApi>;

function cliIo(): StorageIo {
  return { out: () => {}, err: () => {}, secrets: { env: { HOMEPORT_S3_SECRET_KEY: 'secret-key' } } };
}

/** What a CLI command said: accepted unless it refused its input (INVALID_INPUT). */
async function cli(run: () => Promise<number>): Promise<{ verdict: Verdict; message?: string }> {
  try {
    await run();
    return { verdict: 'accepted' };
  } catch (err) {
    if (err instanceof HomeportError && err.code === 'INVALID_INPUT')
      return { verdict: 'refused', message: err.message };
    return { verdict: 'accepted' }; // refused for another reason (the host is unreachable, ...): the name passed
  }
}

async function viaApi<C extends Channel>(channel: C, input: ChannelInput<C>) {
  const result = await api.dispatch(channel, input);
  return result.ok || result.error.code !== 'INVALID_INPUT'
    ? { verdict: 'accepted' as Verdict, result }
    : { verdict: 'refused' as Verdict, message: result.error.message, result };
}

function viaUi<C extends Channel>(channel: C, input: ChannelInput<C>): { verdict: Verdict; message?: string } {
  const message = checkInput(channel, input);
  return message === undefined ? { verdict: 'accepted' } : { verdict: 'refused', message };
}

/**
 * The reason after the field, the same words whoever says it: the CLI names its command and the
 * field ("Invalid input for homeport s3 add: 'name': "), the app the field's on-screen label ("Name: ").
 */
const reason = (message?: string) =>
  message?.replace(/^Invalid input for [^:]+(:[a-zA-Z]+)?: '[^']+': /, '').replace(/^[A-Z][\w ]*: /, '');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'homeport-names-'));
  dirs.cli = join(root, 'cli');
  dirs.api = join(root, 'api');
  // A port nothing listens on: a bucket request fails as unreachable, after the name was checked.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  api = createApi({ dataDir: dirs.api, mode: 'web', env: { HOME: root } });
});

afterAll(async () => {
  api?.services.close();
  await rm(root, { recursive: true, force: true });
});

describe.each(NAMES)('the name %j', (name, expected) => {
  const endpoint = () => `http://127.0.0.1:${closedPort}`;

  it(`is ${expected} as an S3 profile by the CLI, the API and the Storage screen alike`, async () => {
    const input = { name, endpoint: endpoint(), accessKeyId: 'key-id', secretAccessKey: 'secret-key' };
    const fromCli = await cli(() =>
      runS3(
        ['add', '--endpoint', endpoint(), '--access-key-id', 'key-id', '--data-dir', dirs.cli, '--', name],
        cliIo(),
      ),
    );
    const fromApi = await viaApi('s3:add', input);
    const fromUi = viaUi('s3:add', input);
    expect([fromCli.verdict, fromApi.verdict, fromUi.verdict]).toEqual([expected, expected, expected]);
    if (expected === 'refused') {
      expect(fromApi.message).toMatch(/^Name: /);
      expect(fromUi.message).toBe(fromApi.message);
      expect(reason(fromCli.message)).toBe(reason(fromApi.message));
      return;
    }
    // The profile the CLI saved can be tested and removed from the app.
    const cliApp = createApi({ dataDir: dirs.cli, mode: 'web', env: { HOME: root } });
    try {
      const tested = await cliApp.dispatch('s3:test', { name });
      expect(tested).toMatchObject({ ok: true, value: { status: 'failed', reason: 'unreachable' } });
      expect(await cliApp.dispatch('s3:remove', { name })).toEqual({ ok: true, value: { profiles: [] } });
    } finally {
      cliApp.services.close();
    }
    expect(await api.dispatch('s3:remove', { name })).toEqual({ ok: true, value: { profiles: [] } });
  });

  it(`is ${expected} as a NAS host by the CLI, the API and the Storage screen alike`, async () => {
    const input = { name, address: '127.0.0.1', user: 'admin', auth: 'agent' as const };
    const fromCli = await cli(() =>
      runNas(
        ['add', '--address', '127.0.0.1', '--user', 'admin', '--agent', '--data-dir', dirs.cli, '--', name],
        cliIo(),
      ),
    );
    const fromApi = await viaApi('nas:add', input);
    const fromUi = viaUi('nas:add', input);
    expect([fromCli.verdict, fromApi.verdict, fromUi.verdict]).toEqual([expected, expected, expected]);
    if (expected === 'refused') {
      expect(fromUi.message).toBe(fromApi.message);
      expect(reason(fromCli.message)).toBe(reason(fromApi.message));
      return;
    }
    const cliApp = createApi({ dataDir: dirs.cli, mode: 'web', env: { HOME: root } });
    try {
      expect(await cliApp.dispatch('nas:remove', { name })).toEqual({ ok: true, value: { hosts: [] } });
    } finally {
      cliApp.services.close();
    }
    expect(await api.dispatch('nas:remove', { name })).toEqual({ ok: true, value: { hosts: [] } });
  });

  it(`is ${expected} as a Docker endpoint by the CLI, the API and the Swarm screen alike`, async () => {
    const input = { name, url: 'unix:///var/run/docker.sock' };
    const fromCli = await cli(() =>
      runDocker(['add', '--url', input.url, '--data-dir', dirs.cli, '--', name], { out: () => {}, err: () => {} }, {}),
    );
    const fromApi = await viaApi('docker:addEndpoint', input);
    const fromUi = viaUi('docker:addEndpoint', input);
    expect([fromCli.verdict, fromApi.verdict, fromUi.verdict]).toEqual([expected, expected, expected]);
    if (expected === 'refused') {
      expect(fromUi.message).toBe(fromApi.message);
      expect(reason(fromCli.message)).toBe(reason(fromApi.message));
      return;
    }
    const removed = { ok: true, value: { endpoints: [] } };
    const cliApp = createApi({ dataDir: dirs.cli, mode: 'web', env: { HOME: root } });
    try {
      expect(await cliApp.dispatch('docker:removeEndpoint', { name })).toEqual(removed);
    } finally {
      cliApp.services.close();
    }
    expect(await api.dispatch('docker:removeEndpoint', { name })).toEqual(removed);
  });

  it(`is ${expected} as an NFS export name by the CLI, the API and the Storage screen alike`, async () => {
    // No host 'nas' is saved: a name that passes fails later, as NOT_FOUND, before any connection.
    const input = {
      host: 'nas',
      name,
      path: '/srv/media',
      clients: ['10.0.0.0/24'],
      readOnly: true,
      squash: 'root_squash' as const,
    };
    const args = ['export', '--path', '/srv/media', '--clients', '10.0.0.0/24', '--data-dir', dirs.cli];
    const fromCli = await cli(() => runNas([...args, '--', 'nas', name], cliIo()));
    const fromApi = await viaApi('nas:createExport', input);
    const fromUi = viaUi('nas:createExport', input);
    expect([fromCli.verdict, fromApi.verdict, fromUi.verdict]).toEqual([expected, expected, expected]);
    if (expected === 'accepted') expect(fromApi.result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it(`is ${expected} as a saved reference in a stack's values`, async () => {
    const profile = await viaApi('stacks:validate', {
      stack: 'revenge',
      values: { objectStore: { mode: 'profile', profile: name }, nfs: { nas: { host: name, export: name } } },
    });
    const issues = profile.result.ok ? (profile.result.value as { issues: { path: string }[] }).issues : [];
    const flagged = ['objectStore.profile', 'nfs.nas.host', 'nfs.nas.export'].map((p) =>
      issues.some((i) => i.path === p) ? 'refused' : 'accepted',
    );
    expect(flagged).toEqual([expected, expected, expected]);
  });
});

describe.each(BUCKETS)('the bucket name %j', (bucket, expected) => {
  it(`is ${expected} by homeport s3 mb, s3:createBucket and the buckets panel alike`, async () => {
    const endpoint = `http://127.0.0.1:${closedPort}`;
    for (const dir of [dirs.cli, dirs.api]) {
      const app = createApi({ dataDir: dir, mode: 'web', env: { HOME: root } });
      try {
        const saved = await app.services.s3Profiles.list();
        if (!saved.some((p) => p.name === 'store')) {
          await app.services.s3Profiles.add({ name: 'store', endpoint, accessKeyId: 'k', secretAccessKey: 's' });
        }
      } finally {
        app.services.close();
      }
    }
    const input = { profile: 'store', bucket, private: true };
    const fromCli = await cli(() => runS3(['mb', '--data-dir', dirs.cli, '--', 'store', bucket], cliIo()));
    const fromApi = await viaApi('s3:createBucket', input);
    const fromUi = viaUi('s3:createBucket', input);
    expect([fromCli.verdict, fromApi.verdict, fromUi.verdict]).toEqual([expected, expected, expected]);
    if (expected === 'refused') {
      expect(fromApi.message).toContain(JSON.stringify(bucket));
      expect(fromUi.message).toBe(fromApi.message);
      expect(reason(fromCli.message)).toBe(reason(fromApi.message));
    } else {
      expect(fromApi.result).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    }
  });
});
