/**
 * One user-defined Docker network per namespace: the engine's DNS on it resolves the network
 * aliases Homeport gives containers (the Services that select them), as cluster DNS would. Each
 * container gets a fixed address, so a pod keeps its IP across restarts and a container can be
 * reconnected with new aliases (a Service created later) without changing address.
 */
import { removeWhenFree } from '../../core/docker/remove-when-free';
import { errorMessage, HomeportError } from '../../core/errors';
import type { RuntimeEngine } from './engine';
import { SANDBOX_LABEL } from './pod-spec';

export interface PodNetwork {
  name: string;
  /** A free address of the network, kept for `key` (pod uid + container) until released. */
  allocate(key: string): string;
  release(key: string): void;
}

/** A network a container is still leaving is refused for a moment: tried for this long, this often. */
const REMOVE_WITHIN_MS = 3000;
const REMOVE_RETRY_MS = 300;

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

interface IpamConfig {
  Subnet?: string;
  Gateway?: string;
}

export function createNetworks(engine: RuntimeEngine, sandboxId: string) {
  const networks = new Map<string, Promise<PodNetwork>>();

  async function create(name: string, ipam?: IpamConfig): Promise<{ Id: string }> {
    return engine.client.request<{ Id: string }>('/networks/create', {
      method: 'POST',
      body: {
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [SANDBOX_LABEL]: sandboxId },
        ...(ipam ? { IPAM: { Driver: 'default', Config: [ipam] } } : {}),
      },
    });
  }

  /**
   * The engine only pins addresses on a network whose subnet was given at creation. It picks a
   * subnet that is free on this machine for a network made without one, so that subnet is read
   * back and the network made again with it.
   */
  async function open(namespace: string): Promise<PodNetwork> {
    const name = `homeport-${sandboxId}-${namespace}`;
    const probe = await create(name);
    const inspected = await engine.client.request<{ IPAM?: { Config?: IpamConfig[] } }>(`/networks/${probe.Id}`);
    await engine.client.request(`/networks/${probe.Id}`, { method: 'DELETE' });
    const config = (inspected.IPAM?.Config ?? []).find((c) => c.Subnet && !c.Subnet.includes(':'));
    if (!config?.Subnet) throw new Error(`the engine gave network ${name} no IPv4 subnet`);
    await create(name, config);
    const [base, bits] = config.Subnet.split('/') as [string, string];
    const first = toInt(base);
    const size = 2 ** (32 - Number(bits));
    const gateway = config.Gateway ? toInt(config.Gateway) : first + 1;
    const taken = new Map<string, number>();
    const used = new Set<number>([first, first + size - 1, gateway]);
    return {
      name,
      allocate(key) {
        const kept = taken.get(key);
        if (kept !== undefined) return toIp(kept);
        for (let n = first + 2; n < first + size - 1; n++) {
          if (used.has(n)) continue;
          used.add(n);
          taken.set(key, n);
          return toIp(n);
        }
        throw new Error(`network ${name} (${config.Subnet}) has no free address left`);
      },
      release(key) {
        const n = taken.get(key);
        if (n === undefined) return;
        taken.delete(key);
        used.delete(n);
      },
    };
  }

  /** The namespace's network, made on first use. */
  function forNamespace(namespace: string): Promise<PodNetwork> {
    let net = networks.get(namespace);
    if (!net) {
      net = open(namespace);
      networks.set(namespace, net);
      net.catch(() => networks.delete(namespace));
    }
    return net;
  }

  /** New aliases for a running container: the engine sets them only when it joins the network. */
  async function realias(network: string, containerId: string, aliases: string[], ip: string) {
    await engine.client.request(`/networks/${network}/disconnect`, {
      method: 'POST',
      body: { Container: containerId, Force: true },
    });
    await engine.client.request(`/networks/${network}/connect`, {
      method: 'POST',
      body: { Container: containerId, EndpointConfig: { Aliases: aliases, IPAMConfig: { IPv4Address: ip } } },
    });
  }

  /** Gives back the address kept for `key`; a namespace whose network was never made has none. */
  function release(namespace: string, key: string) {
    void networks
      .get(namespace)
      ?.then((net) => net.release(key))
      .catch(() => undefined);
  }

  /**
   * Removes every network of this sandbox (its containers are gone by then), once the networks
   * being made have been made: one still being made would otherwise be created after the list.
   * The engine refuses to remove a network a container is still leaving, so a refusal is tried
   * again for a while; what is still there then is named, with the command that removes it.
   */
  async function removeAll() {
    await Promise.allSettled(networks.values());
    networks.clear();
    const filters = JSON.stringify({ label: [`${SANDBOX_LABEL}=${sandboxId}`] });
    const list = await engine.client.request<{ Id: string; Name: string }[]>('/networks', { query: { filters } });
    const left: string[] = [];
    let reason = '';
    for (const n of list) {
      await removeWhenFree(
        () => engine.client.request(`/networks/${n.Id}`, { method: 'DELETE' }),
        REMOVE_WITHIN_MS,
        REMOVE_RETRY_MS,
      ).catch((err: unknown) => {
        left.push(n.Name);
        reason ||= errorMessage(err);
      });
    }
    if (left.length > 0) {
      throw new HomeportError(
        'UNAVAILABLE',
        `the sandbox could not remove its Docker network${left.length > 1 ? 's' : ''} ${left.join(', ')} (${reason}): remove with docker network rm ${left.join(' ')}`,
      );
    }
  }

  return { forNamespace, realias, release, removeAll };
}
