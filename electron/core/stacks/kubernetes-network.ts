/**
 * Network rules of a component or one-shot job as one NetworkPolicy: who may connect to it
 * (`acceptsFrom`, policy type Ingress) and where it may connect to (`connectsTo`, policy type
 * Egress). A pod selected by a policy of a type allows only what that policy lists, so egress
 * always allows name resolution, and a component that talks to the API server (leader election)
 * may reach it.
 */
import type { EgressRule } from './model';
import type { KubeObject } from './types';

/**
 * The cluster DNS pods: k3s's CoreDNS Deployment labels its pods `k8s-app: kube-dns` in kube-system
 * (k3s-io/k3s@66c487b manifests/coredns.yaml, Deployment coredns, spec.template.metadata.labels), as
 * kubeadm's does. Namespaces carry `kubernetes.io/metadata.name` since Kubernetes 1.22.
 */
export const DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/** Addresses outside the cluster's and the home network's private ranges (RFC 1918). */
export const PUBLIC_INTERNET = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] };

/**
 * The API server: the `kubernetes` Service's port 443 is translated to the server's own address
 * and port (6443 on k3s) before policies apply, and that address is the node's, so it can only be
 * allowed by port.
 */
const API_SERVER_PORTS = [443, 6443];

export interface NetworkPolicyInput {
  /** Object metadata (name, namespace, labels). */
  metadata: KubeObject['metadata'];
  /** Labels of the pods the policy applies to. */
  podLabels: Record<string, string>;
  /** Labels every pod of the stack carries, and the label naming its component or job. */
  stackLabels: Record<string, string>;
  nameLabel: string;
  /** Components allowed in, on `ports`; undefined: no ingress rules. */
  acceptsFrom?: { from: string[]; ports: number[] };
  /** Where the pods may connect to; undefined: no egress rules. */
  connectsTo?: EgressRule[];
  /** The pods talk to the API server (leader election). */
  apiServer?: boolean;
}

const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: 'TCP', port }));

function egressRule(e: EgressRule, input: NetworkPolicyInput): Record<string, unknown> {
  const peer =
    'component' in e
      ? { podSelector: { matchLabels: { ...input.stackLabels, [input.nameLabel]: e.component } } }
      : { ipBlock: e.cidr ? { cidr: e.cidr } : PUBLIC_INTERNET };
  // No ports: every port of the peer.
  return e.ports.length > 0 ? { to: [peer], ports: tcp(e.ports) } : { to: [peer] };
}

export function renderNetworkPolicy(input: NetworkPolicyInput): KubeObject {
  const policyTypes: string[] = [];
  const spec: Record<string, unknown> = { podSelector: { matchLabels: input.podLabels }, policyTypes };
  if (input.acceptsFrom) {
    policyTypes.push('Ingress');
    const from = [...input.acceptsFrom.from].sort();
    spec.ingress =
      from.length === 0
        ? []
        : [
            {
              from: [
                {
                  podSelector: {
                    matchLabels: input.stackLabels,
                    matchExpressions: [{ key: input.nameLabel, operator: 'In', values: from }],
                  },
                },
              ],
              ports: tcp(input.acceptsFrom.ports),
            },
          ];
  }
  if (input.connectsTo) {
    policyTypes.push('Egress');
    spec.egress = [
      {
        to: [DNS_PEER],
        ports: [53].flatMap((port) => [
          { protocol: 'UDP', port },
          { protocol: 'TCP', port },
        ]),
      },
      ...input.connectsTo.map((e) => egressRule(e, input)),
      ...(input.apiServer ? [{ ports: tcp(API_SERVER_PORTS) }] : []),
    ];
  }
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: input.metadata, spec };
}
