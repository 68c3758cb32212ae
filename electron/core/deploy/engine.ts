/**
 * The deploy engine: plans, applies (server-side apply as field manager homeport), prunes, records
 * revisions, rolls back and uninstalls the stacks of the catalog, and follows their rollouts.
 */
import type { ApplyResult, Plan, PlanItem, Revision, RolloutStatus, UninstallResult } from '@shared/deploy-schemas';
import { secretValueTest, valuesDiff } from '@shared/plan-diff';
import { HomeportError } from '../errors';
import type { KubeGateway } from '../kube/kube-gateway';
import { providedSecretAnnotations } from '../stacks/kubernetes';
import type { ProvidedSecrets } from '../stacks/model';
import { ValuesError } from '../stacks/values-error';
import { MANAGED_BY, MANAGED_BY_LABEL, STACK_LABEL, type KubeObject, type StackCatalog } from '../stacks/types';
import { createDeployClient, type DeployClient } from './client';
import { changedFields } from './diff';
import { planYaml, secretDataValues } from './plan-yaml';
import { servesServiceMonitors } from './monitoring';
import { known, resourceOf, SERVICE_MONITORS, STACK_KINDS, type ResourceInfo } from './paths';
import {
  isRevisionSecret,
  listRevisionSecrets,
  readRevisions,
  recordRevision,
  localAuthor,
  recordRollout,
  REVISION_LABEL,
  toRevisionList,
  type RecordedRevision,
  type RevisionAuthor,
} from './revisions';
import { readRolloutStatus } from './rollout';
import {
  defaultRandomSecret,
  fillGenerated,
  fillProvided,
  fillTemplates,
  missingProvided,
  rollingSecretValues,
  stampProvidedHash,
  templateSources,
} from './secrets';

/** On cluster-scoped objects (PersistentVolumes): the namespace of the stack they belong to. */
export const NAMESPACE_LABEL = 'homeport.dev/namespace';

export interface StackRef {
  context: string;
  namespace: string;
  stack: string;
}
export interface DeployParams extends StackRef {
  values: unknown;
  /**
   * Secret values Homeport provides (resolveStackReferences: a saved S3 profile's keys), by Secret
   * name and key. Each becomes a Secret of the stack; they never reach the revision or the plan.
   */
  provided?: ProvidedSecrets;
  /**
   * Generated Secret values from a backup being restored, by Secret name and key: used for a key
   * the live Secret does not have yet instead of a fresh random value. Never recorded.
   */
  restored?: ProvidedSecrets;
}

export interface DeployEngineDeps {
  openGateway(context: string): Promise<KubeGateway>;
  catalog: StackCatalog;
  now?: () => Date;
  /** A fresh value for a generated Secret key (default: 32 random bytes, base64url). */
  randomSecret?: () => string;
  /** Who applies, recorded on each revision (default: field manager homeport, this host and OS user). */
  author?: () => RevisionAuthor;
}

interface Planned {
  info: ResourceInfo;
  /** With generated Secret keys filled: only ever sent to the API server. */
  object: KubeObject;
  action: PlanItem['action'];
}
interface Computed {
  plan: Plan;
  namespaceMissing: boolean;
  objects: Planned[];
  prune: { info: ResourceInfo; object: KubeObject }[];
}

const NAMESPACES = known('Namespace');
const PVCS = known('PersistentVolumeClaim');
const SECRETS = known('Secret');
const label = (o: Pick<KubeObject, 'kind' | 'metadata'>) => `${o.kind}/${o.metadata.name}`;
const keyOf = (kind: string, name: string) => `${kind}/${name}`;

/** A Secret's restored values as if they were live, so fillGenerated keeps them. */
function restoredAsLive(o: KubeObject, restored: ProvidedSecrets | undefined): KubeObject | undefined {
  const values = o.kind === 'Secret' ? restored?.[o.metadata.name] : undefined;
  if (!values) return undefined;
  const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { ...o, data };
}

