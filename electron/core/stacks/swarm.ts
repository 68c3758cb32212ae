/**
 * Renders a StackModel for Docker Swarm, in Docker Engine API shapes (the bodies of
 * POST /networks/create, /secrets/create, /configs/create, /volumes/create and /services/create).
 * The output is a pure function of its input: the same model and stack name give identical specs.
 *
 * Conventions:
 * - Everything carries `com.docker.stack.namespace=<stack>` (so `docker stack ls` and
 *   `docker stack services <stack>` show the stack), `homeport.dev/stack=<stack>` and
 *   `homeport.dev/managed-by=homeport`.
 * - One attachable overlay network `<stack>_default`; each component without connection rules joins
 *   it with its component name as alias, so `postgres:5432` resolves as it does in Kubernetes.
 *   Connection rules (`acceptsFrom`, `connectsTo`) become networks shared by two components only
 *   (`<stack>_<client>-to-<server>`, swarm-networks.ts); external egress is not restricted. Headless
 *   components need nothing more: `tasks.<name>` already resolves to every task's address.
 * - Configuration files (`configs`, `configFiles`): Swarm configs named by their content, mounted as
 *   single read-only files (swarm-configs.ts).
 * - One-shot jobs (`tasks`): replicated-job services named by their spec (swarm-jobs.ts).
 * - `notes`: what Swarm does instead of what the model asks (no autoscaler, no network policies,
 *   the schedule of a scheduled job), for the plan.
 * - Services are `<stack>_<component>` (`<stack>_<component>-<i>` for a component run one service per
 *   instance, swarm-instances.ts); autoscaled components run their minimum replica count (Swarm
 *   has no autoscaler).
 * - Secrets: one Swarm secret per key, mounted as the file `/run/secrets/<secret>_<key>`.
 *   Generated keys are `<stack>_<secret>_<key>` without data here: the deployer creates them once
 *   with a random value and keeps them. Keys with a value are `<stack>_<secret>_<key>_<hash8>`
 *   (hash of the value), so a new value is a new secret the services switch to (rotation).
 *   Provided keys (a saved S3 profile's, from Homeport's store) are named like keys with a value,
 *   from `opts.provided`, and labelled `homeport.dev/provided=true`; without a value (a preview)
 *   they are `<stack>_<secret>_<key>` without Data, which the deployer refuses.
 *   All are labelled `homeport.dev/secret=<secret>/<key>`. A secret the model does not define
 *   (an existing one, like external S3 credentials) is the Swarm secret `<secret>_<key>`, which
 *   must exist before the deploy.
 * - Secret environment variables: Swarm cannot put a secret's value into the environment, only
 *   into a file. A model variable NAME read from a secret becomes `NAME_FILE=/run/secrets/...`.
 *   That is the contract the program's configuration loader must honour: PostgreSQL's image reads
 *   POSTGRES_PASSWORD_FILE natively; Revenge reads REVENGE_*_FILE. A plain variable whose value
 *   references a secret variable (`postgres://revenge:$(REVENGE_DATABASE_PASSWORD)@...`) gets the
 *   reference left out (`postgres://revenge:@...`): the loader fills the empty password from the
 *   secret's file. References to plain and instance variables are expanded in place, and `$$` is a
 *   literal `$`, as the kubelet expands them (expansion.ts); command and args get plain variables
 *   (and the literal identity of a service per instance).
 * - Instance variables use Swarm templates: instanceName `{{.Task.Name}}`, instanceSlot
 *   `{{.Task.Slot}}` (1-based), hostName `{{.Node.Hostname}}`, namespace the stack name; instanceIp
 *   has no template and is left out. A component whose instances are addressed by name, or whose
 *   arguments need its identity, is one service per instance instead, with literal identity
 *   (swarm-instances.ts).
 * - Shared NFS volumes are named volumes `<stack>_<volume>_<hash8>` of the local driver with
 *   `type=nfs, o=addr=<server>,nfsvers=4[,ro], device=:<path>` (the hash is of the options: a
 *   node keeps a volume's first options, so a new server or path is a new volume); stateful components get a local
 *   volume `<stack>_<component>-data` (`<stack>_<component>-<i>-data` per instance). Volumes are node-local in Swarm: the mounts carry the same
 *   driver options, so each node creates its own on first use (a stateful component's data stays
 *   on the node it first ran on only if it is pinned there; data volume ownerGroup is not applied).
 * - Health checks come from the readiness probe (interval, timeout), with the liveness probe's
 *   failure threshold as retries and the startup probe's budget as start period. HTTP checks run
 *   `wget` and TCP checks `nc` (`-z`, or a plain connect for BusyBox) inside the container, so
 *   images need those tools for them.
 * - Updates go one task at a time, start-first (stop-first for stateful components, which must not
 *   share their data volume), and roll back automatically when a new task fails within Monitor.
 * - Scheduled jobs become services that wait for their times (scheduled-jobs.ts), labelled
 *   `homeport.dev/schedule=<cron>` and `homeport.dev/description`.
 * - Platform volumes (`claim`) are local named volumes `<stack>_<volume>` on the node a task runs on.
 * - Published ports (the model's `published`) go through the routing mesh; nothing else is
 *   published.
 */
