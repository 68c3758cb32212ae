/** Names and quantities of the Swarm rendering (swarm.ts). */
import { createHash } from 'node:crypto';

/** The first 8 hex digits of the SHA-256 of a string: names that change with what they hold. */
export const hash8 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);

/** Swarm object names are at most 64 characters: longer ones keep a prefix and a hash of the whole. */
export function swarmName(name: string, max = 63): string {
  return name.length <= max ? name : `${name.slice(0, max - 9)}_${hash8(name)}`;
}

/** A CPU quantity ('250m', '1.5') in nano CPUs. */
export function parseCpu(q: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(m?)$/.exec(q);
  if (!m) throw new Error(`invalid CPU quantity '${q}'`);
  return Math.round(Number(m[1]) * (m[2] ? 1e6 : 1e9));
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A memory quantity ('256Mi', '1G') in bytes. */
export function parseMemory(q: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(q);
  if (!m) throw new Error(`invalid memory quantity '${q}'`);
  return Math.round(Number(m[1]) * (MEMORY_UNITS[m[2] ?? ''] ?? 1));
}

/** Swarm resources (nano CPUs, bytes) of the model's quantities. */
export function amounts(a: { cpu?: string; memory?: string }) {
  return {
    ...(a.cpu ? { NanoCPUs: parseCpu(a.cpu) } : {}),
    ...(a.memory ? { MemoryBytes: parseMemory(a.memory) } : {}),
  };
}
