/**
 * The Kubernetes path of reading a table leader: Homeport's pods/exec client against the exec test
 * API server, whose "container" is this machine, so the psql Homeport sends runs for real against a
 * real PostgreSQL holding River's table (its socket directory stands in for the image's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunInWorkload } from '../exec/command';
import { kubeExecFixture, type KubeExecFixture } from '../exec/testing/kube-fixture';
import { revengeSignals } from '../stacks/revenge-signals';
import type { PostgresTableLeader } from '../stacks/signals';
import { readTableLeader } from './read-leader';
import { psqlArgv } from './table-leader';
import { startTestPostgres, type TestPostgres } from './testing/postgres';

const river = revengeSignals.leader as PostgresTableLeader;
const target = { kind: 'kubernetes', context: 'c', namespace: 'media' } as const;
let fx: KubeExecFixture;
let pg: TestPostgres;
let source: PostgresTableLeader;

const deps = (pod: string) => ({
  runInWorkload: createRunInWorkload({
    kubernetes: () => ({ run: (request) => fx.run(request, 'media') }),
    swarm: () => {
      throw new Error('no swarm here');
    },
  }),
  workloadOf: async () => ({ pod }),
});

beforeAll(async () => {
  [fx, pg] = await Promise.all([kubeExecFixture(), startTestPostgres(river.user, river.database)]);
  fx.server.addPod({ name: 'postgres-0', namespace: 'media', containers: ['postgres'] });
  source = { ...river, socketDir: pg.socketDir };
}, 60_000);
afterAll(async () => {
  await fx?.close();
  await pg?.stop();
});

describe('reading the leader table in a pod', () => {
  it('runs Homeport’s psql argv through pods/exec and reads what the table holds', async () => {
    expect((await readTableLeader(deps('postgres-0'), target, 'revenge', source)).reading).toMatchObject({
      state: 'unknown',
      cause: 'no-table',
    });
    const sent = fx.server.execs.at(-1);
    expect(sent?.path).toBe('/api/v1/namespaces/media/pods/postgres-0/exec');
    expect(sent?.query.getAll('command')).toEqual(psqlArgv(source));

    const r = await pg.psql(river.database, [
      '-c',
      "CREATE UNLOGGED TABLE river_leader(elected_at timestamptz NOT NULL, expires_at timestamptz NOT NULL, leader_id text NOT NULL, name text PRIMARY KEY DEFAULT 'default'); " +
        "INSERT INTO river_leader (leader_id, elected_at, expires_at) VALUES ('revenge_api_k8s', now(), now() + make_interval(secs => 15))",
    ]);
    expect(r.code).toBe(0);
    const read = await readTableLeader(deps('postgres-0'), target, 'revenge', source);
    expect(read.workload).toBe('pod postgres-0 in namespace media');
    expect(read.reading).toMatchObject({ state: 'held', holder: 'revenge_api_k8s' });
  });

  it('a pod that is not there is unknown, naming the pod', async () => {
    const read = await readTableLeader(deps('postgres-9'), target, 'revenge', source);
    expect(read.reading).toMatchObject({
      state: 'unknown',
      cause: 'exec-failed',
      message: expect.stringMatching(/pod postgres-9 .*does not exist/),
    });
  });
});
