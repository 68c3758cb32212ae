import { useState } from 'react';
import type { HostKey, SshFailureReason } from '@shared/ssh-schemas';
import './host-key.css';

/** The SSH failure reasons as every screen that connects over SSH names them. */
export const sshFailureLabels: Record<SshFailureReason, string> = {
  unreachable: 'Unreachable',
  timeout: 'Timed out',
  auth: 'Login refused',
  'host-key-unknown': 'Unknown host key',
  'host-key-changed': 'HOST KEY CHANGED',
  config: 'Connection problem',
};

export interface SshFailureView {
  reason: string;
  message: string;
  hostKey?: HostKey;
}

/**
 * A failed connection as the user must read it. An unknown host key (the first connection) is a
 * neutral question: compare the fingerprint, then trust it. A changed key is an alarm: red, naming
 * the key trusted until now and the one presented, and its replacement asks the user to type or
 * paste the new fingerprint they checked on the host itself. Anything else is an error line.
 */
export function SshFailureNotice({
  failure,
  label,
  what,
  busy,
  onTrust,
  onReplace,
}: {
  failure: SshFailureView;
  /** The reason as this screen names it. */
  label: string;
  /** Whose key it is: "the NAS", "the host". */
  what: string;
  busy: boolean;
  onTrust(fingerprint: string): void;
  onReplace(fingerprint: string): void;
}) {
  const key = failure.hostKey;
  if (failure.reason === 'host-key-unknown' && key) {
    return (
      <section className="host-key-question" aria-label="Unknown host key" data-testid="host-key-unknown">
        <div className="strong">First connection to {what}: is this its key?</div>
        <div className="small">
          Homeport has not connected to {what} before, and sent nothing yet. Compare this fingerprint with {what}
          &apos;s own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before you trust it.
        </div>
        <div className="small">
          {key.keyType} <code data-testid="host-key-fingerprint">{key.fingerprint}</code>
        </div>
        <button type="button" onClick={() => onTrust(key.fingerprint)} disabled={busy}>
          Trust this host key and connect
        </button>
      </section>
    );
  }
  if (failure.reason === 'host-key-changed') {
    return <HostKeyAlarm failure={failure} what={what} busy={busy} onReplace={onReplace} />;
  }
  return (
    <div className="error small" role="alert">
      <strong>{label}:</strong> {failure.message}
    </div>
  );
}

function HostKeyAlarm({
  failure,
  what,
  busy,
  onReplace,
}: {
  failure: SshFailureView;
  what: string;
  busy: boolean;
  onReplace(fingerprint: string): void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const key = failure.hostKey;
  const previous = key?.previous ?? [];
  const matches = key !== undefined && typed.trim() === key.fingerprint;
  return (
    <section className="host-key-alarm" role="alert" aria-label="Host key changed" data-testid="host-key-changed">
      <div className="host-key-alarm-title">WARNING: HOST KEY CHANGED</div>
      <div className="small">
        Homeport refused to connect and sent nothing: {what} presented a key other than the one trusted for it. Someone
        may be intercepting the connection, unless {what} was reinstalled or its keys regenerated.
      </div>
      {key && previous.length > 0 ? (
        <dl className="host-key-fingerprints small">
          <dt>
            Trusted until now <span className="muted">({key.keyType})</span>
          </dt>
          <dd>
            <code data-testid="host-key-previous">{previous.join(' or ')}</code>
          </dd>
          <dt>
            Presented now <span className="muted">({key.keyType})</span>
          </dt>
          <dd>
            <code data-testid="host-key-presented">{key.fingerprint}</code>
          </dd>
        </dl>
      ) : (
        <div className="small">{failure.message}</div>
      )}
      {key?.replaceable && !confirming ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Replace trusted key…
        </button>
      ) : null}
      {key?.replaceable && confirming ? (
        <form
          className="host-key-confirm"
          onSubmit={(e) => {
            e.preventDefault();
            if (matches) onReplace(key.fingerprint);
          }}
        >
          <div className="small">
            Only if you expected this change: run{' '}
            <code className="nowrap">ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub</code> on {what} itself (not over this
            connection) and type or paste the {key.keyType} fingerprint it prints. Homeport checks that {what} still
            presents it, then forgets the old key.
          </div>
          <label className="field">
            <span className="small">New fingerprint, as checked on {what}</span>
            <input
              className="mono"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              placeholder="SHA256:…"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={typed.trim() !== '' && !matches}
              data-testid="host-key-confirm-input"
            />
          </label>
          {typed.trim() !== '' && !matches ? (
            <div className="small">This is not the fingerprint {what} presented; nothing will be replaced.</div>
          ) : null}
          <div className="row">
            <button type="submit" className="danger" disabled={!matches || busy}>
              {busy ? 'Replacing…' : 'Replace trusted key'}
            </button>
            <button
              type="button"
              onClick={() => {
                setConfirming(false);
                setTyped('');
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {key && !key.replaceable ? <div className="small">{failure.message}</div> : null}
    </section>
  );
}