import { templateRefs, TEMPLATE_REF, type Component, type IdentityEnvVar, type StackModel } from './model';
import { checkModel } from './model-check';
import { expandReferences } from './expansion';
import {
  SECRETS_DIR,
  SWARM_COMPONENT_LABEL,
  SWARM_DATA_LABEL,
  SWARM_FORMAT_LABEL,
  SWARM_GENERATED_LABEL,
  SWARM_IMAGE_LABEL,
  SWARM_INSTANCE_LABEL,
  SWARM_MANAGED_BY,
  SWARM_MANAGED_BY_LABEL,
  SWARM_NAMESPACE_LABEL,
  SWARM_PROVIDED_LABEL,
  SWARM_SECRET_LABEL,
  SWARM_STACK_LABEL,
  type SwarmMount,
  type SwarmNetworkSpec,
  type SwarmRenderOptions,
  type SwarmSecretRef,
  type SwarmSecretSpec,
  type SwarmServiceSpec,
  type SwarmStack,
  type SwarmUpdateConfig,
  type SwarmVolumeSpec,
  type VolumeOptions,
} from './swarm-spec';
import { healthcheck, SECOND } from './swarm-health';
import { schedulableOnSwarm, withSwarmJobs } from './scheduled-jobs';
import { configRefs, renderConfigs } from './swarm-configs';
import { jobService, oneShotComponent, withScheduleLabels } from './swarm-jobs';
import { networkLayout, type Party } from './swarm-networks';
import { amounts, hash8, swarmName } from './swarm-util';
import {
  instanceHealthcheck,
  instanceIdentity,
  instanceName,
  instanceNetworks,
  peersNetworks,
  perInstanceNote,
  runsPerInstance,
  startReplicas,
} from './swarm-instances';

export * from './swarm-spec';
export { parseCpu, parseMemory, swarmName } from './swarm-util';

export const secretFileName = (secret: string, key: string) => `${secret}_${key}`;

