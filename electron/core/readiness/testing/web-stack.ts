/**
 * A small stateless test stack for the generic scorecard: a web component that scales out, elects
 * the leader of its periodic jobs through a Kubernetes Lease and keeps its cache in a second
 * component. Its signals differ from Revenge's on every point the checks branch on (replicas
 * 'many' with a scale path, a Lease leader, no database, no media, no object storage).
 */
import { z } from 'zod';
import { defineStack, type StackDefinition } from '../../stacks/model';
import type { ImageContract } from '../../stacks/upstream';

export const WEB_LEASE = 'web-jobs';
const PORT = 8080;
const ref = 'example.test/web@0:main.go:1';

const webContract: ImageContract = {
  component: 'web',
  images: ['example.test/web'],
  ports: [{ port: PORT, protocol: 'http', ref }],
  http: [
    { port: PORT, path: '/healthz', roles: ['liveness', 'readiness', 'health'], ref },
    { port: PORT, path: '/metrics', roles: ['metrics'], ref },
  ],
  settings: {
    env: { kind: 'prefix', prefix: 'WEB_', separator: '.', compound: {}, ref },
    fileVariables: { supported: false, ref },
    known: [{ key: 'cache.url', ref }],
  },
  expects: [],
  tools: ['sh', 'wget'],
};

const schema = z.strictObject({
  web: z.strictObject({ replicas: z.number().int().min(1).default(2) }).prefault({}),
});

export const webStack = defineStack({
  name: 'webapp',
  title: 'Web app',
  description: 'A stateless web app with a cache, for tests',
  schema,
  contracts: [webContract],
  build: (values) => {
    const http = { type: 'http' as const, path: '/healthz', port: PORT };
    const resources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } };
    return {
      components: [
        {
          name: 'web',
          image: 'example.test/web:1',
          tools: webContract.tools,
          ports: [{ name: 'http', port: PORT }],
          env: [{ name: 'WEB_CACHE_URL', value: 'redis://cache:6379' }],
          secretEnv: [],
          identityEnv: [],
          mounts: [],
          stateful: false,
          probes: { liveness: { check: http }, readiness: { check: http } },
          replicas: values.web.replicas,
          resources,
          disruptionBudget: values.web.replicas >= 2 ? { minAvailable: 1 } : undefined,
          leaderElection: { lease: WEB_LEASE },
          metrics: { path: '/metrics', port: PORT },
          stopGracePeriodSeconds: 20,
        },
        {
          name: 'cache',
          image: 'example.test/cache:1',
          ports: [{ name: 'redis', port: 6379 }],
          env: [],
          secretEnv: [],
          identityEnv: [],
          mounts: [],
          stateful: false,
          probes: {
            liveness: { check: { type: 'tcp', port: 6379 } },
            readiness: { check: { type: 'tcp', port: 6379 } },
          },
          replicas: 1,
          resources,
          stopGracePeriodSeconds: 10,
        },
      ],
      volumes: [],
      secrets: [],
    };
  },
  signals: {
    primary: 'web',
    replicas: { kind: 'many', scale: { replicas: 'web.replicas' } },
    externalState: [{ setting: 'cache.url', component: 'cache', what: 'cache' }],
    leader: { kind: 'lease', lease: WEB_LEASE },
    dashboard: [],
  },
}) as StackDefinition;
