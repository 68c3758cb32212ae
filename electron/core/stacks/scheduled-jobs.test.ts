import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createStackCatalog } from './catalog';
import { DUMP_SCRIPT } from './postgres-backup-job';
import { CRON_FUNCTIONS, CRON_LOOP } from './scheduled-jobs';
import { validateKubeObjects } from './testing/kube-schema';
import type { KubeObject } from './types';

const catalog = createStackCatalog();
const inCluster = { enabled: true, nfs: { server: 'nas.lan', path: '/export/backups' }, keep: 5 };
const k8s = (values: unknown) => catalog.renderKubernetes('revenge', values, { namespace: 'media' }).objects;
const find = (objs: KubeObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name) as KubeObject & { spec: Record<string, never> };

describe('in-cluster backup on Kubernetes', () => {
  it('renders nothing without backup.inCluster.enabled', () => {
    expect(k8s({}).filter((o) => o.kind === 'CronJob')).toEqual([]);
  });

  it('renders a valid CronJob that dumps with the postgres image over TCP as the declared user', () => {
    const objs = k8s({ backup: { inCluster: { ...inCluster, schedule: '30 2 * * 0' } } });
    const cron = find(objs, 'CronJob', 'postgres-backup');
    expect(() => validateKubeObjects(objs)).not.toThrow();
    expect(cron.apiVersion).toBe('batch/v1');
    const spec = cron.spec as unknown as {
      schedule: string;
      timeZone: string;
      concurrencyPolicy: string;
      jobTemplate: { spec: { template: { spec: Record<string, never> } } };
    };
    expect(spec).toMatchObject({ schedule: '30 2 * * 0', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
    const pod = spec.jobTemplate.spec.template.spec as unknown as {
      restartPolicy: string;
      securityContext: { runAsUser: number };
      containers: { image: string; command: string[]; env: unknown[]; volumeMounts: unknown[] }[];
      volumes: unknown[];
    };
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext.runAsUser).toBe(70);
    const [c] = pod.containers;
    expect(c?.image).toBe('postgres:18-alpine');
    expect(c?.command).toEqual(['sh', '-c', DUMP_SCRIPT, 'pg-backup']);
    expect(c?.env).toEqual(
      expect.arrayContaining([
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'revenge-secrets', key: 'database-password' } } },
        { name: 'PGHOST', value: 'postgres' },
        { name: 'PGPORT', value: '5432' },
        { name: 'PGUSER', value: 'revenge' },
        { name: 'PGDATABASE', value: 'revenge' },
        { name: 'BACKUP_KEEP', value: '5' },
        { name: 'BACKUP_PREFIX', value: 'revenge' },
      ]),
    );
    expect(c?.volumeMounts).toEqual([{ name: 'backups', mountPath: '/backup', readOnly: false }]);
    expect(pod.volumes).toEqual([
      { name: 'backups', persistentVolumeClaim: { claimName: 'revenge-backups', readOnly: false } },
    ]);
    // The NFS export, writable, and the database lets the job's pods in.
    const pv = find(objs, 'PersistentVolume', 'media-revenge-backups');
    expect(pv.spec).toMatchObject({
      accessModes: ['ReadWriteMany'],
      nfs: { server: 'nas.lan', path: '/export/backups', readOnly: false },
    });
    const policy = find(objs, 'NetworkPolicy', 'postgres');
    expect(JSON.stringify(policy.spec)).toContain('"values":["postgres-backup","revenge"]');
  });

  it('refuses to enable it without a place for the dumps, and a schedule that is not cron', () => {
    expect(() => k8s({ backup: { inCluster: { enabled: true } } })).toThrow(/backup.inCluster.nfs/);
    expect(() => k8s({ backup: { inCluster: { ...inCluster, schedule: '@daily' } } })).toThrow(/five cron fields/);
    expect(() => k8s({ backup: { inCluster: { ...inCluster, nfs: { nas: { host: 'box', export: 'b' } } } } })).toThrow(
      /backup.inCluster.nfs.nas: the export 'b' on NAS host 'box' is not resolved/,
    );
  });
});

describe('in-cluster backup on Swarm', () => {
  it('renders a service of the postgres image that waits for the cron time, with the NFS volume', () => {
    const s = catalog.renderSwarm('revenge', { backup: { inCluster } }, { stack: 'media' });
    const svc = s.services.find((x) => x.Name === 'media_postgres-backup');
    const spec = svc?.TaskTemplate.ContainerSpec;
    expect(spec?.Image).toBe('postgres:18-alpine');
    expect(spec?.Command).toEqual(['sh', '-c', CRON_LOOP, 'cron-loop', 'sh', '-c', DUMP_SCRIPT, 'pg-backup']);
    expect(spec?.Env).toEqual(
      expect.arrayContaining([
        'CRON_SCHEDULE=0 3 * * *',
        'PGHOST=postgres',
        'BACKUP_PREFIX=media',
        'PGPASSWORD_FILE=/run/secrets/revenge-secrets_database-password',
      ]),
    );
    expect(svc?.Mode).toEqual({ Replicated: { Replicas: 1 } });
    const volume = s.volumes.find((v) => v.Name.startsWith('media_backups_'));
    expect(volume?.DriverOpts).toEqual({ type: 'nfs', o: 'addr=nas.lan,nfsvers=4', device: ':/export/backups' });
    expect(spec?.Mounts).toEqual([
      expect.objectContaining({ Type: 'volume', Source: volume?.Name, Target: '/backup' }),
    ]);
    expect(spec?.Mounts?.[0]).not.toHaveProperty('ReadOnly');
  });
});

/** Runs `due` of the cron loop in a real POSIX sh with the clock stopped at `now` (UTC: minute hour day month weekday). */
function due(schedule: string, now: string): boolean {
  const script = `${CRON_FUNCTIONS}\nnow() { echo '${now}'; }\nif due; then echo yes; else echo no; fi`;
  return (
    execFileSync('sh', ['-c', script], { env: { CRON_SCHEDULE: schedule, PATH: process.env.PATH } })
      .toString()
      .trim() === 'yes'
  );
}

describe('the Swarm cron loop', () => {
  it('matches cron fields as cron does', () => {
    expect(due('0 3 * * *', '00 03 30 11 1')).toBe(true);
    expect(due('0 3 * * *', '01 03 30 11 1')).toBe(false);
    expect(due('0 3 * * *', '00 13 30 11 1')).toBe(false);
    // Leading zeros are not octal: 08 and 09 are numbers.
    expect(due('8 9 * * *', '08 09 30 11 1')).toBe(true);
    expect(due('*/15 * * * *', '45 07 30 11 1')).toBe(true);
    expect(due('*/15 * * * *', '50 07 30 11 1')).toBe(false);
    expect(due('0,30 1-5 * * *', '30 04 30 11 1')).toBe(true);
    expect(due('0,30 1-5 * * *', '30 06 30 11 1')).toBe(false);
    expect(due('0 3 * * 1-5', '00 03 29 11 0')).toBe(false);
    // Weekday 7 is Sunday too.
    expect(due('0 3 * * 7', '00 03 29 11 0')).toBe(true);
    // Both day fields restricted: either matches.
    expect(due('0 3 1 * 1', '00 03 30 11 1')).toBe(true);
    expect(due('0 3 1 * 1', '00 03 01 12 2')).toBe(true);
    expect(due('0 3 1 * 1', '00 03 02 12 3')).toBe(false);
    expect(due('0 3 * 12 *', '00 03 30 11 1')).toBe(false);
  });
});
