/**
 * Whether the cluster serves prometheus-operator's ServiceMonitors (monitoring.coreos.com/v1), by
 * API discovery: a bare k3s does not (404 for the group version), a cluster with
 * kube-prometheus-stack or prometheus-operator's CRDs does. Stacks then render a ServiceMonitor per
 * component with metrics instead of prometheus.io scrape annotations (RenderOptions.serviceMonitors).
 */
import { KubeRequestError, type KubeGateway } from '../kube/kube-gateway';
import { SERVICE_MONITORS } from './paths';

interface ApiResourceList {
  resources?: { name: string }[];
}

export async function servesServiceMonitors(gateway: Pick<KubeGateway, 'getJson'>): Promise<boolean> {
  try {
    const list = await gateway.getJson<ApiResourceList>(`/apis/${SERVICE_MONITORS.apiVersion}`);
    return (list.resources ?? []).some((r) => r.name === SERVICE_MONITORS.plural);
  } catch (err) {
    // Not served: the group version is unknown (404); a 403 means discovery itself is refused.
    if (err instanceof KubeRequestError && err.status === 404) return false;
    throw err;
  }
}
