import { createClustersService } from './core/clusters/clusters-service';
import { createDeployEngine } from './core/deploy/engine';
import { createNasExports } from './core/nas/exports';
import { createReferenceLookups } from './core/references/lookups';
import { resolveStackReferences } from './core/references/resolve';
import { createNasHosts } from './core/nas/hosts';
import { createS3Profiles } from './core/s3/profiles';
import { createS3Service } from './core/s3/s3-service';
import { createSecretStore, type SecretCipher } from './core/secrets/secret-store';
import { createDockerEndpoints } from './core/docker/endpoints';
import { streamSwarmLogs, type SwarmLogParams } from './core/docker/logs';
import { createSwarmLive } from './core/docker/swarm-live';
import type { LogChunk } from '@shared/kube-schemas';
import { createSwarmDeployer } from './core/swarm/deployer';
import { createGatewayCache } from './core/kube/gateway-cache';
import { createKubeService } from './core/kube/kube-service';
import { createMetricsService } from './core/metrics/dashboards';
import { discoverMetrics } from './core/metrics/discovery';
import { createMetricsSettings } from './core/metrics/settings';
import { createReadiness } from './core/readiness/readiness';
import { reportSwarm } from './core/readiness/swarm';
import { createStackCatalog } from './core/stacks/catalog';
import { ensureDataDir } from './core/storage/data-dir';
import { createSettingsStore } from './core/storage/settings';
import { HOMEPORT_VERSION } from './version';

export interface ServiceDeps {
  dataDir: string;
  mode: 'desktop' | 'web';
  env?: NodeJS.ProcessEnv;
  home?: string;
  sandboxKubeconfig?: string;
  /** How stored credentials are sealed: safeStorage on the desktop; default a 0600 key file. */
  cipher?: SecretCipher;
}

/** The composition root: every service is built here from its dependencies, nowhere else. */
export function createServices(deps: ServiceDeps) {
  const dataDir = ensureDataDir(deps.dataDir);
  const settings = createSettingsStore(dataDir);
  const clusters = createClustersService({
    settings,
    env: deps.env,
    home: deps.home,
    sandboxKubeconfig: deps.sandboxKubeconfig,
  });
  const openGateway = (context: string) => clusters.openGateway(context);
  const stacks = createStackCatalog();
  const secrets = createSecretStore({ dataDir, cipher: deps.cipher });
  const nasHosts = createNasHosts({ dataDir, secrets, env: deps.env });
  const s3Profiles = createS3Profiles({ dataDir, secrets });
  const nasExports = createNasExports(nasHosts);
  const lookups = createReferenceLookups({ nasHosts, nasExports, s3Profiles });
  const gateways = createGatewayCache(openGateway);
  const kube = createKubeService({ openGateway });
  const metricsSettings = createMetricsSettings({ dataDir, secrets });
  const metrics = createMetricsService({ settings: metricsSettings, gatewayFor: (context) => gateways.get(context) });
  const deploy = createDeployEngine({ openGateway, catalog: stacks });
  const readiness = createReadiness({
    openGateway,
    revisions: (ref) => deploy.revisions(ref),
    // The Prometheus the Metrics screen uses (the user's URL, else one found in the cluster), if any.
    prometheus: async (context) => {
      const found = await discoverMetrics({
        context,
        gateway: await gateways.get(context),
        configured: await metricsSettings.resolve(context),
      });
      const client = found.client;
      if (!client) return undefined;
      return {
        async query(promql) {
          try {
            return (await client.query(promql)).map((s) => ({ value: s.value[1], labels: s.metric }));
          } finally {
            client.close();
          }
        },
      };
    },
  });
  const dockerEndpoints = createDockerEndpoints({ dataDir, env: deps.env });
  const openClient = (endpoint: string) => dockerEndpoints.openClient(endpoint);
  const swarmLive = createSwarmLive({ openClient });
  const swarmDeploy = createSwarmDeployer({ openClient, catalog: stacks });
  return {
    /** Stops every watch and closes shared connections. */
    close() {
      kube.close();
      swarmLive.close();
      gateways.close();
    },
    version: HOMEPORT_VERSION,
    mode: deps.mode,
    dataDir,
    settings,
    clusters,
    kube,
    stacks,
    secrets,
    nasHosts,
    nasExports,
    gateways,
    metrics,
    /** Values naming a NAS export or an S3 profile, resolved for a deploy; keys go to `provided` only. */
    resolveReferences: (stack: string, values: unknown) => resolveStackReferences(stack, values, lookups),
    s3Profiles,
    s3: createS3Service({ profiles: s3Profiles }),
    deploy,
    readiness,
    /** The scorecard of a stack on a swarm, with the live revision's values for the fixes. */
    swarmReadiness: (ref: { endpoint: string; stack: string }) =>
      reportSwarm(ref, {
        openClient,
        values: async (r) => (await swarmDeploy.revisions(r)).find((rev) => rev.current)?.values,
      }),
    dockerEndpoints,
    swarmLive,
    swarmLogs: (params: SwarmLogParams, emit: (chunk: LogChunk) => void) =>
      streamSwarmLogs(params, emit, { openClient }),
    swarmDeploy,
  };
}

export type Services = ReturnType<typeof createServices>;
