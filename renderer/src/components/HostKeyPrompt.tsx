/** An unknown SSH host key, shown for the user to compare and trust before anything is sent. */
export function HostKeyPrompt({
  hostKey,
  what,
  busy,
  onTrust,
}: {
  hostKey: { fingerprint: string; keyType: string };
  /** Whose key it is: "the NAS", "the host". */
  what: string;
  busy: boolean;
  onTrust(fingerprint: string): void;
}) {
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
