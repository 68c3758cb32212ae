/**
 * What a failed SSH connection reports, the same for NAS hosts and Docker ssh:// endpoints: one
 * reason type, and the host key an unknown host presented. An unknown key is a question (trust it
 * after comparing the fingerprint); a changed key is a refusal, never offered for trust.
 */
import { z } from 'zod';

export const sshFailureReasons = [
  'unreachable',
  'timeout',
  'auth',
  'host-key-unknown',
  'host-key-changed',
  'config',
] as const;
export type SshFailureReason = (typeof sshFailureReasons)[number];

/** The key an unknown host presented, for the user to compare with the host's own (ssh-keygen -lf). */
export const hostKeySchema = z.object({ fingerprint: z.string(), keyType: z.string() });
export type HostKey = z.infer<typeof hostKeySchema>;
