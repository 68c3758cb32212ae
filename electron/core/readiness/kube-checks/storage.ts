/** Readiness checks: Storage. */
import { backupCheck } from '../backup-check';
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';
import { result, ref, primaryWorkload, missingPrimary, missingComponent, workloadOf, primaryContainer } from './common';
import type { CheckInputs, Draft } from './common';

export function databaseStorage(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'storage.database',
    title: 'The database is on persistent storage',
    category: 'storage',
    weight: 5,
  };
  const db = i.signals.database;
  if (!db) return result(d, 'unknown', 'The stack declares no database component', [], '');
  const w = workloadOf(i.snap, db.component);
  if (!w) return missingComponent(d, db.component);
  const templates = w.spec.volumeClaimTemplates ?? [];
  const evidence: Evidence[] = [
    {
      object: ref(w),
      field: 'spec.volumeClaimTemplates',
      value: templates.map((t) => t.metadata.name).join(', ') || 'none',
    },
  ];
  const remediation = `The database ('${db.component}') must keep its data on a PersistentVolumeClaim (the StatefulSet's claim template); a Pending claim usually means no storage class can provision it.`;
  if (w.kind !== 'StatefulSet' || templates.length === 0)
    return result(d, 'fail', `${ref(w)} keeps its data in the pod`, evidence, remediation);
  const claims = templates.map((t) => `${t.metadata.name}-${w.metadata.name}-0`);
  const pending: string[] = [];
  for (const name of claims) {
    const pvc = i.snap.pvcs.find((c) => c.metadata.name === name);
    evidence.push({
      object: `PersistentVolumeClaim/${name}`,
      field: 'status.phase',
      value: pvc?.status?.phase ?? 'not found',
    });
    if (pvc?.status?.phase !== 'Bound') pending.push(name);
  }
  if (pending.length > 0)
    return result(d, 'fail', `PersistentVolumeClaim/${pending.join(', ')} is not Bound`, evidence, remediation);
  return result(d, 'pass', `${ref(w)} keeps its data on ${claims.join(', ')} (Bound)`, evidence, '');
}

export function mediaStorage(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'storage.media',
    title: 'Media is on shared read-only storage',
    category: 'storage',
    weight: 4,
  };
  const media = i.signals.media;
  if (!media) return result(d, 'unknown', 'The stack declares no shared media library', [], '');
  const w = primaryWorkload(i);
  if (!w) return missingPrimary(d, i);
  const c = primaryContainer(i, w);
  const volume = w.spec.template.spec.volumes?.find((v) => v.name === media.volume);
  const mount = c?.volumeMounts?.find((m) => m.name === media.volume);
  const remediation = `Mount the media library ('${media.volume}') read-only from NFS (enable it in the stack's values with a server and path, or a saved NAS export): every replica sees the same files.`;
  if (!mount || !volume?.persistentVolumeClaim) {
    return result(
      d,
      'warn',
      `${ref(w)} mounts no shared media library`,
      [{ object: ref(w), field: `spec.template.spec.volumes[${media.volume}]`, value: 'not mounted' }],
      remediation,
    );
  }
  const claimName = volume.persistentVolumeClaim.claimName;
  const pvc = i.snap.pvcs.find((p) => p.metadata.name === claimName);
  const pv = i.snap.pvs.find((p) => p.metadata.name === pvc?.spec?.volumeName);
  const modes = pvc?.spec?.accessModes ?? [];
  const evidence: Evidence[] = [
    { object: `PersistentVolumeClaim/${claimName}`, field: 'spec.accessModes', value: modes.join(', ') || 'not found' },
    { object: `PersistentVolumeClaim/${claimName}`, field: 'status.phase', value: pvc?.status?.phase ?? 'not found' },
    {
      object: `PersistentVolume/${pvc?.spec?.volumeName ?? '?'}`,
      field: 'spec.nfs',
      value: pv?.spec?.nfs ? `${pv.spec.nfs.server}:${pv.spec.nfs.path}` : 'not NFS',
    },
  ];
  const problems: string[] = [];
  if (!modes.includes('ReadOnlyMany')) problems.push('the claim is not ReadOnlyMany');
  if (pvc?.status?.phase !== 'Bound') problems.push(`the claim is ${pvc?.status?.phase ?? 'missing'}`);
  if (!pv?.spec?.nfs) problems.push('the volume is not an NFS export');
  if (problems.length > 0) return result(d, 'fail', `Media: ${problems.join('; ')}`, evidence, remediation);
  return result(
    d,
    'pass',
    `Media from NFS ${pv?.spec?.nfs?.server}:${pv?.spec?.nfs?.path}, ReadOnlyMany and Bound`,
    evidence,
    '',
  );
}

export function recentBackup(i: CheckInputs): ReadinessCheck {
  return backupCheck(i.backup, i.signals.database?.component, i.now);
}
