/**
 * The Swarm deployer: plans, applies (creates and updates through the Engine API), prunes, records
 * revisions, follows convergence, rolls services back and removes the stacks of the catalog on a
 * Docker Swarm. Its results use the deploy engine's schemas, so the UI is shared.
 */
import type { ApplyResult, Plan, PlanItem, Revision, RolloutStatus, UninstallResult } from '@shared/deploy-schemas';
import { secretValueTest, valuesDiff } from '@shared/plan-diff';
import { planYaml } from '../deploy/plan-yaml';
import { localAuthor, type RevisionAuthor } from '../deploy/revisions';
import { ValuesError } from '../stacks/values-error';
import { defaultRandomSecret, randomHex32 } from '../deploy/secrets';
import type { DockerClient } from '../docker/client';
import { DockerRequestError } from '../docker/client';
import { HomeportError } from '../errors';
import {
  SWARM_COMPONENT_LABEL,
  SWARM_DATA_LABEL,
  SWARM_FORMAT_LABEL,
  SWARM_GENERATED_LABEL,
  SWARM_INSTANCE_LABEL,
  SWARM_MANAGED_BY,
  SWARM_MANAGED_BY_LABEL,
  SWARM_PROVIDED_LABEL,
  SWARM_SECRET_LABEL,
  SWARM_STACK_LABEL,
  type SwarmServiceSpec,
  type SwarmStack,
} from '../stacks/swarm';
import type { ProvidedSecrets } from '../stacks/model';
import type { StackCatalog } from '../stacks/types';
import { engineApi, type EngineApi, type LiveService } from './engine-api';
import { normalizeServiceSpec, serviceChanges } from './normalize';
import {
  nextRevision,
  readCurrentRevision,
  readRevisions,
  recordRevision,
  recordRollout,
  toRevisionList,
  type RecordedSwarmRevision,
} from './revisions';
import { removeWhenFree } from '../docker/remove-when-free';
import { removeStack } from './remove-stack';
import { componentOf, readSwarmStatus, runningTaskIds, updateOutcome } from './status';
import {
  configSteps,
  jobOf,
  networkSteps,
  oldJobServices,
  removeStoppedContainers,
  withLiveIds,
  type Kind,
  type Step,
} from './stack-objects';

export const SWARM_API_VERSION = 'swarm/v1';
/** Attempts of a service update the engine refuses as out of sequence (someone else updated it). */
export const MAX_UPDATE_ATTEMPTS = 5;

export interface SwarmStackRef {
  /** The Docker endpoint (as openClient knows it). */
  endpoint: string;
  stack: string;
}
export interface SwarmDeployParams extends SwarmStackRef {
  /** The catalog stack to deploy ('revenge'); defaults to the only stack of the catalog. */
  template?: string;
  values: unknown;
  /**
   * Secret values Homeport provides (resolveStackReferences: a saved S3 profile's keys), by secret
   * name and key: they become Swarm secrets named by a hash of their value, never part of a revision.
   */
  provided?: ProvidedSecrets;
  /**
   * Generated secret values from a backup being restored, by secret name and key: used for a
   * generated secret that does not exist yet instead of a fresh random value. Never recorded.
   */
  restored?: ProvidedSecrets;
}

export interface SwarmDeployerDeps {
  openClient(endpoint: string): Promise<DockerClient>;
  catalog: StackCatalog;
  now?: () => Date;
  /** A fresh value for a generated secret (default: 32 random bytes, base64url). */
  randomSecret?: () => string;
  /** A fresh value for a generated hex32 secret (default: 32 random bytes as hex). */
  randomHex?: () => string;
  /** How long Swarm watches each updated task before calling it a success (default 10 s). */
  updateMonitorMs?: number;
  /** How long apply waits for services to finish updating before removing rotated secrets (default 5 min). */
  rotationTimeoutMs?: number;
  /** How long an instance's update may take before the next instance of its component updates anyway (default 5 min). */
  instanceUpdateTimeoutMs?: number;
  /**
   * The X-Registry-Auth header for pulling an image (a saved or docker login credential for its
   * registry), or undefined when none is known; without it, images are pulled anonymously.
   */
  registryAuth?: (image: string) => Promise<string | undefined>;
  /** Tests: runs between reading a service and sending its update. */
  beforeServiceUpdate?: (service: LiveService) => Promise<void>;
  /** Who applies, recorded on each revision (default: field manager homeport, this host and OS user). */
  author?: () => RevisionAuthor;
}

