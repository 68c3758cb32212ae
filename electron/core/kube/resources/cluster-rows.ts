/**
 * Rows of Services, Ingresses, ConfigMaps, Secrets, storage, Nodes, Namespaces and Events.
 * A Secret row carries its type and key count, never a value.
 */
import type { ResourceRow } from '@shared/resource-schemas';
import { type AnyObject, arr, conditions, num, rec, row, str } from './row-base';

interface ServicePort {
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

export function summarizeService(obj: AnyObject): ResourceRow {
  const type = str(obj.spec?.type) || 'ClusterIP';
  const ports = arr<ServicePort>(obj.spec?.ports)
    .map((p) => `${p.port ?? ''}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
    .join(',');
  const ingress = arr<{ ip?: string; hostname?: string }>(rec(obj.status?.loadBalancer).ingress)
    .map((i) => i.ip ?? i.hostname ?? '')
    .filter(Boolean);
  const external = [...arr<string>(obj.spec?.externalIPs), ...ingress].join(',');
  const cells = {
    type,
    clusterIP: str(obj.spec?.clusterIP) || 'None',
    externalIP: type === 'ExternalName' ? str(obj.spec?.externalName) : external,
    ports,
  };
  // A LoadBalancer without an address is waiting for one (kubectl shows <pending>); not yet a fault.
  if (type === 'LoadBalancer' && !external) return row(obj, 'Pending address', 'warn', false, cells);
  return row(obj, '', 'ok', false, cells);
}

export function summarizeIngress(obj: AnyObject): ResourceRow {
  const hosts = arr<{ host?: string }>(obj.spec?.rules)
    .map((r) => r.host ?? '*')
    .join(',');
  const address = arr<{ ip?: string; hostname?: string }>(rec(obj.status?.loadBalancer).ingress)
    .map((i) => i.ip ?? i.hostname ?? '')
    .filter(Boolean)
    .join(',');
  return row(obj, '', 'ok', false, { class: str(obj.spec?.ingressClassName), hosts: hosts || '*', address });
}

export function summarizeConfigMap(obj: AnyObject): ResourceRow {
  const keys = Object.keys(rec(obj.data)).length + Object.keys(rec(obj.binaryData)).length;
  return row(obj, '', 'muted', false, { keys });
}

/** Key names of a Secret (data and stringData): what may be shown without its values. */
export function secretKeyNames(obj: AnyObject): string[] {
  return [...new Set([...Object.keys(rec(obj.data)), ...Object.keys(rec(obj.stringData))])].sort();
}

export function summarizeSecret(obj: AnyObject): ResourceRow {
  return row(obj, '', 'muted', false, { type: str(obj.type) || 'Opaque', keys: secretKeyNames(obj).length });
}

const accessModes = (obj: AnyObject) =>
  arr<string>(obj.spec?.accessModes)
    .map((m) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[m] ?? m)
    .join(',');

export function summarizeClaim(obj: AnyObject): ResourceRow {
  const phase = str(obj.status?.phase) || 'Pending';
  const cells = {
    volume: str(obj.spec?.volumeName),
    capacity: str(rec(obj.status?.capacity).storage),
    accessModes: accessModes(obj),
    storageClass: str(obj.spec?.storageClassName),
  };
  if (phase === 'Lost') return row(obj, phase, 'error', true, cells);
  // Pending is normal for a WaitForFirstConsumer class until a pod uses the claim.
  return row(obj, phase, phase === 'Bound' ? 'ok' : 'warn', false, cells);
}

export function summarizeVolume(obj: AnyObject): ResourceRow {
  const phase = str(obj.status?.phase) || 'Pending';
  const claim = rec(obj.spec?.claimRef);
  const cells = {
    capacity: str(rec(obj.spec?.capacity).storage),
    accessModes: accessModes(obj),
    reclaimPolicy: str(obj.spec?.persistentVolumeReclaimPolicy),
    claim: claim.name ? `${str(claim.namespace)}/${str(claim.name)}` : '',
    storageClass: str(obj.spec?.storageClassName),
  };
  if (phase === 'Failed') return row(obj, phase, 'error', true, cells);
  return row(obj, phase, phase === 'Bound' ? 'ok' : phase === 'Available' ? 'muted' : 'warn', false, cells);
}

export function summarizeStorageClass(obj: AnyObject): ResourceRow {
  const annotations = (obj.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
  const isDefault = annotations['storageclass.kubernetes.io/is-default-class'] === 'true';
  return row(obj, '', 'muted', false, {
    provisioner: str(obj.provisioner),
    reclaimPolicy: str(obj.reclaimPolicy) || 'Delete',
    bindingMode: str(obj.volumeBindingMode) || 'Immediate',
    default: isDefault ? 'yes' : '',
  });
}

/** Conditions that are bad news when True (Ready is bad news when not True). */
const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'];

export function summarizeNode(obj: AnyObject): ResourceRow {
  const labels = obj.metadata?.labels ?? {};
  const roles = Object.keys(labels)
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length))
    .sort();
  const conds = conditions(obj);
  const ready = conds.find((c) => c.type === 'Ready');
  const pressures = conds.filter((c) => PRESSURE.includes(c.type ?? '') && c.status === 'True').map((c) => c.type);
  const capacity = rec(obj.status?.capacity);
  const cells = {
    roles: roles.join(',') || '<none>',
    version: str(rec(obj.status?.nodeInfo).kubeletVersion),
    cpu: str(capacity.cpu),
    memory: str(capacity.memory),
    conditions: pressures.join(','),
  };
  const readyWord = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  // kubectl's STATUS: Ready,SchedulingDisabled for a cordoned node.
  const status = obj.spec?.unschedulable === true ? `${readyWord},SchedulingDisabled` : readyWord;
  if (readyWord !== 'Ready' || pressures.length > 0) return row(obj, status, 'error', true, cells);
  return row(obj, status, obj.spec?.unschedulable === true ? 'warn' : 'ok', false, cells);
}

export function summarizeNamespace(obj: AnyObject): ResourceRow {
  const phase = str(obj.status?.phase) || 'Active';
  return row(obj, phase, phase === 'Active' ? 'ok' : 'warn', false);
}

export function summarizeEvent(obj: AnyObject): ResourceRow {
  const involved = rec(obj.involvedObject ?? obj.regarding);
  const type = str(obj.type) || 'Normal';
  const series = rec(obj.series);
  const cells = {
    type,
    reason: str(obj.reason),
    object: `${str(involved.kind).toLowerCase()}/${str(involved.name)}`,
    message: str(obj.message ?? obj.note),
    count: num(series.count ?? obj.count ?? 1) || 1,
  };
  return row(obj, type, type === 'Warning' ? 'warn' : 'muted', type === 'Warning', cells);
}
