import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate as generateCertificate } from 'selfsigned';
import { stringify as toYaml } from 'yaml';
import { SANDBOX_EXTENSION } from '../core/clusters/kubeconfig';
import { allImageContracts } from '../core/stacks/contracts';
import type { ImageContract } from '../core/stacks/upstream';
import { createApiHandler } from './api-server';
import { demoWorkload } from './demo-workload';
import { createControllers } from './controllers';
import { ApiError } from './http-util';
import { createKubelet, NODES, PODS } from './kubelet';
import { createDockerKubelet } from './docker/docker-kubelet';
import type { PodRuntime } from './runtime';
import { createUpgradeHandler } from './streaming/upgrade';
import { createLeaseElector } from './leases';
import { RESOURCES, type ResourceType } from './resources';
import { serveCustomResources } from './crds';
import { admit as admitObject } from './admission';
import { Store, type KObject } from './store';
import { dropAllWatches } from './watch';
import { writeFileAtomic } from '../core/storage/atomic-file';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Simulated nodes (default 3). */
  nodes?: number;
  token?: string;
  /** Multiplies every simulated delay; tests use 0.1 or less. */
  speed?: number;
  /** Serve metrics.k8s.io like k3s's bundled metrics-server (default true). */
  metricsServer?: boolean;
  /**
   * Upstream contracts of the images the kubelet runs as the real programs (see README.md here);
   * by default every one Homeport knows (`allImageContracts()`). Images without a contract start
   * and pass every probe; `[]` makes every image that permissive.
   */
  contracts?: readonly ImageContract[];
  /**
   * What runs the pods: simulated (the default), or real containers on a local Docker engine at
   * `dockerHost` (see README.md here), which also serves exec and port-forward.
   */
  runtime?: { kind: 'docker'; dockerHost: string };
  /**
   * Start with the demo workload (a small Deployment in the `demo` namespace; demo-workload.ts).
   * Off by default so tests start from an empty cluster; the homeport commands turn it on.
   */
  demo?: boolean;
}

export interface Sandbox {
  url: string;
  token: string;
  kubeconfig(): string;
  writeKubeconfig(path: string): Promise<void>;
  faults: {
    dropWatches(): void;
    /** Forget watch history so resumes get 410 Gone; as an HTTP status or an in-stream ERROR. */
    expireHistory(opts?: { asHttpStatus?: boolean }): void;
    setNodeReady(node: string, ready: boolean): void;
    killPod(namespace: string, name: string): void;
    /** Installs or removes metrics-server (metrics.k8s.io); installed by default, as in k3s. */
    setMetricsServer(installed: boolean): void;
  };
  admin: {
    createPods(namespace: string, count: number, opts?: { running?: boolean }): Promise<void>;
    touchPods(namespace: string, count: number): void;
    countPods(): number;
  };
  close(): Promise<void>;
}

export const SANDBOX_CONTEXT = 'homeport-sandbox';
const GIT_VERSION = 'v1.31.4+homeport-sandbox';
const R = (plural: string) => RESOURCES.find((r) => r.plural === plural) as ResourceType;
const NAMESPACES = R('namespaces');
const STORAGE_CLASSES = R('storageclasses');

