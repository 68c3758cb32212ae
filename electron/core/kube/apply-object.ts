/**
 * Edit and apply one object with server-side apply (field manager `homeport`, not forced): a field
 * another manager owns comes back as a conflict to show, not overwritten. The API server's 409
 * message names each field and manager (k8s.io/apimachinery/pkg/util/managedfields/internal/
 * conflict.go, getConflictMessage); it is read from the message because the gateway's error keeps
 * the Status message, not its details.
 */
import { parseAllDocuments, stringify } from 'yaml';
import type { ApplyObjectResult } from '@shared/resource-action-schemas';
import { HomeportError } from '../errors';
import type { KubeGateway } from './kube-gateway';
import { KubeRequestError } from './kube-errors';

export const FIELD_MANAGER = 'homeport';

type Gateway = Pick<KubeGateway, 'request'>;

interface Discovered {
  plural: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

async function resourceFor(g: Gateway, apiVersion: string, kind: string): Promise<Discovered> {
  const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  let list: ApiResourceList;
  try {
    list = await g.request<ApiResourceList>(path, { method: 'GET' });
  } catch (err) {
    if (err instanceof KubeRequestError && err.status === 404)
      throw new HomeportError(
        'INVALID_INPUT',
        `apiVersion: the cluster serves no ${apiVersion}. Check the apiVersion.`,
      );
    throw err;
  }
  const found = (list.resources ?? []).find((r) => r.kind === kind && !r.name.includes('/'));
  if (!found)
    throw new HomeportError(
      'INVALID_INPUT',
      `kind: ${apiVersion} has no kind ${kind}. Check the spelling (it is case-sensitive).`,
    );
  return { plural: found.name, namespaced: found.namespaced };
}

function objectPath(apiVersion: string, r: Discovered, namespace: string | undefined, name: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? '')}` : '';
  return `${base}${ns}/${r.plural}/${encodeURIComponent(name)}`;
}

interface Parsed {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Reads the editor's text: one object with apiVersion, kind and metadata.name, or an error naming the field. */
export function parseObjectYaml(text: string): Parsed {
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
  if (docs.length !== 1)
    throw new HomeportError('INVALID_INPUT', `YAML: give exactly one object (found ${docs.length}).`);
  const [doc] = docs;
  if (!doc || doc.errors.length > 0)
    throw new HomeportError('INVALID_INPUT', `YAML: ${doc?.errors[0]?.message ?? 'not valid'}. Fix the line it names.`);
  const o = doc.toJSON() as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
  if (typeof o !== 'object' || o === null) throw new HomeportError('INVALID_INPUT', 'YAML: the object must be a map.');
  if (typeof o.apiVersion !== 'string' || !o.apiVersion)
    throw new HomeportError('INVALID_INPUT', 'apiVersion: required (for example apps/v1).');
  if (typeof o.kind !== 'string' || !o.kind)
    throw new HomeportError('INVALID_INPUT', 'kind: required (for example Deployment).');
  if (typeof o.metadata?.name !== 'string' || !o.metadata.name)
    throw new HomeportError('INVALID_INPUT', 'metadata.name: required: name the object to apply.');
  const namespace = typeof o.metadata.namespace === 'string' ? o.metadata.namespace : undefined;
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(namespace ? { namespace } : {}) };
}

/** The conflicts of a 409 apply answer: `conflict with "m" ...: .f`, or one `conflicts with "m" ...:` line per manager. */
export function parseConflicts(message: string): { field: string; manager: string }[] {
  const single = /Apply failed with 1 conflict: conflict with "([^"]+)"[^:]*: (\S+)/.exec(message);
  if (single) return [{ manager: single[1] ?? '', field: single[2] ?? '' }];
  const out: { field: string; manager: string }[] = [];
  let manager = '';
  for (const line of message.split('\n')) {
    const head = /conflicts with "([^"]+)"/.exec(line);
    if (head) manager = head[1] ?? '';
    const field = /^- (\S+)/.exec(line.trim());
    if (field && manager) out.push({ manager, field: field[1] ?? '' });
  }
  return out;
}

export async function applyObject(g: Gateway, text: string, force: boolean): Promise<ApplyObjectResult> {
  const o = parseObjectYaml(text);
  const r = await resourceFor(g, o.apiVersion, o.kind);
  if (r.namespaced && !o.namespace)
    throw new HomeportError('INVALID_INPUT', `metadata.namespace: a ${o.kind} lives in a namespace; name it.`);
  const path = `${objectPath(o.apiVersion, r, o.namespace, o.name)}?fieldManager=${FIELD_MANAGER}&force=${force}`;
  try {
    const applied = await g.request<{ metadata?: { resourceVersion?: string } }>(path, {
      method: 'PATCH',
      contentType: 'application/apply-patch+yaml',
      body: text,
    });
    return {
      result: 'applied',
      kind: o.kind,
      name: o.name,
      ...(r.namespaced ? { namespace: o.namespace } : {}),
      ...(applied.metadata?.resourceVersion ? { resourceVersion: applied.metadata.resourceVersion } : {}),
    };
  } catch (err) {
    if (err instanceof KubeRequestError && err.status === 409) {
      const message = err.message.replace(/^.*?answered HTTP 409 for \S+: /, '');
      const conflicts = parseConflicts(message);
      if (conflicts.length > 0) return { result: 'conflicts', message, conflicts };
    }
    throw err;
  }
}

/** Fields the API server owns or that apply must not send back. */
function forEditing(o: Record<string, unknown>): Record<string, unknown> {
  const meta = { ...(o.metadata as Record<string, unknown>) };
  for (const k of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'])
    delete meta[k];
  const annotations = meta.annotations as Record<string, string> | undefined;
  if (annotations?.['kubectl.kubernetes.io/last-applied-configuration']) {
    const rest = { ...annotations };
    delete rest['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(rest).length > 0) meta.annotations = rest;
    else delete meta.annotations;
  }
  const out: Record<string, unknown> = { ...o, metadata: meta };
  delete out.status;
  return out;
}

/** The object as YAML to edit. Secrets are refused: their values would land in the editor. */
export async function objectYaml(
  g: Gateway,
  ref: { apiVersion: string; kind: string; namespace?: string; name: string },
): Promise<string> {
  if (ref.apiVersion === 'v1' && ref.kind === 'Secret')
    throw new HomeportError(
      'FORBIDDEN',
      `Secret ${ref.namespace}/${ref.name}: Homeport does not open Secrets in the editor, so their values never show. Reveal a key from the Secret's view instead.`,
    );
  const r = await resourceFor(g, ref.apiVersion, ref.kind);
  const o = await g.request<Record<string, unknown>>(objectPath(ref.apiVersion, r, ref.namespace, ref.name), {
    method: 'GET',
  });
  return stringify(forEditing({ ...o, apiVersion: ref.apiVersion, kind: ref.kind }));
}