export function createDeployEngine(deps: DeployEngineDeps) {
  const now = deps.now ?? (() => new Date());
  const randomSecret = deps.randomSecret ?? defaultRandomSecret;
  const author = deps.author ?? localAuthor;
  const selector = (stack: string) => `${STACK_LABEL}=${stack},${MANAGED_BY_LABEL}=${MANAGED_BY}`;

  async function withClient<R>(context: string, fn: (client: DeployClient) => Promise<R>): Promise<R> {
    const gateway = await deps.openGateway(context);
    try {
      return await fn(createDeployClient(gateway));
    } finally {
      gateway.close();
    }
  }

  /**
   * Validates and renders; throws ValuesError (and fails on missing provided keys) before anything
   * reaches the cluster. serviceMonitors: the cluster serves them (renderFor).
   */
  function render(p: DeployParams, serviceMonitors = false): { values: unknown; manifest: KubeObject[] } {
    const result = deps.catalog.validate(p.stack, p.values);
    if (!result.ok) throw new ValuesError(result.issues);
    const rendered = deps.catalog.renderKubernetes(p.stack, result.values, {
      namespace: p.namespace,
      serviceMonitors,
    });
    const manifest = withProvidedSecrets(rendered.objects, p, p.provided);
    checkProvided(p, manifest, p.provided);
    return { values: result.values, manifest };
  }

  /**
   * The manifest with a Secret for each provided secret the stack does not render itself (the
   * stack's own ones already list their provided keys). They carry no data: compute fills it.
   */
  function withProvidedSecrets(manifest: KubeObject[], ref: StackRef, provided: ProvidedSecrets | undefined) {
    const rendered = new Set(manifest.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name));
    const extra: KubeObject[] = Object.keys(provided ?? {})
      .filter((name) => !rendered.has(name))
      .sort()
      .map((name) => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name,
          namespace: ref.namespace,
          labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [STACK_LABEL]: ref.stack },
          annotations: providedSecretAnnotations(Object.keys(provided?.[name] ?? {})),
        },
        type: 'Opaque',
      }));
    if (extra.length === 0) return manifest;
    // Secrets go before the workloads that read them.
    const at = manifest.findIndex((o) => o.kind === 'Secret');
    const i = at >= 0 ? at : 0;
    return [...manifest.slice(0, i), ...extra, ...manifest.slice(i)];
  }

  /** Every provided key a Secret of the manifest lists must be given; names only in the message. */
  function checkProvided(ref: StackRef, manifest: KubeObject[], provided: ProvidedSecrets | undefined) {
    const missing = missingProvided(manifest, provided);
    if (missing.length === 0) return;
    throw new HomeportError(
      'INVALID_INPUT',
      `Stack '${ref.stack}' needs secret keys Homeport provides from its store, which were not given: ` +
        `${missing.join(', ')}; resolve the stack's references (saved S3 profile) and pass them as provided`,
    );
  }

  /** The object as Homeport applies it: in the stack's namespace, with the stack's labels. */
  function prepare(o: KubeObject, info: ResourceInfo, ref: StackRef): KubeObject {
    const labels: Record<string, string> = { ...o.metadata.labels, [STACK_LABEL]: ref.stack };
    labels[MANAGED_BY_LABEL] = MANAGED_BY;
    const metadata = { ...o.metadata, labels };
    if (info.namespaced) metadata.namespace = ref.namespace;
    else {
      delete metadata.namespace;
      labels[NAMESPACE_LABEL] = ref.namespace;
    }
    const spec = o.spec as { volumeClaimTemplates?: { metadata?: { labels?: Record<string, string> } }[] } | undefined;
    if (o.kind === 'StatefulSet' && spec?.volumeClaimTemplates) {
      // The claims a StatefulSet makes carry its templates' labels: so they are found as the stack's.
      const stackLabels = { [STACK_LABEL]: ref.stack, [MANAGED_BY_LABEL]: MANAGED_BY };
      const volumeClaimTemplates = spec.volumeClaimTemplates.map((t) => ({
        ...t,
        metadata: { ...t.metadata, labels: { ...t.metadata?.labels, ...stackLabels } },
      }));
      return { ...o, metadata, spec: { ...spec, volumeClaimTemplates } };
    }
    return { ...o, metadata };
  }

  /**
   * The stack rendered for this cluster: with ServiceMonitors when it serves them (API discovery),
   * checked first without a request (render).
   */
  async function renderFor(client: DeployClient, p: DeployParams) {
    const checked = render(p);
    return (await servesServiceMonitors(client.gateway)) ? render(p, true) : checked;
  }

  /**
   * Live objects of the stack across every kind it can render (revision Secrets aside), the
   * ServiceMonitors too where the cluster serves them. Jobs a CronJob of the stack started carry its
   * labels but are the CronJob's, not the stack's.
   */
  async function liveStackObjects(client: DeployClient, ref: StackRef, extra: ResourceInfo[] = []) {
    const optional = (await servesServiceMonitors(client.gateway)) ? [SERVICE_MONITORS] : [];
    const kinds = [...STACK_KINDS, ...optional];
    for (const x of extra) if (!kinds.some((k) => k.kind === x.kind)) kinds.push(x);
    const out: { info: ResourceInfo; object: KubeObject }[] = [];
    for (const info of kinds) {
      const labelSelector = info.namespaced
        ? selector(ref.stack)
        : `${selector(ref.stack)},${NAMESPACE_LABEL}=${ref.namespace}`;
      const items = await client.list(info, info.namespaced ? ref.namespace : undefined, { labelSelector });
      for (const object of items) {
        if (isRevisionSecret({ ...object, kind: info.kind })) continue;
        const owners = (object.metadata.ownerReferences ?? []) as { kind?: string }[];
        if (info.kind === 'Job' && owners.some((o) => o.kind === 'CronJob')) continue;
        out.push({ info, object: { ...object, apiVersion: info.apiVersion, kind: info.kind } });
      }
    }
    return out;
  }

  /** Tells whether a claim was made by a StatefulSet from a volumeClaimTemplate, not by the stack. */
  function statefulSetClaims(statefulSets: KubeObject[]): (pvc: KubeObject) => boolean {
    const patterns = statefulSets.flatMap((s) =>
      (
        ((s.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] } | undefined)?.volumeClaimTemplates ??
          []) as { metadata?: { name?: string } }[]
      )
        .map((t) => t.metadata?.name)
        .filter((n): n is string => !!n)
        .map((t) => new RegExp(`^${escapeRegExp(`${t}-${s.metadata.name}-`)}\\d+$`)),
    );
    return (pvc) =>
      patterns.some((p) => p.test(pvc.metadata.name)) ||
      ((pvc.metadata.ownerReferences ?? []) as { kind?: string }[]).some((r) => r.kind === 'StatefulSet');
  }

  async function compute(
    client: DeployClient,
    ref: StackRef,
    manifest: KubeObject[],
    provided: ProvidedSecrets | undefined,
    restored?: ProvidedSecrets,
  ): Promise<Computed> {
    const namespaceMissing = !(await client.get(NAMESPACES, ref.namespace));
    const items: PlanItem[] = [];
    if (namespaceMissing)
      items.push({ apiVersion: 'v1', kind: 'Namespace', name: ref.namespace, action: 'create', changedFields: [] });
    const objects: Planned[] = [];
    const filled: { info: ResourceInfo; o: KubeObject; live: KubeObject | undefined; object: KubeObject }[] = [];
    for (const rendered of manifest) {
      const info = await resourceOf(client.gateway, rendered);
      const o = prepare(rendered, info, ref);
      const live =
        namespaceMissing && info.namespaced ? undefined : await client.get(info, o.metadata.name, o.metadata.namespace);
      const object = fillProvided(fillGenerated(o, live ?? restoredAsLive(o, restored), randomSecret), provided);
      filled.push({ info, o, live, object });
    }
    const lookup = await secretValues(
      client,
      ref,
      filled.map((f) => f.object),
      namespaceMissing,
    );
    const withTemplates = filled.map((f) => fillTemplates(f.object, lookup));
    // Pods take Secret values at start: a workload reading provided keys, directly or through a
    // config file assembled from them, carries a hash of those values so a rotation rolls it.
    const rolling = rollingSecretValues(withTemplates, provided);
    for (const [i, { info, o, live }] of filled.entries()) {
      const object = stampProvidedHash(withTemplates[i] as KubeObject, rolling);
      let action: PlanItem['action'] = 'create';
      let changed: string[] = [];
      let desired: KubeObject = object;
      // A dry run inside a namespace that does not exist yet would only answer 404.
      if (!namespaceMissing || !info.namespaced) {
        const result = await client.apply(info, object, { dryRun: true });
        desired = result;
        if (live) {
          changed = changedFields(live, result);
          action = changed.length > 0 ? 'update' : 'unchanged';
        }
      }
      const yaml = action === 'unchanged' ? {} : planYaml(live, desired);
      objects.push({ info, object, action });
      items.push({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        ...(info.namespaced ? { namespace: ref.namespace } : {}),
        action,
        changedFields: changed,
        ...yaml,
      });
    }
    const prune: Computed['prune'] = [];
    let revision = 1;
    if (!namespaceMissing) {
      const rendered = new Set(objects.map((x) => keyOf(x.info.kind, x.object.metadata.name)));
      const live = await liveStackObjects(
        client,
        ref,
        objects.map((x) => x.info),
      );
      const isClaim = statefulSetClaims([
        ...live.filter((x) => x.info.kind === 'StatefulSet').map((x) => x.object),
        ...objects.filter((x) => x.info.kind === 'StatefulSet').map((x) => x.object),
      ]);
      for (const x of live) {
        if (rendered.has(keyOf(x.info.kind, x.object.metadata.name))) continue;
        if (x.info.kind === 'PersistentVolumeClaim' && isClaim(x.object)) continue;
        prune.push(x);
        items.push({
          apiVersion: x.info.apiVersion,
          kind: x.info.kind,
          name: x.object.metadata.name,
          ...(x.info.namespaced ? { namespace: ref.namespace } : {}),
          action: 'prune',
          changedFields: [],
          ...planYaml(x.object, undefined),
        });
      }
      const numbers = (await listRevisionSecrets(client, ref.namespace, ref.stack)).map((s) =>
        Number(s.metadata.labels?.[REVISION_LABEL]),
      );
      revision = Math.max(0, ...numbers.filter(Number.isInteger)) + 1;
    }
    return {
      plan: {
        target: { kind: 'kubernetes', context: ref.context, namespace: ref.namespace },
        stack: ref.stack,
        revision,
        items,
      },
      namespaceMissing,
      objects,
      prune,
    };
  }

  /**
   * Where template keys get their values: the manifest's own Secrets once filled, then the existing
   * Secrets of the namespace that the templates read (an existing S3 credentials Secret). Values
   * stay in memory for the apply; nothing is kept.
   */
  async function secretValues(
    client: DeployClient,
    ref: StackRef,
    objects: KubeObject[],
    namespaceMissing: boolean,
  ): Promise<(secret: string, key: string) => string | undefined> {
    const data = new Map<string, Record<string, string>>();
    for (const o of objects)
      if (o.kind === 'Secret') data.set(o.metadata.name, (o.data ?? {}) as Record<string, string>);
    for (const name of templateSources(objects)) {
      const live = namespaceMissing ? undefined : await client.get(SECRETS, name, ref.namespace);
      if (live) data.set(name, (live.data ?? {}) as Record<string, string>);
    }
    return (secret, key) => {
      const v = data.get(secret)?.[key];
      return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
    };
  }

  async function applyManifest(
    client: DeployClient,
    ref: StackRef,
    values: unknown,
    manifest: KubeObject[],
    prune: boolean,
    provided: ProvidedSecrets | undefined,
    restored?: ProvidedSecrets,
    rollbackOf?: number,
  ): Promise<ApplyResult> {
    const c = await compute(client, ref, manifest, provided, restored);
    if (c.namespaceMissing) {
      await client
        .create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ref.namespace } })
        .catch((err: unknown) => {
          if ((err as { status?: number }).status !== 409) throw err;
        });
    }
    for (const x of c.objects) if (x.action !== 'unchanged') await client.apply(x.info, x.object, { dryRun: false });
    const pruned: string[] = [];
    const leftOver: string[] = [];
    for (const x of c.prune) {
      if (!prune) leftOver.push(label(x.object));
      else {
        await client.delete(x.info, x.object.metadata.name, x.info.namespaced ? ref.namespace : undefined);
        pruned.push(label(x.object));
      }
    }
    // The manifest as rendered, generated and provided Secret values left out.
    const recorded = c.objects.map((x, i) => prepare(manifest[i] as KubeObject, x.info, ref));
    await recordRevision(client, ref.stack, ref.namespace, {
      revision: c.plan.revision,
      appliedAt: now().toISOString(),
      values,
      manifest: recorded,
      by: author(),
      ...(rollbackOf !== undefined ? { rollbackOf } : {}),
    });
    return { revision: c.plan.revision, plan: c.plan, pruned, leftOver };
  }

  /** Revision N of the stack, or a NOT_FOUND naming the revisions it has; all of them, newest first. */
  async function findRevision(client: DeployClient, ref: StackRef & { revision: number }) {
    const all = await readRevisions(client, ref.namespace, ref.stack);
    const target = all.find((r) => r.revision === ref.revision);
    if (!target) {
      const known = all.map((r) => r.revision).join(', ');
      throw new HomeportError(
        'NOT_FOUND',
        `Stack '${ref.stack}' in namespace '${ref.namespace}' has no revision ${ref.revision}` +
          (known ? `; its revisions are ${known}` : '; it has no recorded revisions'),
      );
    }
    return { target, current: all[0] as RecordedRevision };
  }

  /** The values diff of a plan: the live revision's values against the new ones. */
  const valuesOf = (
    current: RecordedRevision | undefined,
    values: unknown,
    manifest: KubeObject[],
  ): NonNullable<Plan['values']> => {
    if (!current) return { changes: [] };
    // A value the manifests store in a Secret (an admin user name) is masked like a password.
    const inSecret = secretValueTest(secretDataValues([...current.manifest, ...manifest]));
    return { from: current.revision, changes: valuesDiff(current.values, values, inSecret) };
  };

  async function rolloutStatus(ref: StackRef): Promise<RolloutStatus> {
    return withClient(ref.context, (client) => readRolloutStatus(client, ref.namespace, ref.stack));
  }

  return {
    /** What an apply would do, object by object, with the changed fields of updates. */
    async plan(p: DeployParams): Promise<Plan> {
      render(p);
      return withClient(p.context, async (client) => {
        const { values, manifest } = await renderFor(client, p);
        const plan = (await compute(client, p, manifest, p.provided)).plan;
        const [current] = await readRevisions(client, p.namespace, p.stack);
        return { ...plan, values: valuesOf(current, values, manifest) };
      });
    },

    /** Applies the stack; deletes objects it no longer renders only when prune is confirmed. */
    async apply(p: DeployParams & { prune: boolean }): Promise<ApplyResult> {
      render(p);
      return withClient(p.context, async (client) => {
        const { values, manifest } = await renderFor(client, p);
        return applyManifest(client, p, values, manifest, p.prune, p.provided, p.restored);
      });
    },

    /** Recorded revisions, newest first; the newest is current. */
    async revisions(ref: StackRef): Promise<Revision[]> {
      return withClient(ref.context, async (client) =>
        toRevisionList(await readRevisions(client, ref.namespace, ref.stack)),
      );
    },

    /**
     * Re-applies revision N's recorded manifest, prunes what it lacks, and records a new revision.
     * Revisions hold no provided values, only the references they came from (the values name the
     * S3 profile): when the revision has provided Secrets, the caller resolves the revision's values
     * again and passes `provided`, else the rollback fails naming the missing keys.
     */
    async rollback(ref: StackRef & { revision: number; provided?: ProvidedSecrets }): Promise<ApplyResult> {
      return withClient(ref.context, async (client) => {
        const { target } = await findRevision(client, ref);
        checkProvided(ref, target.manifest, ref.provided);
        return applyManifest(client, ref, target.values, target.manifest, true, ref.provided, undefined, ref.revision);
      });
    },

    /** What a rollback to revision N would do (its prunes included), with nothing applied. */
    async rollbackPlan(ref: StackRef & { revision: number; provided?: ProvidedSecrets }): Promise<Plan> {
      return withClient(ref.context, async (client) => {
        const { target, current } = await findRevision(client, ref);
        checkProvided(ref, target.manifest, ref.provided);
        const plan = (await compute(client, ref, target.manifest, ref.provided)).plan;
        return { ...plan, values: valuesOf(current, target.values, target.manifest), rollbackTo: ref.revision };
      });
    },

    /** Records how the newest revision's rollout ended (once); true when it recorded. */
    async recordRollout(ref: StackRef & { outcome: 'healthy' | 'failed' }): Promise<boolean> {
      return withClient(ref.context, (client) => recordRollout(client, ref.namespace, ref.stack, ref.outcome));
    },

    /**
     * Deletes every object of the stack and its revisions. Claims (and the stack's volumes bound to
     * them) stay unless deleteClaims; with it, the claims of the stack's StatefulSets go too.
     */
    async uninstall(ref: StackRef & { deleteClaims: boolean }): Promise<UninstallResult> {
      return withClient(ref.context, async (client) => {
        const live = await liveStackObjects(client, ref);
        const statefulSets = live.filter((x) => x.info.kind === 'StatefulSet').map((x) => x.object);
        const isClaim = statefulSetClaims(statefulSets);
        const stackClaims = new Set(
          live.filter((x) => x.info.kind === 'PersistentVolumeClaim').map((x) => label(x.object)),
        );
        // Claims made from the StatefulSets' templates, whether or not they carry the stack's labels.
        const templateClaims = statefulSets.length
          ? (await client.list(PVCS, ref.namespace))
              .map((o) => ({ ...o, kind: 'PersistentVolumeClaim' }))
              .filter((o) => isClaim(o) && !stackClaims.has(label(o)))
          : [];
        const claims = [
          ...live.filter((x) => x.info.kind === 'PersistentVolumeClaim').map((x) => x.object),
          ...templateClaims,
        ];
        const keptClaims = new Set(ref.deleteClaims ? [] : claims.map((c) => c.metadata.name));
        const deleted: string[] = [];
        const kept: string[] = [];
        const remove = async (info: ResourceInfo, o: KubeObject) => {
          if (await client.delete(info, o.metadata.name, info.namespaced ? ref.namespace : undefined))
            deleted.push(label({ ...o, kind: info.kind }));
        };
        for (const x of live) {
          if (x.info.kind === 'PersistentVolumeClaim') {
            if (ref.deleteClaims) await remove(x.info, x.object);
            else kept.push(label(x.object));
            continue;
          }
          if (x.info.kind === 'PersistentVolume') {
            const claimRef = (x.object.spec as { claimRef?: { name?: string; namespace?: string } } | undefined)
              ?.claimRef;
            if (claimRef?.namespace === ref.namespace && keptClaims.has(claimRef.name ?? '')) {
              kept.push(label(x.object));
              continue;
            }
          }
          await remove(x.info, x.object);
        }
        for (const c of templateClaims) {
          if (ref.deleteClaims) await remove(PVCS, c);
          else kept.push(label(c));
        }
        for (const s of await listRevisionSecrets(client, ref.namespace, ref.stack)) await remove(SECRETS, s);
        return { deleted, kept };
      });
    },

    rolloutStatus,
  };
}

export type DeployEngine = ReturnType<typeof createDeployEngine>;

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
