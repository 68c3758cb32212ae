/** What the UI offers to forward for a pod: its declared TCP ports and the Services that select it. */
import type { ForwardOptions } from '@shared/portforward-schemas';
import type { KubeGateway } from '../kube/kube-gateway';
import { podsPath, read, type Pod, type Service } from './targets';

export async function forwardOptions(gateway: KubeGateway, namespace: string, name: string): Promise<ForwardOptions> {
  const pod = await read<Pod>(
    gateway,
    `${podsPath(namespace)}/${encodeURIComponent(name)}`,
    `pod ${name} in namespace ${namespace}`,
  );
  const ports = (pod.spec?.containers ?? []).flatMap((c) =>
    (c.ports ?? [])
      // Port-forward carries TCP only.
      .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
      .map((p) => ({ container: c.name, ...(p.name ? { name: p.name } : {}), port: p.containerPort })),
  );
  const labels = pod.metadata?.labels ?? {};
  const { items } = await gateway.listAll<Service>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/services`);
  const services = items
    .filter((svc) => {
      const selector = Object.entries(svc.spec?.selector ?? {});
      return selector.length > 0 && selector.every(([k, v]) => labels[k] === v);
    })
    .map((svc) => ({
      name: svc.metadata?.name ?? '',
      ports: (svc.spec?.ports ?? [])
        .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
        .map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port })),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { ports, services };
}
