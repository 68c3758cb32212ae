/**
 * A small stateless test stack for the generic scorecard: a web component that scales out, elects
 * the leader of its periodic jobs through a Kubernetes Lease and reads the address of its cache
 * (with a generated password) from a config file assembled from secrets. Its signals differ from
 * Revenge's on every point the checks branch on (replicas 'many' with a scale path, a Lease leader,
 * no database, no media, no object storage). Its contract is what the test stand-in image serves
 * (HTTP on 3000: /health/live, /health/ready, /metrics), so it runs on the test Docker engine too.
 */
import { z } from 'zod';
import { defineStack, type StackDefinition } from '../../stacks/model';
import type { ImageContract } from '../../stacks/upstream';

export const WEB_LEASE = 'web-jobs';
export const WEB_CONFIG = '/etc/web/config.yaml';
const PORT = 3000;
const ref = 'example.test/web@0:main.go:1';

const webContract: ImageContract = {
  component: 'web',
  images: ['example.test/web'],
  ports: [{ port: PORT, protocol: 'http', ref }],
  http: [
    { port: PORT, path: '/health/live', roles: ['liveness'], ref },
    { port: PORT, path: '/health/ready', roles: ['readiness'], ref },
    { port: PORT, path: '/metrics', roles: ['metrics'], ref },
  ],
  settings: {
    env: { kind: 'prefix', prefix: 'WEB_', separator: '.', compound: {}, ref },
    fileVariables: { supported: false, ref },
    configFile: { path: WEB_CONFIG, format: 'yaml', ref },
    known: [
      { key: 'cache.url', secret: true, ref },
      { key: 'log.level', default: 'info', ref },
    ],
  },
  expects: [],
  tools: ['sh', 'wget'],
};

const image = (fallback: string) => z.string().default(fallback);
const schema = z.strictObject({
  web: z
    .strictObject({ image: image('example.test/web:1'), replicas: z.number().int().min(1).default(2) })
    .prefault({}),
  cache: z.strictObject({ image: image('example.test/cache:1') }).prefault({}),
});

export const webStack = defineStack({
  name: 'webapp',
  title: 'Web app',
  description: 'A stateless web app with a cache, for tests',
  schema,
  contracts: [webContract],
  build: (values) => {
    const ready = { type: 'http' as const, path: '/health/ready', port: PORT };
    const live = { type: 'http' as const, path: '/health/live', port: PORT };
    const tcp = { type: 'tcp' as const, port: 6379 };
    const resources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } };
    const replicas = values.web.replicas;
    return {
      components: [
        {
          name: 'web',
          image: values.web.image,
          tools: webContract.tools,
          ports: [{ name: 'http', port: PORT }],
          env: [{ name: 'WEB_LOG_LEVEL', value: 'info' }],
          files: [{ secret: 'web-config', key: 'config.yaml', path: WEB_CONFIG }],
          secretEnv: [],
          identityEnv: [],
          mounts: [],
          stateful: false,
          probes: { liveness: { check: live, periodSeconds: 1 }, readiness: { check: ready, periodSeconds: 1 } },
          replicas,
          resources,
          disruptionBudget: replicas >= 2 ? { minAvailable: 1 } : undefined,
          leaderElection: { lease: WEB_LEASE },
          metrics: { path: '/metrics', port: PORT },
          stopGracePeriodSeconds: 20,
        },
        {
          name: 'cache',
          image: values.cache.image,
          ports: [{ name: 'redis', port: 6379 }],
          env: [],
          secretEnv: [],
          identityEnv: [],
          mounts: [],
          stateful: false,
          probes: { liveness: { check: tcp, periodSeconds: 1 }, readiness: { check: tcp, periodSeconds: 1 } },
          replicas: 1,
          resources,
          stopGracePeriodSeconds: 10,
        },
      ],
      volumes: [],
      secrets: [
        { name: 'web-secrets', keys: [{ key: 'cache-password', generated: true }] },
        {
          name: 'web-config',
          keys: [
            {
              key: 'config.yaml',
              generated: false,
              template: 'cache:\n  url: "redis://:{{web-secrets/cache-password}}@cache:6379/0"\n',
            },
          ],
        },
      ],
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