export function renderSwarmStack(stackModel: StackModel, opts: SwarmRenderOptions): SwarmStack {
  checkModel(stackModel);
  const { stack } = opts;
  const model = withSwarmJobs(stackModel, stack);
  const monitor = Math.round((opts.updateMonitorMs ?? 10_000) * 1e6);
  const labels = (extra: Record<string, string> = {}): Record<string, string> => ({
    [SWARM_NAMESPACE_LABEL]: stack,
    [SWARM_STACK_LABEL]: stack,
    [SWARM_MANAGED_BY_LABEL]: SWARM_MANAGED_BY,
    ...extra,
  });
  const networkName = `${stack}_default`;
  const overlay = (Name: string): SwarmNetworkSpec => ({ Name, Driver: 'overlay', Attachable: true, Labels: labels() });
  const tasks = model.tasks ?? [];
  const parties: Party[] = [
    ...model.components.map((c) => ({
      name: c.name,
      acceptsFrom: c.acceptsFrom,
      connectsTo: c.connectsTo,
      serves: true,
    })),
    ...tasks.map((t) => ({ name: t.name, connectsTo: t.connectsTo, serves: false })),
  ];
  const layout = networkLayout(stack, parties, overlay);
  for (const p of model.published ?? []) {
    const c = model.components.find((x) => x.name === p.component);
    if (c && runsPerInstance(c)) {
      throw new Error(
        `stack model: '${c.name}' runs one service per instance on Swarm, which cannot all publish port ` +
          `${p.publishedPort}; publish a component in front of it instead`,
      );
    }
  }
  const configs = renderConfigs(stack, model.configs ?? [], labels);

  // Secrets of the model: one Swarm secret per key.
  const secretNames = new Map<string, string>();
  const secrets: SwarmSecretSpec[] = [];
  for (const s of model.secrets) {
    for (const k of s.keys) {
      const id = `${s.name}/${k.key}`;
      const base = `${stack}_${s.name}_${k.key}`;
      if (k.provided && !k.generated) {
        const value = opts.provided?.[s.name]?.[k.key];
        const name = swarmName(value === undefined ? base : `${base}_${hash8(value)}`);
        secretNames.set(id, name);
        secrets.push({
          Name: name,
          Labels: labels({ [SWARM_SECRET_LABEL]: id, [SWARM_PROVIDED_LABEL]: 'true' }),
          ...(value === undefined ? {} : { Data: Buffer.from(value).toString('base64') }),
        });
      } else if (k.template !== undefined) {
        // The engine renders it when a task starts, from the secret files mounted next to it: the
        // generated values never pass through Homeport again. A new template is a new secret.
        const data = toGoTemplate(k.template);
        const name = swarmName(`${base}_${hash8(data)}`);
        secretNames.set(id, name);
        secrets.push({
          Name: name,
          Labels: labels({ [SWARM_SECRET_LABEL]: id }),
          Data: Buffer.from(data).toString('base64'),
          Templating: { Name: 'golang' },
        });
      } else if (k.generated) {
        const name = swarmName(base);
        secretNames.set(id, name);
        const format: Record<string, string> = k.format === 'hex32' ? { [SWARM_FORMAT_LABEL]: 'hex32' } : {};
        secrets.push({
          Name: name,
          Labels: labels({ [SWARM_SECRET_LABEL]: id, [SWARM_GENERATED_LABEL]: 'true', ...format }),
        });
      } else {
        const value = k.value ?? '';
        const name = swarmName(`${base}_${hash8(value)}`);
        secretNames.set(id, name);
        secrets.push({
          Name: name,
          Labels: labels({ [SWARM_SECRET_LABEL]: id }),
          Data: Buffer.from(value).toString('base64'),
        });
      }
    }
  }
  const external = new Set<string>();
  const secretRef = (secret: string, key: string): string => {
    const own = secretNames.get(`${secret}/${key}`);
    if (own) return own;
    const name = `${secret}_${key}`;
    external.add(name);
    return name;
  };

  const volumes: SwarmVolumeSpec[] = [];
  const sharedMounts = new Map<string, { source: string; options: VolumeOptions }>();
  // A volume only a job left out on Swarm mounts (scheduled-jobs.ts) is not made.
  const mounted = new Set([...model.components, ...tasks].flatMap((x) => x.mounts.map((m) => m.volume)));
  for (const v of model.volumes.filter((x) => mounted.has(x.name))) {
    if (v.type === 'claim') {
      // Platform storage: a local named volume, created by the engine on the node a task first runs on.
      const spec: SwarmVolumeSpec = { Name: `${stack}_${v.name}`, Driver: 'local', DriverOpts: {}, Labels: labels() };
      volumes.push(spec);
      sharedMounts.set(v.name, {
        source: spec.Name,
        options: { Labels: spec.Labels, DriverConfig: { Name: 'local' } },
      });
      continue;
    }
    const o = `addr=${v.server},nfsvers=4${v.readOnly ? ',ro' : ''}`;
    // The options are part of the name: a node keeps a volume's first options, so new ones need a new volume.
    const spec: SwarmVolumeSpec = {
      Name: swarmName(`${stack}_${v.name}_${hash8(`${o} :${v.path}`)}`),
      Driver: 'local',
      DriverOpts: { type: 'nfs', o, device: `:${v.path}` },
      Labels: labels(),
    };
    volumes.push(spec);
    sharedMounts.set(v.name, {
      source: spec.Name,
      options: { Labels: spec.Labels, DriverConfig: { Name: 'local', Options: spec.DriverOpts } },
    });
  }
  const instancesOf = (c: Component): (number | undefined)[] =>
    runsPerInstance(c) ? Array.from({ length: startReplicas(c) }, (_, i) => i) : [undefined];
  const dataVolume = (c: Component, i: number | undefined) =>
    `${stack}_${i === undefined ? c.name : instanceName(c, i)}-data`;
  for (const c of model.components) {
    if (!c.data) continue;
    for (const i of instancesOf(c)) {
      volumes.push({
        Name: dataVolume(c, i),
        Driver: 'local',
        DriverOpts: {},
        Labels: labels({ [SWARM_COMPONENT_LABEL]: c.name, [SWARM_DATA_LABEL]: 'true' }),
      });
    }
  }
  const peers = peersNetworks(stack, model.components);
  for (const name of peers.values()) layout.networks.push(overlay(name));

  const serviceOf = (c: Component, instance?: number): SwarmServiceSpec => {
    const fileRefs = new Map<string, SwarmSecretRef>();
    const refFor = (secret: string, key: string): SwarmSecretRef => {
      const file = secretFileName(secret, key);
      let ref = fileRefs.get(file);
      if (!ref) {
        ref = { SecretName: secretRef(secret, key), File: { Name: file, UID: '0', GID: '0', Mode: 0o444 } };
        fileRefs.set(file, ref);
      }
      return ref;
    };
    const known = new Map<string, string>();
    const secretVars = new Set<string>();
    const env: string[] = [];
    for (const e of c.identityEnv) {
      const value = (instance === undefined ? undefined : instanceIdentity(e, c, instance)) ?? identityValue(e, stack);
      if (value === undefined) continue;
      known.set(e.name, value);
      env.push(`${e.name}=${value}`);
    }
    const templateOf = (secret: string, key: string) =>
      model.secrets.find((x) => x.name === secret)?.keys.find((k) => k.key === key)?.template;
    for (const e of c.secretEnv) {
      // A template reads the secrets it names as files of the same task, whether it becomes a file or a variable.
      for (const r of templateRefs(templateOf(e.secret, e.key) ?? '')) refFor(r.secret, r.key);
      const ref = refFor(e.secret, e.key);
      secretVars.add(e.name);
      env.push(`${e.name}_FILE=${SECRETS_DIR}/${ref.File.Name}`);
    }
    for (const f of c.files ?? []) {
      for (const r of templateRefs(templateOf(f.secret, f.key) ?? '')) refFor(r.secret, r.key);
      const file = f.path;
      fileRefs.set(file, {
        SecretName: secretRef(f.secret, f.key),
        File: { Name: file, UID: '0', GID: '0', Mode: 0o444 },
      });
    }
    // Plain variables, which command and args may reference too (instance variables are Swarm
    // templates, filled in the environment only; secret variables are files).
    const plain = new Map<string, string>();
    for (const e of c.env) {
      const value = expandReferences(e.value, (name) => (secretVars.has(name) ? '' : known.get(name)));
      known.set(e.name, value);
      plain.set(e.name, value);
      env.push(`${e.name}=${value}`);
    }
    // One service per instance knows its identity: arguments get it too (not the node's host name,
    // which is a template Swarm fills in the environment only).
    const literal = (name: string) =>
      instance !== undefined && c.identityEnv.some((e) => e.name === name && e.field !== 'hostName');
    const expandArg = (a: string) => expandReferences(a, (name) => (literal(name) ? known.get(name) : plain.get(name)));
    const mounts: SwarmMount[] = c.mounts.map((m) => {
      const shared = sharedMounts.get(m.volume) as { source: string; options: VolumeOptions };
      return {
        Type: 'volume',
        Source: shared.source,
        Target: m.mountPath,
        ...(m.readOnly ? { ReadOnly: true } : {}),
        VolumeOptions: shared.options,
      };
    });
    if (c.data) {
      mounts.push({
        Type: 'volume',
        Source: dataVolume(c, instance),
        Target: c.data.mountPath,
        VolumeOptions: {
          Labels: labels({ [SWARM_COMPONENT_LABEL]: c.name, [SWARM_DATA_LABEL]: 'true' }),
          DriverConfig: { Name: 'local' },
        },
      });
    }
    for (const dir of c.security?.readOnlyRoot?.writable ?? []) mounts.push({ Type: 'tmpfs', Target: dir });
    const update: SwarmUpdateConfig = {
      Parallelism: 1,
      Delay: 0,
      FailureAction: 'rollback',
      Monitor: monitor,
      MaxFailureRatio: 0,
      Order: c.stateful ? 'stop-first' : 'start-first',
    };
    const ports = (model.published ?? [])
      .filter((p) => p.component === c.name)
      .map((p) => ({
        Protocol: 'tcp' as const,
        TargetPort: p.port,
        PublishedPort: p.publishedPort,
        PublishMode: 'ingress' as const,
      }));
    const attachments = layout.attachments.get(c.name) ?? [];
    const networks =
      instance === undefined ? attachments : instanceNetworks(c, instance, attachments, peers.get(c.name));
    return {
      Name: `${stack}_${instance === undefined ? c.name : instanceName(c, instance)}`,
      Labels: labels({
        [SWARM_IMAGE_LABEL]: c.image,
        [SWARM_COMPONENT_LABEL]: c.name,
        ...(instance === undefined ? {} : { [SWARM_INSTANCE_LABEL]: String(instance) }),
      }),
      TaskTemplate: {
        ContainerSpec: {
          Image: c.image,
          Labels: { [SWARM_NAMESPACE_LABEL]: stack },
          ...(c.command ? { Command: c.command.map(expandArg) } : {}),
          ...(c.args ? { Args: c.args.map(expandArg) } : {}),
          Env: env,
          Mounts: mounts,
          Secrets: [...fileRefs.values()],
          ...(c.configFiles?.length ? { Configs: configRefs(c.configFiles, configs.names) } : {}),
          Healthcheck: instance === undefined ? healthcheck(c) : instanceHealthcheck(c).check,
          ...(c.security?.readOnlyRoot ? { ReadOnly: true } : {}),
          StopGracePeriod: c.stopGracePeriodSeconds * SECOND,
        },
        Resources: {
          Limits: amounts(c.resources.limits),
          Reservations: amounts(c.resources.requests),
        },
        RestartPolicy: { Condition: 'any', Delay: 5 * SECOND, MaxAttempts: 0 },
        Networks: networks,
      },
      Mode: { Replicated: { Replicas: instance === undefined ? startReplicas(c) : 1 } },
      UpdateConfig: update,
      RollbackConfig: { ...update, FailureAction: 'pause' },
      EndpointSpec:
        ports.length > 0 ? { Mode: 'vip', Ports: ports } : { Mode: instance === undefined ? 'vip' : 'dnsrr' },
    };
  };
  const scheduled = new Map((stackModel.jobs ?? []).map((j) => [`${stack}_${j.name}`, j]));
  const services = [
    ...model.components.flatMap((c) =>
      instancesOf(c).map((i) => {
        const svc = serviceOf(c, i);
        const job = scheduled.get(svc.Name);
        return job ? withScheduleLabels(svc, job) : svc;
      }),
    ),
    ...tasks.map((t) => jobService(serviceOf(oneShotComponent(t)), t, stack)),
  ];

  return {
    stack,
    network: overlay(networkName),
    networks: layout.networks,
    secrets,
    configs: configs.configs,
    volumes,
    services,
    externalSecrets: [...external].sort(),
    notes: [...layout.notes, ...platformNotes(stackModel, stack)],
  };
}

