/**
 * The pod template of a component: its container (image, ports, environment, probes, resources),
 * the files and volumes it mounts, how it runs (user, read-only root filesystem) and the
 * annotations that roll its pods when what they run with changes.
 */
import { createHash } from 'node:crypto';
import { compact, sortKeys, stableJson } from './json-util';
import type { Component, ConfigFile, HealthCheck, InstanceField, Probe, StackModel } from './model';
import { LEADER_ELECTION_ANNOTATION } from './types';

/** On a pod template: hash of the component's configuration (never of secret values), so changes roll pods. */
export const CONFIG_HASH_ANNOTATION = 'homeport.dev/config-hash';

const FIELD_PATHS: Record<InstanceField, string> = {
  instanceName: 'metadata.name',
  namespace: 'metadata.namespace',
  instanceIp: 'status.podIP',
  hostName: 'spec.nodeName',
  // Set on StatefulSet pods since Kubernetes 1.28 (PodIndexLabel).
  instanceSlot: "metadata.labels['apps.kubernetes.io/pod-index']",
};

export interface PodContext {
  labels: Record<string, string>;
  claimName(volume: string): string;
  /** A ServiceMonitor scrapes the component (kubernetes-monitoring.ts): no prometheus.io annotations. */
  serviceMonitors?: boolean;
}

/** Volume names for a component's secret files and writable directories ('file-revenge-config', 'writable-0'). */
export const fileVolume = (secret: string) => `file-${secret}`;
/** Volume name of a configuration set's ConfigMap ('config-goverse'). */
const configVolume = (config: string) => `config-${config}`;

/** One read-only file per configuration file: the ConfigMap key mounted with subPath at its path. */
export function configMounts(files: readonly ConfigFile[] | undefined) {
  return (files ?? []).map((f) => ({
    name: configVolume(f.config),
    mountPath: f.path,
    subPath: f.key,
    readOnly: true,
  }));
}

/** One ConfigMap volume per configuration set the files come from. */
export function configVolumes(files: readonly ConfigFile[] | undefined) {
  return [...new Set((files ?? []).map((f) => f.config))].map((config) => ({
    name: configVolume(config),
    configMap: { name: config },
  }));
}

/**
 * The contents of the configuration sets the files come from. Files mounted with subPath are not
 * updated in running pods, so a hash over these goes into the pod template (a change rolls pods).
 */
export function usedConfigs(files: readonly ConfigFile[] | undefined, model: StackModel) {
  const names = new Set((files ?? []).map((f) => f.config));
  return (model.configs ?? []).filter((c) => names.has(c.name));
}
const writableVolume = (i: number) => `writable-${i}`;

function probe(p: Probe | undefined, c: Component): Record<string, unknown> | undefined {
  if (!p) return undefined;
  const out: Record<string, unknown> = { ...handler(p.check, c) };
  if (p.initialDelaySeconds !== undefined) out.initialDelaySeconds = p.initialDelaySeconds;
  if (p.periodSeconds !== undefined) out.periodSeconds = p.periodSeconds;
  if (p.timeoutSeconds !== undefined) out.timeoutSeconds = p.timeoutSeconds;
  if (p.failureThreshold !== undefined) out.failureThreshold = p.failureThreshold;
  return out;
}

function container(c: Component): Record<string, unknown> {
  const env = [
    ...c.identityEnv.map((e) => ({
      name: e.name,
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: FIELD_PATHS[e.field] } },
    })),
    ...c.secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
    ...c.env.map((e) => ({ name: e.name, value: e.value })),
  ];
  const mounts = [
    ...(c.data ? [{ name: 'data', mountPath: c.data.mountPath }] : []),
    ...c.mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: m.readOnly })),
    // subPath mounts one key as one file: the rest of the directory (casbin_model.conf next to config.yaml) stays.
    ...(c.files ?? []).map((f) => ({ name: fileVolume(f.secret), mountPath: f.path, subPath: f.key, readOnly: true })),
    ...configMounts(c.configFiles),
    ...(c.security?.readOnlyRoot?.writable ?? []).map((path, i) => ({ name: writableVolume(i), mountPath: path })),
  ];
  const hardened = c.security
    ? compact({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: c.security.readOnlyRoot ? true : undefined,
        capabilities: { drop: ['ALL'] },
      })
    : undefined;
  return compact({
    name: c.name,
    image: c.image,
    imagePullPolicy: pullPolicy(c.image),
    command: c.command ? [...c.command] : undefined,
    args: c.args ? [...c.args] : undefined,
    ports: c.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
    env: env.length > 0 ? env : undefined,
    volumeMounts: mounts.length > 0 ? mounts : undefined,
    resources: compact({ requests: amounts(c.resources.requests), limits: amounts(c.resources.limits) }),
    securityContext: hardened,
    startupProbe: probe(c.probes.startup, c),
    livenessProbe: probe(c.probes.liveness, c),
    readinessProbe: probe(c.probes.readiness, c),
  });
}

