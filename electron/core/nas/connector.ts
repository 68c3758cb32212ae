import type { SshSession } from '../ssh/connect';

/** What probe and exports need from the hosts service (its own module, so neither imports hosts.ts). */
export interface NasConnector {
  connect(name: string, timeoutMs?: number): Promise<SshSession>;
}
