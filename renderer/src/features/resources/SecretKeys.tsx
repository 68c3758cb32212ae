import { useState } from 'react';
import { revealSecretValue } from './use-resources';

interface SecretKeysProps {
  context: string;
  namespace: string;
  name: string;
  keys: readonly string[];
}

/**
 * A Secret's key names, each with a Reveal button. A revealed value lives in this component's
 * state only (not a query cache) and is gone when the drawer closes or another object opens (the
 * drawer keys this component by the object).
 */
export function SecretKeys({ context, namespace, name, keys }: SecretKeysProps) {
  const [shown, setShown] = useState<Record<string, { value: string; encoding: string }>>({});
  const [error, setError] = useState('');
  const reveal = async (key: string) => {
    setError('');
    try {
      const value = await revealSecretValue({ context, namespace, name, key });
      setShown((s) => ({ ...s, [key]: value }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const hide = (key: string) =>
    setShown((s) => {
      const next = { ...s };
      delete next[key];
      return next;
    });
  return (
    <section aria-label="Secret keys" data-testid="secret-keys">
      <h3>Keys</h3>
      {keys.length === 0 ? <p className="muted small">This Secret has no keys.</p> : null}
      <ul className="plain secret-keys">
        {keys.map((key) => {
          const value = shown[key];
          return (
            <li key={key} data-key={key}>
              <div className="secret-key-line">
                <span className="mono strong">{key}</span>
                {value ? (
                  <button type="button" className="link" onClick={() => hide(key)}>
                    Hide
                  </button>
                ) : (
                  <button type="button" className="link" onClick={() => void reveal(key)} aria-label={`Reveal ${key}`}>
                    Reveal
                  </button>
                )}
              </div>
              {value ? (
                <pre className="secret-value mono" data-testid="secret-value">
                  {value.value}
                  {value.encoding === 'base64' ? <span className="muted small"> (binary, base64)</span> : null}
                </pre>
              ) : null}
            </li>
          );
        })}
      </ul>
      {error ? (
        <div role="alert" className="error small">
          {error}
        </div>
      ) : null}
    </section>
  );
}
