/**
 * Components with a stable identity per instance, on Docker Swarm: one service per instance.
 *
 * Kubernetes gives a StatefulSet's pods stable names (`etcd-0`), per-instance DNS names through the
 * headless Service (`etcd-0.etcd-headless`, published before the pod is ready:
 * publishNotReadyAddresses, kubernetes.ts) and expands `$(POD_NAME)` in arguments. A replicated
 * Swarm service has none of these: its tasks are named `<service>.<slot>.<task id>`, templates are
 * filled only in the environment, mounts and hostname (swarmkit template/expand.go), and the engine
 * adds a task's DNS names only once its health check passes (moby
 * daemon/cluster/executor/container/controller.go, activateServiceBinding after the health check).
 * So a component that needs its identity is rendered as services `<stack>_<name>-<i>`, i = 0..n-1,
 * one task each:
 *
 * - identity variables are literal: instanceName `<name>-<i>`, instanceSlot `<i>` (0-based, as
 *   Kubernetes' pod index), instanceIp the instance's own DNS name `<name>-<i>` (Swarm cannot know a
 *   task's address before it starts; the name resolves to it on every network the instance joins); `$(VAR)`
 *   references to them are expanded in arguments as the kubelet would;
 * - where the component is reachable by its name, each instance is reachable also as `<name>-<i>`
 *   and `<name>-<i>.<name>-headless` (the Kubernetes name), next to the alias `<name>`, which the
 *   engine answers with all their addresses (a component with an instance address has its instance
 *   names on every network it joins, even where nobody reaches it by `<name>`); instances that talk to each other share a
 *   network `<stack>_<name>-peers` when the component's rules do not open one already;
 * - each instance has its own data volume `<stack>_<name>-<i>-data`;
 * - the names resolve to the task's own address (endpoint mode dnsrr), as a headless Service's do:
 *   a service of one task gains nothing from a virtual IP, and peers see each other's real
 *   addresses (a service that publishes ports keeps its virtual IP, which publishing needs);
 * - the health check is the liveness probe's, not the readiness probe's: the names must resolve
 *   before the instance is ready, as Kubernetes publishes them (etcd's members find each other by
 *   name before their quorum forms, and answer nothing before). An image that cannot run the
 *   liveness check gets none, and the plan says so.
 *
 * Which components: those whose instances are addressed by name (`namedInstances`), and those whose
 * command or arguments reference an instance identity variable (Swarm cannot fill them there).
 * Identity used only in the environment keeps Swarm's templates (`{{.Task.Slot}}`) on one service.
 */
import type { Component, IdentityEnvVar } from './model';
import { healthcheck, NoHealthToolError } from './swarm-health';
import type { SwarmHealthcheck } from './swarm-spec';
import { rulesAllow, type NetworkAttachment } from './swarm-networks';
import { swarmName } from './swarm-util';

const PER_INSTANCE_FIELDS = new Set(['instanceName', 'instanceSlot', 'instanceIp']);

const identityVars = (c: Component) => c.identityEnv.filter((e) => PER_INSTANCE_FIELDS.has(e.field)).map((e) => e.name);

/** Whether the component runs as one Swarm service per instance. */
export function runsPerInstance(c: Component): boolean {
  if (c.namedInstances) return true;
  const vars = identityVars(c);
  return [...(c.command ?? []), ...(c.args ?? [])].some((a) => vars.some((v) => a.includes(`$(${v})`)));
}

export const instanceName = (c: Component, i: number) => `${c.name}-${i}`;

/** The names an instance answers to where its component answers to its name. */
export const instanceAliases = (c: Component, i: number) => [
  instanceName(c, i),
  `${instanceName(c, i)}.${c.name}-headless`,
];

/** An identity variable's literal value for instance i (namespace and host name as for any service). */
export function instanceIdentity(e: IdentityEnvVar, c: Component, i: number): string | undefined {
  switch (e.field) {
    case 'instanceName':
    case 'instanceIp':
      return instanceName(c, i);
    case 'instanceSlot':
      return String(i);
    default:
      return undefined;
  }
}

/** The replicas a component starts with (Swarm has no autoscaler: an autoscaled one runs its minimum). */
export const startReplicas = (c: Component) => (c.autoscale ? c.autoscale.min : c.replicas);

/**
 * The overlay networks `<stack>_<name>-peers` of the components run per instance whose instances may
 * connect to each other (swarm-networks.ts rules) and that are not on the default network already.
 */
export function peersNetworks(stack: string, components: readonly Component[]): Map<string, string> {
  const peers = new Map<string, string>();
  for (const c of components) {
    const party = { name: c.name, acceptsFrom: c.acceptsFrom, connectsTo: c.connectsTo, serves: true };
    const open = c.acceptsFrom === undefined && c.connectsTo === undefined;
    if (runsPerInstance(c) && !open && rulesAllow(party, party))
      peers.set(c.name, swarmName(`${stack}_${c.name}-peers`));
  }
  return peers;
}

/**
 * Instance i's networks: its component's, with the instance's names where the component answers to
 * its name (everywhere when it has an instance address, which is its name), and its peers network.
 */
export function instanceNetworks(
  c: Component,
  i: number,
  attachments: readonly NetworkAttachment[],
  peers: string | undefined,
): NetworkAttachment[] {
  const own = instanceAliases(c, i);
  const everywhere = c.identityEnv.some((e) => e.field === 'instanceIp');
  return [
    ...attachments.map((a) => (a.Aliases.length > 0 || everywhere ? { ...a, Aliases: [...own, ...a.Aliases] } : a)),
    ...(peers ? [{ Target: peers, Aliases: [...own, c.name] }] : []),
  ];
}

const NO_CHECK: SwarmHealthcheck = { Test: ['NONE'], Interval: 0, Timeout: 0, Retries: 0, StartPeriod: 0 };

/** The liveness probe as the Swarm health check, or none when the image cannot run it. */
export function instanceHealthcheck(c: Component): { check: SwarmHealthcheck; note?: string } {
  try {
    return { check: healthcheck({ ...c, probes: { ...c.probes, readiness: c.probes.liveness } }) };
  } catch (err) {
    if (!(err instanceof NoHealthToolError)) throw err;
    return {
      check: NO_CHECK,
      note:
        `'${c.name}' has no health check on Swarm: ${err.message.replace(/^stack model: /, '')}. ` +
        'Swarm gives an instance its names only once a check passes, so the check cannot wait for readiness, ' +
        'and this image cannot run its liveness check; Swarm sees an instance healthy once it runs.',
    };
  }
}

/** The plan's words for a component run per instance. */
export function perInstanceNote(c: Component, stack: string): string {
  const names = Array.from({ length: startReplicas(c) }, (_, i) => `${stack}_${instanceName(c, i)}`).join(', ');
  const ipVars = c.identityEnv.filter((e) => e.field === 'instanceIp').map((e) => e.name);
  const ip =
    ipVars.length > 0
      ? ` Its ${ipVars.join(', ')} holds the instance's DNS name, which resolves to its address (Swarm has no template for it).`
      : '';
  return (
    `'${c.name}' runs one service per instance (${names}), each with its own name` +
    `${c.data ? ' and data volume' : ''}; changing its replicas means deploying again, not scaling a service.${ip}`
  );
}
