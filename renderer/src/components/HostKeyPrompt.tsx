import type { HostKey, SshFailureReason } from '@shared/ssh-schemas';

/** The SSH failure reasons as every screen that connects over SSH names them. */
export const sshFailureLabels: Record<SshFailureReason, string> = {
  unreachable: 'Unreachable',
  timeout: 'Timed out',
  auth: 'Login refused',
  'host-key-unknown': 'Unknown host key',
  'host-key-changed': 'HOST KEY CHANGED',
  config: 'Connection problem',
};

/**
 * What a failed SSH connection asks of the user about the host key: an unknown key is shown to
 * compare and trust before anything is sent; a changed key is an alarm with nothing to trust.
 */
export function HostKeyPrompt({
  failure,
  what,
  busy,
  onTrust,
}: {
  failure: { reason: string; hostKey?: HostKey };
  /** Whose key it is: "the NAS", "the host". */
  what: string;
  busy: boolean;
  onTrust(fingerprint: string): void;
}) {
  if (failure.reason === 'host-key-changed') {
    return (
      <div className="consent" data-testid="host-key-changed">
        <div>
          Homeport refused to connect: {what} presented a key other than the one recorded for it. Unless you know it was
          reinstalled, someone may be intercepting the connection.
        </div>
        <div className="muted">
          If the change is expected, compare the new fingerprint above with {what}&apos;s own (ssh-keygen -lf), remove
          the old entry as shown, and connect again.
        </div>
      </div>
    );
  }
  const hostKey = failure.reason === 'host-key-unknown' ? failure.hostKey : undefined;
  if (!hostKey) return null;
  return (
    <div className="consent">
      <div>
        {hostKey.keyType} key fingerprint: <code data-testid="host-key-fingerprint">{hostKey.fingerprint}</code>
      </div>
      <div className="muted">Compare it with {what}&apos;s own (ssh-keygen -lf) before you trust it.</div>
      <button type="button" onClick={() => onTrust(hostKey.fingerprint)} disabled={busy}>
        Trust this host key and connect
      </button>
    </div>
  );
}