/** Starts the simulated Kubernetes cluster: an API server on loopback that real kubectl can use. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const speed = opts.speed ?? 1;
  const token = opts.token ?? randomBytes(24).toString('hex');
  const store = new Store();
  const kubelet: PodRuntime =
    opts.runtime?.kind === 'docker'
      ? await createDockerKubelet(store, speed, opts.runtime.dockerHost)
      : createKubelet(store, speed, opts.contracts ?? allImageContracts());
  const controllers = createControllers(store, kubelet.deletePod);
  const elector = createLeaseElector(store, speed);
  const customResources = serveCustomResources(store);
  let ipCounter = 10;
  const nextClusterIp = () => `10.43.0.${ipCounter++ % 250}`;
  const admit = (r: ResourceType, o: KObject) => admitObject({ store, nextClusterIp }, r, o);
  const openWatches = new Set<http.ServerResponse>();
  let goneAsHttpStatus = false;
  let metricsServer = opts.metricsServer ?? true;

  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    store.create(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }
  // k3s ships the local-path provisioner as the default StorageClass.
  store.create(STORAGE_CLASSES, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'rancher.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  const nodeCount = opts.nodes ?? 3;
  for (let i = 0; i < nodeCount; i++) {
    const name = i === 0 ? 'sandbox-server-0' : `sandbox-agent-${i}`;
    store.create(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          ...(i === 0 ? { 'node-role.kubernetes.io/control-plane': 'true' } : {}),
        },
      },
      spec: {},
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
            lastTransitionTime: new Date().toISOString(),
          },
        ],
        addresses: [
          { type: 'InternalIP', address: `10.0.0.${10 + i}` },
          { type: 'Hostname', address: name },
        ],
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        nodeInfo: {
          kubeletVersion: GIT_VERSION,
          osImage: 'Homeport sandbox (simulated)',
          containerRuntimeVersion: 'containerd://simulated',
          architecture: 'amd64',
          operatingSystem: 'linux',
        },
      },
    });
  }

  function remove(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    gracePeriodSeconds?: number,
  ): KObject | undefined {
    if (r === PODS && gracePeriodSeconds === 0) {
      // kubectl delete --grace-period=0 --force: the object goes at once; the kubelet kills what is left.
      const pod = store.get(PODS, namespace, name);
      kubelet.killPod(namespace ?? 'default', name);
      return pod;
    }
    if (r === PODS) return kubelet.deletePod(namespace, name, gracePeriodSeconds);
    if (r === NAMESPACES) {
      if (['default', 'kube-system'].includes(name))
        throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`);
      for (const res of RESOURCES.filter((x) => x.namespaced))
        for (const o of store.list(res, name)) store.remove(res, name, o.metadata.name);
    }
    return store.remove(r, namespace, name);
  }

  if (opts.demo) {
    for (const { plural, object } of demoWorkload()) {
      admit(R(plural), object);
      store.create(R(plural), object);
    }
  }

  const handler = createApiHandler({
    store,
    token,
    gitVersion: GIT_VERSION,
    bookmarkMs: Math.max(200, 10_000 * speed),
    openWatches,
    goneAsHttpStatus: () => goneAsHttpStatus,
    admit,
    remove,
    serveLogs: kubelet.serveLogs,
    hasStreams: kubelet.streams !== undefined,
    metricsServer: () => metricsServer,
  });
  // kubectl sends a bearer token only over TLS, so the sandbox serves HTTPS with a certificate
  // made for this run; the kubeconfig trusts exactly that certificate.
  const tls = await generateCertificate([{ name: 'commonName', value: 'homeport-sandbox' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  const server = https.createServer({ cert: tls.cert, key: tls.private }, (req, res) => void handler(req, res));
  const upgrades = createUpgradeHandler({ token, streams: kubelet.streams });
  server.on('upgrade', upgrades.upgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  }).catch(async (err: unknown) => {
    // A port in use: nothing is served, so nothing the runtime made (containers, networks) stays.
    controllers.stop();
    await kubelet.close?.();
    throw err;
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://${opts.host ?? '127.0.0.1'}:${port}`;

  const timer = setInterval(
    () => {
      controllers.tick();
      kubelet.tick();
      elector.tick();
    },
    Math.max(20, 100 * speed),
  );

  const kubeconfig = () =>
    toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': SANDBOX_CONTEXT,
      clusters: [
        {
          name: SANDBOX_CONTEXT,
          cluster: {
            server: url,
            'certificate-authority-data': Buffer.from(tls.cert).toString('base64'),
            extensions: [{ name: SANDBOX_EXTENSION, extension: { runtime: opts.runtime?.kind ?? 'simulated' } }],
          },
        },
      ],
      users: [{ name: SANDBOX_CONTEXT, user: { token } }],
      contexts: [
        { name: SANDBOX_CONTEXT, context: { cluster: SANDBOX_CONTEXT, user: SANDBOX_CONTEXT, namespace: 'default' } },
      ],
    });

  return {
    url,
    token,
    kubeconfig,
    // A new 0600 file renamed over the path: an existing file's looser mode is not kept.
    writeKubeconfig: (path) => writeFileAtomic(path, kubeconfig()),
    faults: {
      dropWatches: () => dropAllWatches(openWatches),
      expireHistory: (o) => {
        goneAsHttpStatus = o?.asHttpStatus ?? false;
        store.expireHistory();
      },
      setNodeReady(node, ready) {
        const n = store.get(NODES, undefined, node);
        if (!n) throw new Error(`No node ${node} in the sandbox`);
        const conditions = [
          {
            type: 'Ready',
            status: ready ? 'True' : 'Unknown',
            reason: ready ? 'KubeletReady' : 'NodeStatusUnknown',
            lastTransitionTime: new Date().toISOString(),
          },
        ];
        store.update(NODES, { ...n, status: { ...n.status, conditions } });
      },
      killPod: kubelet.killPod,
      setMetricsServer: (installed) => {
        metricsServer = installed;
      },
    },
    admin: {
      async createPods(namespace, count, o) {
        if (!store.peek(NAMESPACES, undefined, namespace))
          store.create(NAMESPACES, {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: namespace },
            status: { phase: 'Active' },
          });
        for (let i = 0; i < count; i++) {
          const running = o?.running ?? false;
          store.create(PODS, {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `bulk-${i}`, namespace, labels: { app: 'bulk' } },
            spec: {
              containers: [{ name: 'main', image: 'busybox:1.36' }],
              nodeName: running ? 'sandbox-server-0' : undefined,
            },
            status: running
              ? {
                  phase: 'Running',
                  conditions: [{ type: 'Ready', status: 'True' }],
                  containerStatuses: [
                    { name: 'main', image: 'busybox:1.36', ready: true, restartCount: 0, state: { running: {} } },
                  ],
                }
              : { phase: 'Pending' },
          });
        }
      },
      touchPods(namespace, count) {
        for (const p of store.list(PODS, namespace).slice(0, count)) {
          store.update(PODS, {
            ...p,
            metadata: {
              ...p.metadata,
              annotations: { ...p.metadata.annotations, 'homeport.dev/touched': String(Date.now()) },
            },
          });
        }
      },
      countPods: () => store.list(PODS).length,
    },
    close: async () => {
      clearInterval(timer);
      controllers.stop();
      customResources.stop();
      dropAllWatches(openWatches);
      server.closeAllConnections();
      upgrades.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await kubelet.close?.();
    },
  };
}