/** What Swarm does instead of what the model asks, in the plan's words. */
function platformNotes(model: StackModel, stack: string): string[] {
  const notes: string[] = [];
  for (const c of model.components) {
    if (!runsPerInstance(c)) continue;
    notes.push(perInstanceNote(c, stack));
    const health = instanceHealthcheck(c).note;
    if (health) notes.push(health);
  }
  for (const c of model.components) {
    if (!c.autoscale) continue;
    const on = [
      c.autoscale.cpuPercent === undefined ? '' : 'CPU',
      c.autoscale.memoryPercent === undefined ? '' : 'memory',
    ]
      .filter(Boolean)
      .join(' and ');
    notes.push(
      `Autoscaling is not available on Swarm: '${c.name}' runs its minimum of ${c.autoscale.min} ` +
        `(the model scales it up to ${c.autoscale.max} on ${on}).`,
    );
  }
  for (const j of model.jobs ?? []) {
    notes.push(
      schedulableOnSwarm(j)
        ? `Scheduled job '${j.name}' runs at '${j.schedule}' (UTC) in a service that waits for its times.`
        : `Scheduled job '${j.name}' does not run on Swarm: its image has no shell for the service that waits ` +
            `for its times (it has ${j.tools?.join(', ')}); it runs on Kubernetes as a CronJob.`,
    );
  }
  for (const t of model.tasks ?? []) {
    notes.push(`Job '${t.name}' runs once per revision of its spec, as a replicated-job service.`);
  }
  return notes;
}

function identityValue(e: IdentityEnvVar, stack: string): string | undefined {
  switch (e.field) {
    case 'instanceName':
      return '{{.Task.Name}}';
    case 'hostName':
      return '{{.Node.Hostname}}';
    case 'namespace':
      return stack;
    case 'instanceSlot':
      return '{{.Task.Slot}}';
    case 'instanceIp':
      return undefined;
  }
}

/** `{{secret/key}}` of the model as Swarm's Go template function over the task's secret files. */
function toGoTemplate(template: string): string {
  return template.replace(
    TEMPLATE_REF,
    (_m, secret: string, key: string) => `{{ secret "${secretFileName(secret, key)}" }}`,
  );
}
