/**
 * Removing a stack returns only once the engine no longer lists what it removed. An engine lists
 * a removed overlay network for a while after the DELETE succeeded (the node's own copy, until its
 * agent lets it go); the stand-in engine below does so for a few listings.
 */
import { describe, expect, it } from 'vitest';
import { SWARM_STACK_LABEL } from '../stacks/swarm';
import type { EngineApi, LiveNetwork } from './engine-api';
import { removeStack } from './remove-stack';

/** The label filter the engine is asked with; it lists the network only for its own stack's. */
const SELECTOR = `${SWARM_STACK_LABEL}=media`;

function engineWithLingeringNetwork(listingsAfterDelete: number) {
  const network: LiveNetwork = { Id: 'n1', Name: 'media_default' };
  let deleted = false;
  let lingering = listingsAfterDelete;
  const calls: string[] = [];
  const api = {
    services: async () => [],
    containers: async () => [],
    secrets: async () => [],
    configs: async () => [],
    volumes: async () => [],
    networks: async (label: string) => {
      calls.push('list networks');
      if (label !== SELECTOR) return [];
      if (!deleted) return [network];
      if (lingering > 0) {
        lingering--;
        return [network];
      }
      return [];
    },
    removeNetwork: async (id: string) => {
      calls.push(`delete ${id}`);
      deleted = true;
    },
  };
  // A stand-in for the few calls removeStack makes on a stack that has only a network.
  return { api: api as unknown as EngineApi, calls };
}

describe('removeStack', () => {
  it('returns once the engine has stopped listing the removed network', async () => {
    const { api, calls } = engineWithLingeringNetwork(2);
    const result = await removeStack(api, 'media', false);
    expect(result.deleted).toEqual(['Network/media_default']);
    // Listed once to find it, deleted, then listed until it is gone (twice still there, then not).
    expect(calls).toEqual(['list networks', 'delete n1', 'list networks', 'list networks', 'list networks']);
    expect(await api.networks(SELECTOR)).toEqual([]);
  });
});
