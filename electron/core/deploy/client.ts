/**
 * The few API calls a deploy makes, over one gateway. A 403 is re-thrown naming the RBAC
 * permission that was missing ('create deployments.apps in namespace media').
 */
import { KubeRequestError, type KubeGateway } from '../kube/kube-gateway';
import type { KubeObject } from '../stacks/types';
import { collectionPath, objectPath, type ResourceInfo } from './paths';

export const FIELD_MANAGER = 'homeport';

const resourceName = (info: ResourceInfo) => {
  const group = info.apiVersion.includes('/') ? info.apiVersion.split('/')[0] : '';
  return group ? `${info.plural}.${group}` : info.plural;
};

export function createDeployClient(gateway: KubeGateway) {
  async function call<T>(verb: string, info: ResourceInfo, namespace: string | undefined, fn: () => Promise<T>) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof KubeRequestError && err.status === 403) {
        const where = info.namespaced ? ` in namespace '${namespace ?? ''}'` : ' (cluster-wide)';
        throw new KubeRequestError(
          err.reason,
          `${err.message} The deploy needs permission to ${verb} ${resourceName(info)}${where}.`,
          403,
        );
      }
      throw err;
    }
  }

  return {
    gateway,
    /** The object, or undefined when it does not exist. */
    get(info: ResourceInfo, name: string, namespace?: string): Promise<KubeObject | undefined> {
      return call('get', info, namespace, () =>
        gateway.getJson<KubeObject>(objectPath(info, name, namespace)).catch((err: unknown) => {
          if (err instanceof KubeRequestError && err.status === 404) return undefined;
          throw err;
        }),
      );
    },
    async list(info: ResourceInfo, namespace: string | undefined, query: Record<string, string> = {}) {
      const params = new URLSearchParams(query).toString();
      const path = `${collectionPath(info, namespace)}${params ? `?${params}` : ''}`;
      const { items } = await call('list', info, namespace, () => gateway.listAll<KubeObject>(path));
      return items;
    },
    /** Server-side apply as field manager homeport, taking over conflicting fields. */
    apply(info: ResourceInfo, o: KubeObject, opts: { dryRun: boolean }): Promise<KubeObject> {
      const q = `fieldManager=${FIELD_MANAGER}&force=true${opts.dryRun ? '&dryRun=All' : ''}`;
      return call('patch', info, o.metadata.namespace, () =>
        gateway.request<KubeObject>(`${objectPath(info, o.metadata.name, o.metadata.namespace)}?${q}`, {
          method: 'PATCH',
          body: o,
          contentType: 'application/apply-patch+yaml',
        }),
      );
    },
    /** A JSON merge patch (annotations of a revision Secret). */
    patch(info: ResourceInfo, name: string, namespace: string | undefined, body: unknown): Promise<KubeObject> {
      return call('patch', info, namespace, () =>
        gateway.request<KubeObject>(objectPath(info, name, namespace), {
          method: 'PATCH',
          body,
          contentType: 'application/merge-patch+json',
        }),
      );
    },
    create(info: ResourceInfo, o: KubeObject): Promise<KubeObject> {
      return call('create', info, o.metadata.namespace, () =>
        gateway.request<KubeObject>(collectionPath(info, o.metadata.namespace), { method: 'POST', body: o }),
      );
    },
    /** Deletes in the background (dependents follow); true when it existed. */
    delete(info: ResourceInfo, name: string, namespace?: string): Promise<boolean> {
      return call('delete', info, namespace, () =>
        gateway.request(`${objectPath(info, name, namespace)}?propagationPolicy=Background`, { method: 'DELETE' }).then(
          () => true,
          (err: unknown) => {
            if (err instanceof KubeRequestError && err.status === 404) return false;
            throw err;
          },
        ),
      );
    },
  };
}

export type DeployClient = ReturnType<typeof createDeployClient>;
