import { analyzeCompose, userStackDefinition } from './core/compose';
import { createClustersService } from './core/clusters/clusters-service';
import { createDeployEngine } from './core/deploy/engine';
import { createRunInWorkload } from './core/exec/command';
import { kubernetesCommands } from './core/exec/kubernetes-exec';
import { swarmCommands } from './core/exec/swarm-exec';
import { createTerminalSessions } from './core/exec/terminal-sessions';
import { createDockerEndpoints } from './core/docker/endpoints';
import { createRegistries } from './core/docker/registries';
import { streamSwarmLogs, type SwarmLogParams } from './core/docker/logs';
import { createSwarmLive } from './core/docker/swarm-live';
import { createGatewayCache } from './core/kube/gateway-cache';
import { createForwardManager } from './core/portforward/forwards';
import { createKubeService } from './core/kube/kube-service';
import { createWatchHub } from './core/kube/watch-hub';
import { createStackLeaders } from './core/leaders/stack-leaders';
import { createMetricsService } from './core/metrics/dashboards';
import { createMetricsSettings } from './core/metrics/settings';
import { createNasExports } from './core/nas/exports';
import { createNasHosts } from './core/nas/hosts';
import { createReadiness } from './core/readiness/readiness';
import { reportSwarm } from './core/readiness/swarm';
import { createReferenceLookups } from './core/references/lookups';
import { createBucketProvisioner } from './core/references/buckets';
import { resolveStackReferences } from './core/references/resolve';
import { createS3Profiles } from './core/s3/profiles';
import { createS3Service } from './core/s3/s3-service';
import { createSecretStore, type SecretCipher } from './core/secrets/secret-store';
import { createSshTrust, userKnownHostsFile } from './core/ssh/trust';
import { builtinStacks, createStackCatalog } from './core/stacks/catalog';
import { deployedWhere } from './core/targets/deployed-where';
import { kubeRevisionRecords, swarmRevisionRecords } from './core/targets/deployed-where-sources';
import { createUserStacks, type ComposeLibrary } from './core/user-stacks/service';
import { createUserStackStore } from './core/user-stacks/store';
import { ensureDataDir } from './core/storage/data-dir';
import { createSettingsStore } from './core/storage/settings';
import { createSwarmDeployer } from './core/swarm/deployer';
import { kubernetesTarget } from './core/targets/kubernetes';
import { createStackDeployments } from './core/targets/stack-deployments';
import { swarmTarget } from './core/targets/swarm';
import { createTargets } from './core/targets/target';
import type { LogChunk } from '@shared/kube-schemas';
import { HOMEPORT_VERSION } from './version';
import { createBackupKeys } from './core/backup/keys';
import { createBackupRecords } from './core/backup/records';
import { createOpenDestination } from './core/backup/destinations/open';
import { createGeneratedSecrets } from './core/backup/generated-secrets';
import { createBackupService } from './core/backup/service';
import { createBackupScheduleStore } from './core/backup/schedules';
import { createBackupScheduler } from './core/backup/scheduler';
import type { BackupSchedules } from './core/backup/types';
import { openS3Objects } from './core/s3/objects';
// Resource browser.
import { createResourceService } from './core/kube/resources/resource-service';
// Overview and notifications.
import { createClusterOverview } from './core/overview/cluster-overview';
import { createSelectionStore } from './core/selection/selection-store';

export interface ServiceDeps {
  dataDir: string;
  mode: 'desktop' | 'web';
  env?: NodeJS.ProcessEnv;
  home?: string;
  sandboxKubeconfig?: string;
  /** How stored credentials are sealed: safeStorage on the desktop; default a 0600 key file. */
  cipher?: SecretCipher;
  /** The compose library user stacks are imported and built with (electron/core/compose unless a test gives another). */
  compose?: ComposeLibrary;
  /** Where problems found while starting are reported (a user stack file that cannot be read). */
  log?: (msg: string) => void;
}

