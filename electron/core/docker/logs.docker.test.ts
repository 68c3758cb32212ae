import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogChunk } from '@shared/kube-schemas';
import { createDockerClient } from './client';
import { streamSwarmLogs } from './logs';
import { STANDIN_IMAGE } from './testing/dockerd';
import { testEngine } from './testing/engine';

const engine = testEngine();
const openClient = async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
const created: string[] = [];

async function createService(name: string, tty: boolean): Promise<string> {
  const args = ['service', 'create', '--quiet', '--detach', '--name', name, '--entrypoint', 'sh'];
  if (tty) args.push('--tty');
  args.push(STANDIN_IMAGE, '-c', 'echo out-1; echo err-1 >&2; echo out-2; sleep 600');
  const id = (await engine.docker(args)).trim();
  created.push(name);
  return id;
}

function collect(params: Parameters<typeof streamSwarmLogs>[0]) {
  const chunks: LogChunk[] = [];
  const stop = streamSwarmLogs(params, (c) => chunks.push(c), { openClient, batchMs: 20 });
  const lines = () => chunks.flatMap((c) => (c.type === 'lines' ? c.lines : []));
  return { chunks, lines, stop };
}

async function until(check: () => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(async () => {
  if (created.length) await engine.docker(['service', 'rm', ...created]).catch(() => undefined);
});

describe('Swarm service and task logs', () => {
  it('follows a service log, demultiplexed into stdout and stderr lines', async () => {
    const name = `logs-${randomBytes(3).toString('hex')}`;
    await createService(name, false);
    const log = collect({ endpoint: 'test', service: name, follow: true });
    await until(() => log.lines().length >= 3);
    expect([...log.lines()].sort()).toEqual(['err-1', 'out-1', 'out-2']);
    expect(log.lines().filter((l) => l.startsWith('out'))).toEqual(['out-1', 'out-2']);
    expect(log.chunks.some((c) => c.type === 'end')).toBe(false);
    log.stop();

    // A task's log, not followed: ends by itself.
    const client = await openClient();
    const tasks = await client.request<Array<{ ID: string }>>('/tasks', {
      query: { filters: JSON.stringify({ service: [name] }) },
    });
    client.close();
    const byTask = collect({ endpoint: 'test', task: tasks[0]!.ID, follow: false, tail: 10 });
    await until(() => byTask.chunks.some((c) => c.type === 'end'));
    expect([...byTask.lines()].sort()).toEqual(['err-1', 'out-1', 'out-2']);
    expect(byTask.chunks.at(-1)).toEqual({ type: 'end', reason: 'End of the log' });
  });

  it('reads the raw stream of a service with a TTY', async () => {
    const name = `logs-tty-${randomBytes(3).toString('hex')}`;
    await createService(name, true);
    const log = collect({ endpoint: 'test', service: name, follow: true });
    await until(() => log.lines().length >= 3);
    expect([...log.lines()].sort()).toEqual(['err-1', 'out-1', 'out-2']);
    log.stop();
  });

  it('ends with a reason for a service that does not exist', async () => {
    const log = collect({ endpoint: 'test', service: 'no-such-service-here', follow: true });
    await until(() => log.chunks.length > 0);
    expect(log.chunks).toEqual([
      { type: 'end', reason: "The service 'no-such-service-here' no longer exists on endpoint 'test'" },
    ]);
  });
});