interface Computed {
  plan: Plan;
  steps: Step[];
  /** Rendered secret name -> live secret ID, for what exists. */
  secretIds: Map<string, string>;
  /** Rendered generated-secret name -> the live name it keeps. */
  generatedNames: Map<string, string>;
  /** Network name -> live ID, for what exists. */
  networkIds: Map<string, string>;
  /** Config name -> live ID, for what exists. */
  configIds: Map<string, string>;
  services: Map<string, LiveService>;
  /** Older secrets and configs of a changed key or file: removed once no service uses them. */
  superseded: Step[];
  /** Services of an earlier spec of a one-shot job: removed once the new one exists. */
  oldJobs: Step[];
}

const item = (s: Step & { live?: string; desired?: string }): PlanItem => ({
  apiVersion: SWARM_API_VERSION,
  kind: s.kind,
  name: s.name,
  action: s.action,
  changedFields: s.changedFields,
  ...(s.live !== undefined ? { live: s.live } : {}),
  ...(s.desired !== undefined ? { desired: s.desired } : {}),
});
const label = (kind: Kind, name: string) => `${kind}/${name}`;
/** The restored value of the generated key `secret/key` (a secret's SWARM_SECRET_LABEL). */
function restoredValue(restored: ProvidedSecrets | undefined, id: string | undefined): string | undefined {
  if (!restored || !id) return undefined;
  const at = id.indexOf('/');
  return restored[id.slice(0, at)]?.[id.slice(at + 1)];
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createSwarmDeployer(deps: SwarmDeployerDeps) {
  const now = deps.now ?? (() => new Date());
  const randomSecret = deps.randomSecret ?? defaultRandomSecret;
  const randomHex = deps.randomHex ?? randomHex32;
  const author = deps.author ?? localAuthor;
  const selector = (stack: string) => `${SWARM_STACK_LABEL}=${stack}`;
  const managed = (labels: Record<string, string> | null | undefined) =>
    labels?.[SWARM_MANAGED_BY_LABEL] === SWARM_MANAGED_BY;

  async function withApi<R>(endpoint: string, fn: (api: EngineApi) => Promise<R>): Promise<R> {
    const client = await deps.openClient(endpoint);
    try {
      return await fn(engineApi(client));
    } finally {
      client.close();
    }
  }

  function templateOf(p: SwarmDeployParams): string {
    if (p.template) return p.template;
    const stacks = deps.catalog.list();
    if (stacks.length === 1 && stacks[0]) return stacks[0].name;
    if (deps.catalog.has(p.stack)) return p.stack;
    throw new HomeportError('INVALID_INPUT', `Say which stack of the catalog to deploy as '${p.stack}'`);
  }

  /** Validates and renders; throws ValuesError before anything reaches the engine. */
  function render(p: SwarmDeployParams): { values: unknown; spec: SwarmStack } {
    const template = templateOf(p);
    const result = deps.catalog.validate(template, p.values);
    if (!result.ok) throw new ValuesError(result.issues);
    let spec: SwarmStack;
    try {
      spec = deps.catalog.renderSwarm(template, result.values, {
        stack: p.stack,
        ...(deps.updateMonitorMs !== undefined ? { updateMonitorMs: deps.updateMonitorMs } : {}),
        ...(p.provided ? { provided: p.provided } : {}),
      });
    } catch (err) {
      throw new HomeportError('INVALID_INPUT', (err as Error).message);
    }
    const missing = spec.secrets
      .filter((s) => s.Labels[SWARM_PROVIDED_LABEL] === 'true' && s.Data === undefined)
      .map((s) => s.Labels[SWARM_SECRET_LABEL]);
    if (missing.length > 0) {
      throw new HomeportError(
        'INVALID_INPUT',
        `Stack '${p.stack}' needs secret keys Homeport provides from its store, which were not given: ` +
          `${missing.join(', ')}; resolve the stack's references (saved S3 profile) and pass them as provided`,
      );
    }
    return { values: result.values, spec };
  }

  /** The rendered service spec with the live network and secret IDs put in. */
  function resolved(
    rendered: SwarmServiceSpec,
    c: Pick<Computed, 'secretIds' | 'generatedNames' | 'networkIds' | 'configIds'>,
  ) {
    const svc = withLiveIds(rendered, c.networkIds, c.configIds);
    const ContainerSpec = {
      ...svc.TaskTemplate.ContainerSpec,
      Secrets: svc.TaskTemplate.ContainerSpec.Secrets.map((ref) => {
        const name = c.generatedNames.get(ref.SecretName) ?? ref.SecretName;
        const id = c.secretIds.get(name);
        return { ...ref, SecretName: name, ...(id ? { SecretID: id } : {}) };
      }),
    };
    return { ...svc, TaskTemplate: { ...svc.TaskTemplate, ContainerSpec } };
  }

  async function compute(api: EngineApi, ref: SwarmStackRef, spec: SwarmStack): Promise<Computed> {
    const sel = selector(ref.stack);
    const [networks, secrets, configs, volumes, services] = await Promise.all([
      api.networks(sel),
      api.secrets(sel),
      api.configs(sel),
      api.volumes(sel),
      api.services(sel),
    ]);
    const steps: Step[] = [];
    const prune: Step[] = [];
    const superseded: Step[] = [];

    const networkIds = new Map<string, string>();
    const nets = networkSteps(spec, networks, networkIds);
    steps.push(...nets.steps);
    prune.push(...nets.prune);

    const secretIds = new Map<string, string>();
    const generatedNames = new Map<string, string>();
    const keptSecrets = new Set<string>();
    for (const s of spec.secrets) {
      const key = s.Labels[SWARM_SECRET_LABEL];
      const live =
        s.Data === undefined
          ? secrets.find(
              (x) => x.Spec.Labels?.[SWARM_SECRET_LABEL] === key && x.Spec.Labels?.[SWARM_GENERATED_LABEL] === 'true',
            )
          : secrets.find((x) => x.Spec.Name === s.Name);
      if (live) {
        keptSecrets.add(live.ID);
        secretIds.set(live.Spec.Name, live.ID);
        if (s.Data === undefined) generatedNames.set(s.Name, live.Spec.Name);
      }
      steps.push({
        kind: 'Secret',
        name: live?.Spec.Name ?? s.Name,
        action: live ? 'unchanged' : 'create',
        changedFields: [],
        id: live?.ID,
      });
    }
    const renderedKeys = new Set(spec.secrets.map((s) => s.Labels[SWARM_SECRET_LABEL]));
    for (const x of secrets) {
      if (keptSecrets.has(x.ID) || !managed(x.Spec.Labels)) continue;
      const step: Step = { kind: 'Secret', name: x.Spec.Name, action: 'prune', changedFields: [], id: x.ID };
      if (renderedKeys.has(x.Spec.Labels?.[SWARM_SECRET_LABEL])) superseded.push(step);
      else prune.push(step);
    }
    for (const name of spec.externalSecrets) {
      const found = (await api.secretsNamed(name)).find((x) => x.Spec.Name === name);
      if (!found) {
        throw new HomeportError(
          'NOT_FOUND',
          `The stack reads the Swarm secret '${name}', which does not exist on ${api.client.address}; ` +
            `create it first (docker secret create ${name} -)`,
        );
      }
      secretIds.set(name, found.ID);
    }

    const configIds = new Map<string, string>();
    const cfgs = configSteps(spec, configs, configIds);
    steps.push(...cfgs.steps);
    superseded.push(...cfgs.superseded);
    prune.push(...cfgs.prune);

    for (const v of spec.volumes) {
      const live = volumes.find((x) => x.Name === v.Name);
      steps.push({
        kind: 'Volume',
        name: v.Name,
        action: live ? 'unchanged' : 'create',
        changedFields: [],
        id: live?.Name,
      });
    }
    for (const x of volumes) {
      // Data volumes hold the stack's data: never pruned, only removed with the stack on request.
      if (!managed(x.Labels) || x.Labels?.[SWARM_DATA_LABEL] === 'true') continue;
      if (!spec.volumes.some((v) => v.Name === x.Name))
        prune.push({ kind: 'Volume', name: x.Name, action: 'prune', changedFields: [], id: x.Name });
    }

    const byName = new Map(services.map((s) => [s.Spec.Name, s]));
    const ctx = { secretIds, generatedNames, networkIds, configIds };
    // Service specs as a plan shows them: engine defaults and empty values left out.
    const yamls = new Map<string, { live?: string; desired?: string }>();
    const specYaml = (live: unknown, desired: unknown) =>
      planYaml(
        live === undefined ? undefined : normalizeServiceSpec(live),
        desired === undefined ? undefined : normalizeServiceSpec(desired),
        false,
      );
    for (const svc of spec.services) {
      const live = byName.get(svc.Name);
      if (!live) {
        steps.push({ kind: 'Service', name: svc.Name, action: 'create', changedFields: [] });
        yamls.set(svc.Name, specYaml(undefined, resolved(svc, ctx)));
        continue;
      }
      // A job service is never updated: its name changes with its spec.
      const changed = jobOf(svc) ? [] : serviceChanges(live.Spec, resolved(svc, ctx));
      steps.push({
        kind: 'Service',
        name: svc.Name,
        action: changed.length ? 'update' : 'unchanged',
        changedFields: changed,
        id: live.ID,
      });
      if (changed.length) yamls.set(svc.Name, specYaml(live.Spec, resolved(svc, ctx)));
    }
    const jobs = oldJobServices(spec, services);
    prune.push(...jobs.prune);
    for (const x of [...jobs.prune, ...prune])
      if (x.kind === 'Service') yamls.set(x.name, specYaml(byName.get(x.name)?.Spec, undefined));
    const withYaml = (x: Step) => (x.kind === 'Service' ? { ...x, ...yamls.get(x.name) } : x);

    const all = [...steps, ...jobs.superseded, ...superseded, ...prune];
    return {
      plan: {
        target: { kind: 'swarm', endpoint: ref.endpoint },
        stack: ref.stack,
        revision: await nextRevision(api, ref.stack),
        items: all.map((x) => item(withYaml(x))),
        ...(spec.notes?.length ? { notes: spec.notes } : {}),
      },
      steps: [...steps, ...prune],
      secretIds,
      generatedNames,
      networkIds,
      configIds,
      services: byName,
      superseded,
      oldJobs: jobs.superseded,
    };
  }

  const imageOf = (spec: { TaskTemplate?: { ContainerSpec?: { Image?: unknown } } } | undefined) =>
    typeof spec?.TaskTemplate?.ContainerSpec?.Image === 'string' ? spec.TaskTemplate.ContainerSpec.Image : undefined;
  const authFor = async (image: string | undefined) =>
    image && deps.registryAuth ? deps.registryAuth(image) : undefined;

  /** Sends a service update from its latest version, re-reading and retrying when out of sequence. */
  async function updateService(
    api: EngineApi,
    id: string,
    body: (live: LiveService) => SwarmServiceSpec | LiveService['Spec'],
    rollback = false,
  ) {
    for (let attempt = 1; ; attempt++) {
      const live = await api.service(id);
      await deps.beforeServiceUpdate?.(live);
      const spec = body(live);
      // A rollback runs the previous spec, so its image is the one pulled.
      const auth = await authFor(imageOf(rollback ? live.PreviousSpec : spec));
      try {
        return await api.updateService(live.ID, live.Version.Index, spec, rollback, auth);
      } catch (err) {
        if (!(err instanceof DockerRequestError && err.outOfSequence) || attempt >= MAX_UPDATE_ATTEMPTS) throw err;
      }
    }
  }

  async function waitForUpdates(api: EngineApi, ids: string[], timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const states = await Promise.all(ids.map(async (id) => (await api.service(id)).UpdateStatus?.State));
      if (states.every((s) => s !== 'updating' && s !== 'rollback_started')) return;
      await sleep(500);
    }
  }

  /** Waits for an instance's update to end (status.ts updateOutcome), at most timeoutMs. */
  async function waitForInstance(
    api: EngineApi,
    x: { id: string; before: Set<string>; replaces: boolean },
    timeoutMs: number,
  ): Promise<'done' | 'failed' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const outcome = await updateOutcome(api, x.id, x.before, x.replaces);
      if (outcome !== 'pending') return outcome;
      if (Date.now() >= deadline) return 'timeout';
      await sleep(500);
    }
  }

  async function apply(p: SwarmDeployParams & { prune: boolean; rollbackOf?: number }): Promise<ApplyResult> {
    const { values, spec } = render(p);
    return withApi(p.endpoint, async (api) => {
      const c = await compute(api, p, spec);
      const step = (kind: Kind, name: string) => c.steps.find((s) => s.kind === kind && s.name === name);
      for (const n of [spec.network, ...(spec.networks ?? [])]) {
        if (!c.networkIds.has(n.Name))
          c.networkIds.set(n.Name, (await api.createNetwork({ ...n, CheckDuplicate: true })).Id);
      }
      for (const s of spec.secrets) {
        const name = c.generatedNames.get(s.Name) ?? s.Name;
        if (c.secretIds.has(name)) continue;
        const fresh =
          restoredValue(p.restored, s.Labels[SWARM_SECRET_LABEL]) ??
          (s.Labels[SWARM_FORMAT_LABEL] === 'hex32' ? randomHex() : randomSecret());
        const Data = s.Data ?? Buffer.from(fresh).toString('base64');
        const templating = s.Templating ? { Templating: s.Templating } : {};
        c.secretIds.set(name, (await api.createSecret({ Name: s.Name, Labels: s.Labels, Data, ...templating })).ID);
        if (s.Data === undefined) c.generatedNames.set(s.Name, s.Name);
      }
      for (const cfg of spec.configs) {
        if (step('Config', cfg.Name)?.action === 'create') c.configIds.set(cfg.Name, (await api.createConfig(cfg)).ID);
      }
      for (const v of spec.volumes) if (step('Volume', v.Name)?.action === 'create') await api.createVolume(v);
      const updated: string[] = [];
      // The instances of a component run one service per instance (stacks/swarm-instances.ts) update one at
      // a time, as a StatefulSet's pods do: an instance waits until the one before runs its new tasks, so an
      // etcd quorum never loses more than one member; after a failed or timed-out one the rest keep their
      // spec (the rollout reports the failure; the next deploy updates them).
      let previous: { component: string; id: string; before: Set<string>; replaces: boolean } | undefined;
      const halted = new Set<string>();
      for (const svc of spec.services) {
        const s = step('Service', svc.Name);
        const body = resolved(svc, c);
        const component =
          svc.Labels[SWARM_INSTANCE_LABEL] === undefined ? undefined : svc.Labels[SWARM_COMPONENT_LABEL];
        if (s?.action === 'create') await api.createService(body, await authFor(body.TaskTemplate.ContainerSpec.Image));
        else if (s?.action === 'update' && s.id) {
          if (component !== undefined && previous?.component === component) {
            const outcome = await waitForInstance(api, previous, deps.instanceUpdateTimeoutMs ?? 300_000);
            if (outcome !== 'done') halted.add(component);
          }
          if (component !== undefined && halted.has(component)) continue;
          const before =
            component === undefined ? new Set<string>() : await runningTaskIds(api, { ID: s.id, Spec: svc });
          await updateService(api, s.id, () => body);
          updated.push(s.id);
          const replaces = (s.changedFields ?? []).some((f) => f.startsWith('TaskTemplate'));
          previous = component === undefined ? undefined : { component, id: s.id, before, replaces };
        }
      }
      const pruned: string[] = [];
      const leftOver: string[] = [];
      // A job's earlier services go once its new one exists (they are done, or failed for good).
      for (const x of c.oldJobs) {
        if (x.id && (await removeWhenFree(() => api.removeService(x.id as string), 30_000))) {
          pruned.push(label('Service', x.name));
          await removeStoppedContainers(api, `com.docker.swarm.service.id=${x.id}`);
        }
      }
      // Rotated secrets: once the services run their new spec, the old secrets go (unless a rollback kept them).
      if (c.superseded.length > 0) {
        await waitForUpdates(api, updated, deps.rotationTimeoutMs ?? 300_000);
        const inUse = new Set(
          (await api.services(selector(p.stack))).flatMap((s) => [
            ...(s.Spec.TaskTemplate.ContainerSpec.Secrets ?? []).map((r) => r.SecretID),
            ...(s.Spec.TaskTemplate.ContainerSpec.Configs ?? []).map((r) => r.ConfigID),
          ]),
        );
        for (const x of c.superseded) {
          const id = x.id;
          const remove =
            x.kind === 'Config' ? () => api.removeConfig(id as string) : () => api.removeSecret(id as string);
          if (!id || inUse.has(id)) leftOver.push(label(x.kind, x.name));
          else if (await removeWhenFree(remove, 30_000)) pruned.push(label(x.kind, x.name));
        }
      }
      const pruneSteps = c.steps.filter((s) => s.action === 'prune');
      const order: Kind[] = ['Service', 'Secret', 'Config', 'Volume', 'Network'];
      pruneSteps.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
      for (const x of pruneSteps) {
        if (!p.prune || !x.id) {
          leftOver.push(label(x.kind, x.name));
          continue;
        }
        const id = x.id;
        const remove =
          x.kind === 'Service'
            ? () => api.removeService(id)
            : x.kind === 'Secret'
              ? () => api.removeSecret(id)
              : x.kind === 'Config'
                ? () => api.removeConfig(id)
                : x.kind === 'Network'
                  ? () => api.removeNetwork(id)
                  : () => api.removeVolume(id);
        if (await removeWhenFree(remove, 60_000)) pruned.push(label(x.kind, x.name));
        if (x.kind === 'Service') await removeStoppedContainers(api, `com.docker.swarm.service.id=${id}`);
      }
      await recordRevision(api, p.stack, {
        revision: c.plan.revision,
        appliedAt: now().toISOString(),
        values,
        spec,
        template: templateOf(p),
        by: author(),
        ...(p.rollbackOf !== undefined ? { rollbackOf: p.rollbackOf } : {}),
      });
      return { revision: c.plan.revision, plan: c.plan, pruned, leftOver };
    });
  }

  async function status(ref: SwarmStackRef): Promise<RolloutStatus> {
    return withApi(ref.endpoint, (api) => readSwarmStatus(api, selector(ref.stack)));
  }

  /** Revision N of the stack, or a NOT_FOUND naming the revisions it has; and the newest. */
  async function findRevision(ref: SwarmStackRef & { revision: number }) {
    const all = await withApi(ref.endpoint, (api) => readRevisions(api, ref.stack));
    const target = all.find((r) => r.revision === ref.revision);
    if (!target) {
      const known = all.map((r) => r.revision).join(', ');
      throw new HomeportError(
        'NOT_FOUND',
        `Stack '${ref.stack}' on ${ref.endpoint} has no revision ${ref.revision}` +
          (known ? `; its revisions are ${known}` : '; it has no recorded revisions'),
      );
    }
    return { target, current: all[0] as RecordedSwarmRevision };
  }

  /** The params that apply a recorded revision again: its values, from the catalog stack it was. */
  const replay = (ref: SwarmStackRef & { provided?: ProvidedSecrets }, r: RecordedSwarmRevision) => ({
    ...ref,
    values: r.values,
    ...(r.template ? { template: r.template } : {}),
  });

  /** The values a render of these values stores in secrets (provided and literal ones; generated have none). */
  function secretValuesOf(ref: SwarmStackRef, r: RecordedSwarmRevision | undefined): string[] {
    if (!r) return [];
    try {
      return render(replay(ref, r))
        .spec.secrets.filter((s) => s.Data !== undefined)
        .map((s) => Buffer.from(s.Data as string, 'base64').toString('utf8'));
    } catch {
      // Values the catalog no longer accepts: their literal secrets cannot be told, keys still are.
      return [];
    }
  }

  const valuesOf = (
    ref: SwarmStackRef,
    current: RecordedSwarmRevision | undefined,
    next: RecordedSwarmRevision,
  ): NonNullable<Plan['values']> => {
    if (!current) return { changes: [] };
    const inSecret = secretValueTest([...secretValuesOf(ref, current), ...secretValuesOf(ref, next)]);
    return { from: current.revision, changes: valuesDiff(current.values, next.values, inSecret) };
  };

  return {
    /** What an apply would do, object by object, with the changed paths of service updates. */
    async plan(p: SwarmDeployParams): Promise<Plan> {
      const { values, spec } = render(p);
      return withApi(p.endpoint, async (api) => {
        const plan = (await compute(api, p, spec)).plan;
        const next = { revision: 0, appliedAt: '', values, spec, ...(p.template ? { template: p.template } : {}) };
        return { ...plan, values: valuesOf(p, await readCurrentRevision(api, p.stack), next) };
      });
    },

    /** What a rollback to revision N would do, with nothing applied. */
    async rollbackPlan(ref: SwarmStackRef & { revision: number; provided?: ProvidedSecrets }): Promise<Plan> {
      const { target, current } = await findRevision(ref);
      const { spec } = render(replay(ref, target));
      return withApi(ref.endpoint, async (api) => ({
        ...(await compute(api, ref, spec)).plan,
        values: valuesOf(ref, current, target),
        rollbackTo: ref.revision,
      }));
    },

    /** Records how the newest revision's rollout ended (once); true when it recorded. */
    async recordRollout(ref: SwarmStackRef & { outcome: 'healthy' | 'failed' }): Promise<boolean> {
      return withApi(ref.endpoint, (api) => recordRollout(api, ref.stack, ref.outcome));
    },

    /** Creates and updates the stack; removes what it no longer renders only when prune is confirmed. */
    apply,

    /** Recorded revisions, newest first; the newest is current. */
    async revisions(ref: SwarmStackRef): Promise<Revision[]> {
      return withApi(ref.endpoint, async (api) => {
        // Each revision is rendered once, though it is compared with its predecessor and successor.
        const rendered = new Map<number, string[]>();
        const secretsOf = (r: RecordedSwarmRevision | undefined) => {
          if (!r) return [];
          const known = rendered.get(r.revision) ?? secretValuesOf(ref, r);
          rendered.set(r.revision, known);
          return known;
        };
        return toRevisionList(await readRevisions(api, ref.stack), (r, previous) =>
          secretValueTest([...secretsOf(r), ...secretsOf(previous)]),
        );
      });
    },

    status,

    /**
     * Applies revision N's recorded values again (with the generated secrets kept and provided ones
     * resolved by the caller), prunes what it lacks, and records a new revision.
     */
    async rollback(ref: SwarmStackRef & { revision: number; provided?: ProvidedSecrets }): Promise<ApplyResult> {
      const { target } = await findRevision(ref);
      // Rendered from the catalog stack the revision was (a stack named unlike its catalog stack).
      return apply({ ...replay(ref, target), prune: true, rollbackOf: ref.revision });
    },

    /** Returns one service of the stack to its previous spec ('docker service rollback'). */
    async rollbackService(ref: SwarmStackRef & { service: string }): Promise<void> {
      await withApi(ref.endpoint, async (api) => {
        const services = await api.services(selector(ref.stack));
        const name = ref.service.startsWith(`${ref.stack}_`) ? ref.service : `${ref.stack}_${ref.service}`;
        const byComponent = services.filter((s) => componentOf(s) === ref.service);
        if (!services.some((s) => s.Spec.Name === name) && byComponent.length > 1) {
          // A component run one service per instance (stacks/swarm-instances.ts): which one is for the user to say.
          throw new HomeportError(
            'CONFLICT',
            `'${ref.service}' runs one service per instance (${byComponent.map((s) => s.Spec.Name).join(', ')}): ` +
              'roll back one of them by its name, or the stack to a revision',
          );
        }
        const svc = services.find((s) => s.Spec.Name === name) ?? byComponent[0];
        if (!svc) {
          throw new HomeportError(
            'NOT_FOUND',
            `Stack '${ref.stack}' has no service '${ref.service}' on ${ref.endpoint}`,
          );
        }
        if (jobOf(svc.Spec)) {
          throw new HomeportError(
            'CONFLICT',
            `'${svc.Spec.Name}' is a one-shot job: it runs once per spec and has no earlier version; ` +
              'roll the stack back to a revision instead',
          );
        }
        if (!svc.PreviousSpec) {
          throw new HomeportError('CONFLICT', `Service '${svc.Spec.Name}' has no previous version to roll back to`);
        }
        await updateService(api, svc.ID, (live) => live.Spec, true);
      });
    },

    /**
     * Removes the stack: services first, then (once their tasks have stopped) secrets, configs, the
     * network and the revisions. Volumes stay unless deleteVolumes.
     */
    async remove(ref: SwarmStackRef & { deleteVolumes: boolean }): Promise<UninstallResult> {
      return withApi(ref.endpoint, (api) => removeStack(api, ref.stack, ref.deleteVolumes));
    },
  };
}

export type SwarmDeployer = ReturnType<typeof createSwarmDeployer>;