/** The composition root: every service is built here from its dependencies, nowhere else. It holds no behaviour. */
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
  const compose = deps.compose ?? { analyzeCompose, userStackDefinition };
  // The catalog's own stacks and the user's (every saved version); saving or removing one refreshes it.
  const stacks = createStackCatalog(builtinStacks, { define: (doc) => compose.userStackDefinition(doc) });
  const userStacks = createUserStacks({
    store: createUserStackStore({ dataDir, reserved: () => builtinStacks.map((s) => s.name) }),
    catalog: stacks,
    compose,
    log: deps.log,
  });
  userStacks.refresh();
  const secrets = createSecretStore({ dataDir, cipher: deps.cipher });
  // One SSH trust (known hosts, keys waiting to be trusted) for NAS hosts and ssh:// endpoints alike.
  const sshTrust = createSshTrust({ dataDir, userKnownHosts: userKnownHostsFile(deps.env) });
  const nasHosts = createNasHosts({ dataDir, secrets, trust: sshTrust, env: deps.env });
  const s3Profiles = createS3Profiles({ dataDir, secrets });
  const nasExports = createNasExports(nasHosts);
  const lookups = createReferenceLookups({ nasHosts, nasExports, s3Profiles });
  const gateways = createGatewayCache(openGateway);
  // One list+watch per cluster, resource and namespace, whichever screens look at it.
  const watches = createWatchHub({ openGateway, watchConfig: (onChange) => clusters.watchContexts(onChange) });
  const kube = createKubeService({ openGateway, hub: watches });
  const metricsSettings = createMetricsSettings({ dataDir, secrets });
  const metrics = createMetricsService({
    settings: metricsSettings,
    gatewayFor: (context) => gateways.get(context),
    stacks,
  });
  const deployEngine = createDeployEngine({ openGateway, catalog: stacks });
  // What Homeport knows of the backups it took: the scorecard counts only verified ones.
  const backupRecords = createBackupRecords(dataDir);
  const backupKeys = createBackupKeys(secrets);
  const readiness = createReadiness({
    backups: (ref) =>
      backupRecords.status({ kind: 'kubernetes', context: ref.context, namespace: ref.namespace }, ref.stack),
    openGateway,
    stacks,
    revisions: (ref) => deployEngine.revisions(ref),
    prometheus: (context) => metrics.querier(context),
    readLeader: (ref) =>
      stackLeaders.read({ kind: 'kubernetes', context: ref.context, namespace: ref.namespace }, ref.stack),
  });
  const dockerEndpoints = createDockerEndpoints({ dataDir, trust: sshTrust, env: deps.env });
  const openClient = (endpoint: string) => dockerEndpoints.openClient(endpoint);
  const swarmLive = createSwarmLive({ openClient });
  const registries = createRegistries({ dataDir, secrets, env: deps.env });
  const swarmDeployer = createSwarmDeployer({
    openClient,
    catalog: stacks,
    registryAuth: (image) => registries.authHeader(image),
  });
  const targets = createTargets({
    kubernetes: (target) => kubernetesTarget(target, { engine: deployEngine, readiness }),
    swarm: (target) =>
      swarmTarget(target, {
        deployer: swarmDeployer,
        readiness: (ref) =>
          reportSwarm(ref, {
            openClient,
            stacks,
            readLeader: (r) => stackLeaders.read({ kind: 'swarm', endpoint: r.endpoint }, r.stack),
            backups: (r) => backupRecords.status({ kind: 'swarm', endpoint: r.endpoint }, r.stack),
          }),
      }),
  });
  // Commands in a pod's or task's container, the same way on every kind of target.
  const runInWorkload = createRunInWorkload({
    kubernetes: (target) => kubernetesCommands(target, { openGateway }),
    swarm: (target) => swarmCommands(target, { openClient }),
  });
  const terminals = createTerminalSessions({ runInWorkload });
  const portForwards = createForwardManager({ openGateway });
  // Leaders kept in a database table, read by running the database's client in its container.
  const stackLeaders = createStackLeaders({ openGateway, openClient, stacks, runInWorkload });
  const resolveReferences = (stack: string, values: unknown) => resolveStackReferences(stack, values, lookups);
  const s3 = createS3Service({ profiles: s3Profiles });
  const ensureBuckets = createBucketProvisioner(s3);
  const generatedSecrets = createGeneratedSecrets({ openGateway, openClient, runInWorkload });
  const backups = createBackupService({
    targets,
    stacks,
    resolveReferences,
    runInWorkload,
    workloadOf: (target, stack, component) => stackLeaders.workloadOf(target, stack, component),
    generatedSecrets,
    openDestination: createOpenDestination({ nasHosts, s3Profiles }),
    openObjects: (profile) => openS3Objects(s3Profiles, profile),
    ensureBucket: async (profile, bucket) => {
      await s3.createBucket(profile, bucket);
    },
    keys: backupKeys,
    deleteNamespace: async (context, namespace) => {
      const gateway = await openGateway(context);
      try {
        await gateway.request(`/api/v1/namespaces/${encodeURIComponent(namespace)}`, { method: 'DELETE' });
      } finally {
        gateway.close();
      }
    },
    version: HOMEPORT_VERSION,
    records: backupRecords,
  });
  // Schedules run while Homeport runs (createApi starts the scheduler; one-shot CLI commands do not).
  const scheduleStore = createBackupScheduleStore({ dataDir });
  const backupScheduler = createBackupScheduler({ schedules: scheduleStore, operations: backups });
  const backupSchedules: BackupSchedules = {
    list: () => scheduleStore.list(),
    async save(schedule) {
      const saved = await scheduleStore.save(schedule);
      await backupScheduler.reload();
      return saved;
    },
    async remove(ref) {
      await scheduleStore.remove(ref);
      await backupScheduler.reload();
    },
  };
  const deployments = createStackDeployments({
    targets,
    catalog: stacks,
    resolveReferences,
    ensureBuckets: (stack, buckets) => ensureBuckets(buckets, stacks.signals(stack).objectStorage?.publicPrefix),
  });
  /** Where Homeport has a live deployment of each stack of the catalog (the stack picker). */
  const stackDeployments = () =>
    deployedWhere(
      {
        kubeContexts: async () => (await clusters.listContexts()).contexts.map((c) => c.name),
        kubeRevisions: async (context) => kubeRevisionRecords(await openGateway(context)),
        swarmEndpoints: async () =>
          (await dockerEndpoints.list()).filter((e) => e.problem === undefined).map((e) => e.name),
        swarmRevisions: async (endpoint) => swarmRevisionRecords(await openClient(endpoint)),
      },
      stacks.list().map((s) => s.name),
    );
  // The resource browser: any API resource live (on the shared watches), discovery, YAML, Secret values on request.
  const resources = createResourceService({ openGateway, hub: watches });
  return {
    /** Stops every watch and closes shared connections. */
    close() {
      backupScheduler.stop();
      void portForwards.stopAll();
      kube.close();
      resources.close();
      swarmLive.close();
      gateways.close();
    },
    version: HOMEPORT_VERSION,
    mode: deps.mode,
    dataDir,
    // The chosen cluster, target and endpoints, kept across restarts.
    /** The chosen cluster, target and endpoints, remembered in the data directory. */
    selection: createSelectionStore(dataDir),
    settings,
    clusters,
    kube,
    stacks,
    /** Stacks imported from compose files: analyze, save (a new version), list, remove. */
    userStacks,
    stackDeployments,
    secrets,
    nasHosts,
    nasExports,
    gateways,
    metrics,
    /** Values naming a NAS export or an S3 profile, resolved for a deploy; keys go to `provided` only. */
    resolveReferences,
    s3Profiles,
    s3,
    /** Port-forwards from 127.0.0.1 to pods and Services, stopped when Homeport closes. */
    portForwards,
    /** Runs a command (argv) in a workload's container on any target, streaming. */
    runInWorkload,
    /** Shells (and other commands) with a terminal, for the window's terminal sessions. */
    terminals,
    /** Leaders of deployed stacks that keep them in a database table. */
    stackLeaders,
    /** Plan, apply, roll back, remove, follow and score stacks on any target. */
    deployments,
    /** Back up, restore and verify deployed stacks (operations with progress). */
    backups,
    /** The passphrase or key file backups' secrets are sealed with. */
    backupKeys,
    /** Backup schedules (saving one re-arms the scheduler). */
    backupSchedules,
    /** Runs the schedules while Homeport runs; started by createApi. */
    backupScheduler,
    dockerEndpoints,
    /** Registry credentials for private images on a swarm (saved, or the user's docker login). */
    registries,
    swarmLive,
    resources,
    swarmLogs: (params: SwarmLogParams, emit: (chunk: LogChunk) => void) =>
      streamSwarmLogs(params, emit, { openClient }),
    // Overview and notifications: every context and endpoint checked concurrently, each
    // under its own time limit; pods and leases from the shared watches; notifications on transitions.
    overview: createClusterOverview({
      contexts: async () =>
        (await clusters.listContexts()).contexts.map((c) => ({ name: c.name, simulated: c.simulated })),
      endpoints: async () => (await dockerEndpoints.list()).filter((e) => e.problem === undefined).map((e) => e.name),
      openGateway,
      openClient,
      kubeStacks: async (context) => kubeRevisionRecords(await openGateway(context)),
      swarmStacks: async (endpoint) => swarmRevisionRecords(await openClient(endpoint)),
      rollout: (target, stack) => targets.open(target).rolloutStatus(stack),
      kube,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
