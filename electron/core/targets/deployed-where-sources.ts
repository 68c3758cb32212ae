/** The revision records deployedWhere reads, from a Kubernetes cluster and from a Docker engine. */
import type { DockerClient } from '../docker/client';
import { isRevisionSecret, REVISION_LABEL } from '../deploy/revisions';
import type { KubeGateway } from '../kube/kube-gateway';
import { SWARM_STACK_LABEL } from '../stacks/swarm-spec';
import { MANAGED_BY, MANAGED_BY_LABEL, STACK_LABEL, type KubeObject } from '../stacks/types';
import { engineApi } from '../swarm/engine-api';

/** The revision Secrets in every namespace of the cluster, as (namespace, stack). */
export async function kubeRevisionRecords(gateway: KubeGateway): Promise<{ namespace: string; stack: string }[]> {
  try {
    // Every namespace at once (the deploy client's lists are per namespace).
    const selector = new URLSearchParams({ labelSelector: `${REVISION_LABEL},${MANAGED_BY_LABEL}=${MANAGED_BY}` });
    const { items } = await gateway.listAll<KubeObject>(`/api/v1/secrets?${selector}`);
    return items
      .map((s) => ({ ...s, kind: 'Secret' }))
      .filter(isRevisionSecret)
      .flatMap((s) => {
        const stack = s.metadata.labels?.[STACK_LABEL];
        return stack && s.metadata.namespace ? [{ namespace: s.metadata.namespace, stack }] : [];
      });
  } finally {
    gateway.close();
  }
}

/** The revision configs of the swarm, as the stacks they belong to. */
export async function swarmRevisionRecords(client: DockerClient): Promise<{ stack: string }[]> {
  try {
    const configs = await engineApi(client).configs(REVISION_LABEL);
    return configs.flatMap((c) => {
      const stack = c.Spec.Labels?.[SWARM_STACK_LABEL];
      return stack ? [{ stack }] : [];
    });
  } finally {
    client.close();
  }
}
