/**
 * TEST DOUBLE of the compose library (electron/core/compose: analyzeCompose, userStackDefinition),
 * for the user stack store, catalog, handlers and CLI tests only. It reads the small compose files
 * those tests use (image, ports, named volumes, secrets, replicas; `build` unsupported) and builds a
 * stack whose values are `{ replicas, volumes: { <name>: { nas?, server?, path? } } }`. Product
 * code never imports it: the real library is injected where services are composed.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { ComposeAnalysis, UserStackDocument } from '@shared/user-stack-schemas';
import { defineStack, type Component, type SharedVolume, type StackDefinition } from '../../stacks/model';

interface FakeService {
  image?: string;
  build?: unknown;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  deploy?: { replicas?: number };
}
interface FakeCompose {
  services?: Record<string, FakeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

function read(text: string): { compose: FakeCompose; errors: ComposeAnalysis['errors'] } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return {
      compose: {},
      errors: doc.errors.map((e) => ({ path: '', line: e.linePos?.[0].line, message: e.message })),
    };
  }
  const compose = (doc.toJS() ?? {}) as FakeCompose;
  if (!compose.services || Object.keys(compose.services).length === 0) {
    return { compose, errors: [{ path: 'services', message: 'the file defines no services' }] };
  }
  return { compose, errors: [] };
}

const portOf = (p: string) => Number(p.split(':').at(-1));

export function fakeAnalyzeCompose(text: string): ComposeAnalysis {
  const { compose, errors } = read(text);
  const services = Object.entries(compose.services ?? {});
  const unsupported: ComposeAnalysis['unsupported'] = [];
  for (const [name, s] of services) {
    if (s.build !== undefined) unsupported.push({ path: `services.${name}.build`, message: 'images are not built' });
    if (!s.image) errors.push({ path: `services.${name}.image`, message: 'a service needs an image' });
  }
  return {
    ok: errors.length === 0,
    services: services.map(([name, s]) => ({
      name,
      image: s.image ?? '',
      ports: (s.ports ?? []).map((p) => ({ target: portOf(p) })),
      volumes: (s.volumes ?? []).map((v) => {
        const [source = '', target = '', mode] = v.split(':');
        return { source, target, readOnly: mode === 'ro' };
      }),
      secrets: s.secrets ?? [],
      configs: [],
      healthcheck: false,
      replicas: s.deploy?.replicas ?? 1,
      dependsOn: [],
    })),
    volumes: Object.keys(compose.volumes ?? {}).map((name) => ({
      name,
      suggested: { kind: 'claim' as const, size: '10Gi' },
    })),
    secrets: Object.keys(compose.secrets ?? {}).map((name) => ({ name, suggested: { kind: 'generated' as const } })),
    configs: [],
    unsupported,
    errors,
  };
}

const volumeValues = z.strictObject({
  nas: z.strictObject({ host: z.string(), export: z.string() }).optional(),
  server: z.string().optional(),
  path: z.string().optional(),
});

export function fakeUserStackDefinition(doc: UserStackDocument): StackDefinition {
  const { compose } = read(doc.compose);
  const services = Object.entries(compose.services ?? {});
  const defaults: Record<string, z.infer<typeof volumeValues>> = {};
  for (const [name, m] of Object.entries(doc.mapping.volumes)) {
    if (m.kind === 'nas') defaults[name] = { nas: { host: m.host, export: m.export } };
    if (m.kind === 'nfs') defaults[name] = { server: m.server, path: m.path };
  }
  const schema = z.strictObject({
    replicas: z.number().int().min(0).default(1),
    volumes: z.record(z.string(), volumeValues).default(defaults),
  });
  return defineStack({
    name: doc.name,
    title: doc.title,
    description: doc.description,
    schema,
    build(values) {
      const volumes: SharedVolume[] = Object.keys(compose.volumes ?? {}).map((name) => {
        const m = doc.mapping.volumes[name];
        const v = values.volumes[name];
        if (m?.kind === 'claim' || !v?.server || !v.path) {
          if (m && m.kind !== 'claim') throw new Error(`volumes.${name}.nas: not resolved to a server and path`);
          return { name, type: 'claim', size: '1Gi', readOnly: false };
        }
        return { name, type: 'nfs', server: v.server, path: v.path, readOnly: false, size: '1Gi' };
      });
      const components: Component[] = services.map(([name, s]) => {
        const port = portOf(s.ports?.[0] ?? '80');
        const check = { type: 'tcp' as const, port };
        return {
          name,
          image: s.image ?? '',
          ports: [{ name: 'p0', port }],
          env: [],
          secretEnv: [],
          identityEnv: [],
          mounts: (s.volumes ?? []).map((v) => {
            const [volume = '', mountPath = ''] = v.split(':');
            return { volume, mountPath, readOnly: false };
          }),
          stateful: false,
          probes: { liveness: { check }, readiness: { check } },
          replicas: values.replicas,
          resources: { requests: {}, limits: {} },
          stopGracePeriodSeconds: 10,
        };
      });
      return { components, volumes, secrets: [] };
    },
    contracts: [],
    signals: {
      primary: services[0]?.[0] ?? 'app',
      replicas: { kind: 'many' },
      externalState: [],
      dashboard: [],
    },
  }) as StackDefinition;
}

export const fakeCompose = { analyzeCompose: fakeAnalyzeCompose, userStackDefinition: fakeUserStackDefinition };
