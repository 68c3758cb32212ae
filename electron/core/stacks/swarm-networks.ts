/**
 * Connection rules of a stack model (a component's `acceptsFrom`, a component's or job's
 * `connectsTo`) on Docker Swarm, which has no network policies: they become network separation.
 *
 * - Who may connect to whom: X may connect to T when T accepts X (T has no `acceptsFrom`, or names
 *   X) and X may connect to T (X has no `connectsTo`, or one of its rules names T), as Kubernetes
 *   network policies allow a connection only when both the egress and the ingress side do.
 * - `<stack>_default` holds the open parties: those with neither rule (scheduled jobs among them).
 *   Open components are reachable there by their name (an alias), as before rules existed.
 * - Every other pair the rules single out (X may reach T, and T accepts X by name or X names T in
 *   its `connectsTo`; not both open) gets its own overlay network
 *   `<stack>_<X>-to-<T>` (one per pair even when both directions are allowed), joined by both; T has
 *   its name as alias there (X's too when T may reach X). Only these two share it, so a component
 *   with rules resolves and reaches exactly the components it may, and nothing else of the stack
 *   reaches it: one network per pair rather than one per server, since clients of one server on a
 *   shared network could reach each other.
 * - So a component that accepts only some components and has no `connectsTo` of its own (a
 *   database) reaches the components that accept it by name, not the open ones: to reach an open
 *   component it names it in `connectsTo`. (Giving it every open component would take a network per
 *   open component, for servers that do not call out; the plan says so.)
 * - What Swarm cannot express, and the plan says (notes): the direction of a connection between two
 *   parties that share a network (an overlay network is flat: T could open a connection to X), the
 *   ports of a rule (any port of an allowed component is reachable), and external egress (rules for
 *   addresses outside the stack, or their absence: containers reach outside through the node's
 *   gateway bridge whatever their networks).
 * - One-shot jobs accept nothing (they serve no one): they never get networks from others' rules,
 *   and have no alias. A party that may reach no one and that no one may reach has no network.
 * - Headless (per-instance names): Swarm already answers `tasks.<service>` with every task's address
 *   on each network the service is on, so `headless` needs nothing here; the service keeps its
 *   virtual IP for the component's name. (Instances addressed by their own names are services of
 *   their own, with the names resolving to their tasks: swarm-instances.ts.)
 */
import type { EgressRule } from './model';
import type { SwarmNetworkSpec } from './swarm-spec';
import { swarmName } from './swarm-util';

/** A component or a job, as far as its connections go. */
export interface Party {
  name: string;
  /** Undefined: anyone may connect. */
  acceptsFrom?: string[];
  /** Undefined: may connect anywhere. */
  connectsTo?: EgressRule[];
  /** False for one-shot jobs: nobody connects to them. */
  serves: boolean;
}

export interface NetworkAttachment {
  /** The network's name; the deployer puts in its ID. */
  Target: string;
  Aliases: string[];
}

export interface NetworkLayout {
  /** The separation networks (the default network is the renderer's). */
  networks: SwarmNetworkSpec[];
  /** The networks each party joins, by party name. */
  attachments: Map<string, NetworkAttachment[]>;
  notes: string[];
}

export function mayConnect(from: Party, to: Party): boolean {
  return from.name !== to.name && rulesAllow(from, to);
}

/** Whether the rules of both sides let `from` connect to `to` (a party to itself too: its instances). */
export function rulesAllow(from: Party, to: Party): boolean {
  if (!to.serves) return false;
  const accepted = to.acceptsFrom === undefined || to.acceptsFrom.includes(from.name);
  const allowed =
    from.connectsTo === undefined || from.connectsTo.some((r) => 'component' in r && r.component === to.name);
  return accepted && allowed;
}

const isOpen = (p: Party) => p.acceptsFrom === undefined && p.connectsTo === undefined;
const names = (from: Party, to: Party) => from.connectsTo?.some((r) => 'component' in r && r.component === to.name);
/** A pair network only where the rules single the pair out: the server accepts by name, or the client names it. */
const linked = (from: Party, to: Party) =>
  mayConnect(from, to) && (to.acceptsFrom !== undefined || names(from, to) === true);

/** The networks separating the parties, and which each one joins. */
export function networkLayout(
  stack: string,
  parties: Party[],
  network: (name: string) => SwarmNetworkSpec,
): NetworkLayout {
  const defaultNetwork = `${stack}_default`;
  const attachments = new Map<string, NetworkAttachment[]>(parties.map((p) => [p.name, []]));
  const join = (p: Party, target: string, alias: boolean) =>
    attachments.get(p.name)?.push({ Target: target, Aliases: alias ? [p.name] : [] });
  for (const p of parties) if (isOpen(p)) join(p, defaultNetwork, p.serves);

  const networks: SwarmNetworkSpec[] = [];
  parties.forEach((a, i) => {
    for (const b of parties.slice(i + 1)) {
      const ab = linked(a, b);
      const ba = linked(b, a);
      if ((!ab && !ba) || (isOpen(a) && isOpen(b))) continue;
      const [client, server] = ab ? [a, b] : [b, a];
      const name = swarmName(`${stack}_${client.name}-to-${server.name}`);
      networks.push(network(name));
      join(client, name, ab && ba);
      join(server, name, true);
    }
  });

  const notes: string[] = [];
  if (parties.some((p) => !isOpen(p))) {
    notes.push(
      'Connection rules are expressed as network separation on Swarm (it has no network policies): a ' +
        'component with rules shares an overlay network only with each component it may connect to or ' +
        'accept; within such a pair the direction and the ports of a connection are not enforced. A component that ' +
        'accepts only some components reaches open components only when its connectsTo names them.',
    );
  }
  if (parties.some((p) => p.connectsTo !== undefined)) {
    notes.push(
      'External egress is not restricted on Swarm: components with connection rules can still reach ' +
        'addresses outside the stack.',
    );
  }
  return { networks, attachments, notes };
}
