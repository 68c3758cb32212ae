/**
 * The real PostgreSQL test image as a pod of the sandbox's Docker runtime, the way the Revenge
 * stack renders its database for Kubernetes: the password from a Secret, PGDATA under a volume,
 * an exec readiness probe; then real kubectl exec runs psql in it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectlHarness } from '../../../sandbox/docker/kubectl-harness';
import { startSandbox, type Sandbox } from '../../../sandbox/index';
import { sampleDataSql } from '../../backup/testing/sample-data';
import { testEngine } from './engine';
import { ensurePostgresImage, POSTGRES_IMAGE } from './postgres-image';

const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-pg-sandbox-'));
const kubeconfig = join(dir, 'kubeconfig');
const { kubectl, result } = kubectlHarness(kubeconfig);
let sandbox: Sandbox;

interface PodView {
  status?: { containerStatuses?: { ready: boolean; restartCount: number }[] };
}

const MANIFEST = `
apiVersion: v1
kind: Secret
metadata: {name: revenge}
stringData: {database-password: sandbox-pw}
---
apiVersion: v1
kind: Pod
metadata: {name: postgres, labels: {app: postgres}}
spec:
  containers:
  - name: postgres
    image: ${POSTGRES_IMAGE}
    imagePullPolicy: IfNotPresent
    ports: [{name: postgres, containerPort: 5432}]
    env:
    - name: POSTGRES_PASSWORD
      valueFrom: {secretKeyRef: {name: revenge, key: database-password}}
    - {name: POSTGRES_USER, value: revenge}
    - {name: POSTGRES_DB, value: revenge}
    - {name: PGDATA, value: /var/lib/postgresql/data/pgdata}
    volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
    readinessProbe:
      exec: {command: [pg_isready, -h, 127.0.0.1, -U, revenge, -d, revenge]}
      periodSeconds: 1
  volumes:
  - name: data
    emptyDir: {}
`;

beforeAll(async () => {
  await ensurePostgresImage(engine.docker);
  sandbox = await startSandbox({ speed: 0.1, runtime: { kind: 'docker', dockerHost: engine.host } });
  await sandbox.writeKubeconfig(kubeconfig);
  writeFileSync(join(dir, 'postgres.yaml'), MANIFEST);
  await kubectl('apply', '-f', join(dir, 'postgres.yaml'));
}, 240_000);

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the real PostgreSQL image under the sandbox’s Docker runtime', () => {
  it('becomes Ready on its pg_isready probe, and kubectl exec runs psql in it', async () => {
    await eventually(
      async () => JSON.parse(await kubectl('get', 'pod', 'postgres', '-o', 'json')) as PodView,
      (p) => p.status?.containerStatuses?.[0]?.ready === true,
      90_000,
    );
    expect(await kubectl('exec', 'postgres', '--', 'psql', '-U', 'revenge', '-d', 'revenge', '-c', 'select 1')).toMatch(
      /^ \?column\? \n-+\n +1\n\(1 row\)\n/,
    );
    const load = await result(
      ['exec', '-i', 'postgres', '--', 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'revenge', '-d', 'revenge'],
      sampleDataSql({ rowsPerTable: 1000 }),
    );
    expect(load).toMatchObject({ code: 0, err: '' });
    const count = await kubectl(
      'exec',
      'postgres',
      '--',
      'psql',
      '-X',
      '-A',
      '-t',
      '-U',
      'revenge',
      '-d',
      'revenge',
      '-c',
      'SELECT count(*) FROM movie.watch_history',
    );
    expect(count).toBe('1000\n');
    const wrong = await result(['exec', 'postgres', '--', 'psql', '-U', 'nobody', '-d', 'revenge', '-c', 'select 1']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('FATAL:  role "nobody" does not exist');
    expect(
      (JSON.parse(await kubectl('get', 'pod', 'postgres', '-o', 'json')) as PodView).status?.containerStatuses?.[0]
        ?.restartCount,
    ).toBe(0);
  });
});
