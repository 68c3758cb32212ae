/**
 * Revenge deployed to the real engine's swarm with its stand-in images: Homeport finds the stack,
 * runs psql in the postgres service's task through the Engine API's exec, and reads River's leader
 * row as the stand-in database holds it (a test sets it, as River would, through a command in the
 * same container). The readiness check of periodic-job leadership follows the row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackTableLeader, TableLeaderReading } from '@shared/leader-schemas';
import type { SwarmTarget } from '@shared/target-schemas';
import { createDockerClient } from '../docker/client';
import { revengeStandinImages } from '../docker/testing/revenge-standins';
import { testEngine } from '../docker/testing/engine';
import { STANDIN_TABLES_FILE } from '../docker/testing/standin-layout';
import { createRunInWorkload } from '../exec/command';
import { swarmCommands } from '../exec/swarm-exec';
import { reportSwarm } from '../readiness/swarm';
import { createStackCatalog } from '../stacks/catalog';
import { postgresImage } from '../stacks/revenge-upstream';
import { createSwarmDeployer } from '../swarm/deployer';
import { createStackLeaders } from './stack-leaders';

const engine = testEngine();
const endpoint = 'test';
const stack = 'rvleader';
const target: SwarmTarget = { kind: 'swarm', endpoint };
const openClient = async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
const catalog = createStackCatalog();
const deployer = createSwarmDeployer({ openClient, catalog, updateMonitorMs: 2000 });
const runInWorkload = createRunInWorkload({
  kubernetes: () => {
    throw new Error('no Kubernetes in this test');
  },
  swarm: (t) => swarmCommands(t, { openClient }),
});
const leaders = createStackLeaders({
  openGateway: () => Promise.reject(new Error('no Kubernetes in this test')),
  openClient,
  stacks: catalog,
  runInWorkload,
});
const socketDir = (postgresImage.sockets?.[0]?.path ?? '').replace(/\/[^/]+$/, '');

/** Polls the Leaders screen's list until Revenge's row satisfies ok. */
async function until(ok: (r: TableLeaderReading) => boolean, timeoutMs = 90_000): Promise<StackTableLeader> {
  const deadline = Date.now() + timeoutMs;
  let last: StackTableLeader[] = [];
  while (Date.now() < deadline) {
    last = await leaders.list({ kind: 'swarm', endpoint });
    const mine = last.find((l) => l.stack === stack);
    if (mine && ok(mine.reading)) return mine;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`never matched; last: ${JSON.stringify(last)}`);
}

/** Writes the stand-in database's tables with a command in the postgres task (dash's own printf). */
async function setTables(tables: Record<string, unknown[]>) {
  const session = runInWorkload(target, {
    workload: { service: `${stack}_postgres` },
    command: [
      'sh',
      '-c',
      'printf "%s" "$1" > "$2"',
      'sh',
      JSON.stringify(tables),
      `${socketDir}/${STANDIN_TABLES_FILE}`,
    ],
  });
  session.stdout.resume();
  let stderr = '';
  session.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  expect(await session.result, stderr).toEqual({ kind: 'exited', code: 0 });
}

const leaderCheck = async () =>
  (
    await reportSwarm(
      { endpoint, stack, template: 'revenge' },
      {
        openClient,
        stacks: catalog,
        readLeader: (r) => leaders.read({ kind: 'swarm', endpoint: r.endpoint }, r.stack),
      },
    )
  ).checks.find((c) => c.id === 'state.leader-election');

describe("Revenge's River leader on the real engine", () => {
  beforeAll(async () => {
    const values = { ...revengeStandinImages(), nfs: { enabled: false }, swarm: { publish: { frontend: null } } };
    await deployer.apply({ endpoint, stack, template: 'revenge', values, prune: true });
  }, 120_000);
  afterAll(async () => {
    await deployer.remove({ endpoint, stack, deleteVolumes: true }).catch(() => undefined);
  });

  it('before River migrated, says the table is missing; then shows the leader River elected, and when it expires', async () => {
    const missing = await until((r) => r.state === 'unknown' && r.cause === 'no-table');
    expect(missing).toMatchObject({
      stack,
      title: 'Revenge',
      target,
      table: 'public.river_leader in the database revenge',
      ref: expect.stringMatching(/^lusoris\/revenge@\w+:internal\/infra\/jobs\/module\.go:54$/),
      workload: expect.stringMatching(
        new RegExp(`^task ${stack}_postgres\\.1 \\(\\w+\\) of service ${stack}_postgres$`),
      ),
    });
    expect(missing.reading.state === 'unknown' && missing.reading.message).toMatch(
      /public\.river_leader does not exist in the database revenge: the program's migrations have not run yet \(psql: ERROR: {2}relation "public\.river_leader" does not exist\)/,
    );
    expect(await leaderCheck()).toMatchObject({
      verdict: 'unknown',
      summary: expect.stringMatching(/migrations have not run/),
    });

    const elected = new Date(Date.now() - 1000).toISOString();
    const expires = new Date(Date.now() + 120_000).toISOString();
    await setTables({
      'public.river_leader': [
        { leader_id: 'revenge_api_7f3a', elected_at: elected, expires_at: expires, name: 'default' },
      ],
    });
    const held = await until((r) => r.state === 'held');
    expect(held.reading).toMatchObject({ state: 'held', holder: 'revenge_api_7f3a' });
    if (held.reading.state === 'held') expect(Date.parse(held.reading.since)).toBe(Date.parse(elected));
    expect(await leaderCheck()).toMatchObject({
      verdict: 'pass',
      summary: expect.stringMatching(/^The periodic jobs' leader is revenge_api_7f3a /),
    });

    const past = new Date(Date.now() - 30_000).toISOString();
    await setTables({
      'public.river_leader': [
        { leader_id: 'revenge_api_7f3a', elected_at: elected, expires_at: past, name: 'default' },
      ],
    });
    expect((await until((r) => r.state === 'expired')).reading).toMatchObject({ holder: 'revenge_api_7f3a' });
    expect(await leaderCheck()).toMatchObject({ verdict: 'fail', summary: expect.stringMatching(/stopped renewing/) });

    await setTables({ 'public.river_leader': [] });
    await until((r) => r.state === 'none');
    expect(await leaderCheck()).toMatchObject({
      verdict: 'fail',
      summary: 'Nobody leads the periodic jobs: public.river_leader is empty',
    });
  }, 240_000);
});
