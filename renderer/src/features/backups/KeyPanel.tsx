import { useState, type FormEvent } from 'react';
import { backupKeyInputSchema } from '@shared/backup-schemas';
import { fieldErrors } from './backup-format';
import { useKeyStatus, useSetKey } from './use-backups';

const statusText = {
  none: 'No passphrase is set: backups cannot hold the stack’s generated secrets, and restores leave them out.',
  passphrase: 'A passphrase is set: generated secrets are encrypted with it in every backup.',
  'key-file': 'A key file is set: generated secrets are encrypted with it in every backup.',
} as const;

/**
 * The passphrase backups encrypt generated secrets with. It goes to the main process's credential
 * store; the screen only ever learns whether one is set.
 */
export function KeyPanel() {
  const status = useKeyStatus();
  const setKey = useSetKey();
  const [editing, setEditing] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const [tried, setTried] = useState(false);
  const kind = status.data?.kind;
  const parsed = backupKeyInputSchema.safeParse({ passphrase });
  const error = tried || passphrase.length >= 12 ? fieldErrors(parsed.error).passphrase : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!parsed.success) return;
    setKey.mutate(passphrase, {
      onSuccess: () => {
        setPassphrase('');
        setTried(false);
        setEditing(false);
      },
    });
  };
  return (
    <div data-testid="backup-key">
      {status.error ? <p className="error small">{status.error.message}</p> : null}
      {kind ? (
        <p className="small" data-testid="key-status" data-kind={kind}>
          {statusText[kind]}
        </p>
      ) : null}
      {editing ? (
        <form className="row" onSubmit={submit} aria-label="Set passphrase" noValidate>
          <label className="field">
            <span>Passphrase</span>
            <input
              type="password"
              aria-label="Passphrase"
              autoComplete="new-password"
              value={passphrase}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'backup-passphrase-error' : undefined}
              onChange={(e) => setPassphrase(e.target.value)}
            />
            {error ? (
              <span id="backup-passphrase-error" className="error small" role="alert" data-field-error="passphrase">
                {error}
              </span>
            ) : null}
          </label>
          <button type="submit" disabled={setKey.isPending}>
            Save passphrase
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setEditing(true)}>
          {kind === 'none' ? 'Set passphrase' : 'Change passphrase'}
        </button>
      )}
      {setKey.error ? (
        <p className="error small" role="alert">
          {setKey.error.message}
        </p>
      ) : null}
    </div>
  );
}
