/**
 * Every upstream image contract Homeport knows, whichever stack carries it. The sandbox's simulated
 * kubelet and the test stand-in images look images up here, so they behave like the real programs.
 */
import { builtinStacks } from './catalog';
import type { ImageContract } from './upstream';

export function allImageContracts(): ImageContract[] {
  // Stacks share contracts (PostgreSQL): each once.
  return [...new Set(builtinStacks.flatMap((s) => s.contracts))];
}
