/**
 * What a failed SSH connection reports, the same for NAS hosts and Docker ssh:// endpoints: one
 * reason type, and the host key the host presented. An unknown key is a question (trust it after
 * comparing the fingerprint); a changed key is an alarm: the connection is refused, and the new key
 * replaces the recorded one only when the user confirms its fingerprint after a warning.
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

/** The key the host presented, for the user to compare with the host's own (ssh-keygen -lf). */
export const hostKeySchema = z.object({
  fingerprint: z.string(),
  keyType: z.string(),
  /** For a changed key: the fingerprints recorded for the host until now. */
  previous: z.array(z.string()).optional(),
  /**
   * For a changed key: Homeport may replace the recorded key (it is in Homeport's own known_hosts,
   * and not @revoked). When false the user edits their own ~/.ssh/known_hosts first.
   */
  replaceable: z.boolean().optional(),
});
export type HostKey = z.infer<typeof hostKeySchema>;

/** A host key fingerprint as the user confirms it: `SHA256:` and 43 base64 characters, as ssh-keygen -lf prints it. */
export const confirmedFingerprintSchema = z
  .string()
  .trim()
  .regex(
    /^SHA256:[A-Za-z0-9+/]{43}$/,
    'must be a SHA256 fingerprint as ssh-keygen -lf prints it (SHA256: and 43 characters)',
  );
