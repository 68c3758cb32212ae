import { createDispatch, createSubscribe } from './api/dispatch';
import { createHandlers, createSubscriptionHandlers } from './api/handlers';
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
import { createKubeService } from './core/kube/kube-service';
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
  const dockerEndpoints = createDockerEndpoints({ dataDir, env: deps.env });
  const openClient = (endpoint: string) => dockerEndpoints.openClient(endpoint);
  return {
    version: HOMEPORT_VERSION,
    mode: deps.mode,
    dataDir,
    settings,
    clusters,
    kube: createKubeService({ openGateway }),
    stacks,
    secrets,
    nasHosts,
    nasExports,
    /** Values naming a NAS export or an S3 profile, resolved for a deploy; keys go to `provided` only. */
    resolveReferences: (stack: string, values: unknown) => resolveStackReferences(stack, values, lookups),
    s3Profiles,
    s3: createS3Service({ profiles: s3Profiles }),
    deploy: createDeployEngine({ openGateway, catalog: stacks }),
    dockerEndpoints,
    swarmLive: createSwarmLive({ openClient }),
    swarmLogs: (params: SwarmLogParams, emit: (chunk: LogChunk) => void) =>
      streamSwarmLogs(params, emit, { openClient }),
    swarmDeploy: createSwarmDeployer({ openClient, catalog: stacks }),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Services wired to the validated entry points both transports use. */
export function createApi(deps: ServiceDeps, log?: (msg: string) => void) {
  const services = createServices(deps);
  return {
    services,
    dispatch: createDispatch(createHandlers(services), log),
    subscribe: createSubscribe(createSubscriptionHandlers(services)),
  };
}