function podSecurity(c: Component): Record<string, unknown> | undefined {
  const user = c.security?.user;
  const fsGroup = user?.gid ?? c.data?.ownerGroup;
  if (!user && fsGroup === undefined) return undefined;
  return compact({
    runAsNonRoot: user ? true : undefined,
    runAsUser: user?.uid,
    runAsGroup: user?.gid,
    fsGroup,
    seccompProfile: user ? { type: 'RuntimeDefault' } : undefined,
  });
}

export function podTemplate(c: Component, model: StackModel, ctx: PodContext): Record<string, unknown> {
  const annotations: Record<string, string> = { [CONFIG_HASH_ANNOTATION]: configHash(c, model) };
  if (c.leaderElection) annotations[LEADER_ELECTION_ANNOTATION] = c.leaderElection.lease;
  if (c.metrics && !ctx.serviceMonitors) {
    annotations['prometheus.io/scrape'] = 'true';
    annotations['prometheus.io/port'] = String(c.metrics.port);
    annotations['prometheus.io/path'] = c.metrics.path;
  }
  const fileSecrets = [...new Set((c.files ?? []).map((f) => f.secret))];
  const volumes = [
    ...c.mounts.map((m) => ({
      name: m.volume,
      persistentVolumeClaim: { claimName: ctx.claimName(m.volume), readOnly: m.readOnly },
    })),
    ...fileSecrets.map((secret) => ({ name: fileVolume(secret), secret: { secretName: secret } })),
    ...configVolumes(c.configFiles),
    ...(c.security?.readOnlyRoot?.writable ?? []).map((_, i) => ({ name: writableVolume(i), emptyDir: {} })),
  ];
  return {
    metadata: { labels: ctx.labels, annotations: sortKeys(annotations) },
    spec: compact({
      serviceAccountName: c.leaderElection ? c.name : undefined,
      // Only a component that talks to the API server gets a token for it.
      automountServiceAccountToken: Boolean(c.leaderElection),
      terminationGracePeriodSeconds: c.stopGracePeriodSeconds,
      securityContext: podSecurity(c),
      containers: [container(c)],
      volumes: volumes.length > 0 ? volumes : undefined,
    }),
  };
}

function handler(check: HealthCheck, c: Component): Record<string, unknown> {
  switch (check.type) {
    case 'http':
      return { httpGet: { path: check.path, port: portRef(c, check.port) } };
    case 'tcp':
      return { tcpSocket: { port: portRef(c, check.port) } };
    case 'exec':
      return { exec: { command: [...check.command] } };
  }
}

/** Probes name the port when the component declares it (clearer in `kubectl describe`). */
function portRef(c: Component, port: number): string | number {
  return c.ports.find((p) => p.port === port)?.name ?? port;
}

/** Moving tags (`latest` or none) are pulled on every start; pinned tags and digests once. */
export function pullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.split('/').pop() ?? image;
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export function amounts(a: { cpu?: string; memory?: string }): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (a.cpu) out.cpu = a.cpu;
  if (a.memory) out.memory = a.memory;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Hash of what the component's instances run with: its model (without scaling and access rules),
 * the shared volumes it mounts, the templates of the secret files it reads and the contents of its
 * configuration files (files mounted with subPath are not updated in running pods). The model holds
 * no generated secret values.
 */
function configHash(c: Component, model: StackModel): string {
  const volumes = model.volumes.filter((v) => c.mounts.some((m) => m.volume === v.name));
  const files = (c.files ?? []).map((f) => ({
    ...f,
    template: model.secrets.find((s) => s.name === f.secret)?.keys.find((k) => k.key === f.key)?.template,
  }));
  const {
    replicas: _r,
    autoscale: _a,
    disruptionBudget: _d,
    acceptsFrom: _f,
    connectsTo: _t,
    headless: _h,
    stickySessions: _s,
    ...runtime
  } = c;
  const configs = usedConfigs(c.configFiles, model);
  // Left out when empty, so the hash of a component without configuration files stays what it was.
  return createHash('sha256')
    .update(stableJson({ component: runtime, volumes, files, ...(configs.length > 0 ? { configs } : {}) }))
    .digest('hex')
    .slice(0, 16);
}
