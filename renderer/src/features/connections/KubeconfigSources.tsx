import type { KubeconfigSource } from '@shared/contract';
import { useRemoveKubeconfig } from './use-contexts';

const originLabels: Record<KubeconfigSource['origin'], string> = {
  KUBECONFIG: '$KUBECONFIG',
  default: 'default',
  added: 'added in Homeport',
  // Either runtime: the context's own badge says which.
  sandbox: 'Homeport sandbox',
};

export function KubeconfigSources({ sources }: { sources: KubeconfigSource[] }) {
  const remove = useRemoveKubeconfig();
  return (
    <ul className="sources" data-testid="kubeconfig-sources">
      {sources.map((s) => (
        <li key={s.path}>
          <span className="mono">{s.path}</span> <span className="badge">{originLabels[s.origin]}</span>
          {!s.exists ? <span className="muted small"> (does not exist)</span> : null}
          {s.error ? <div className="error small">{s.error}</div> : null}
          {s.origin === 'added' ? (
            <button type="button" className="link" onClick={() => remove.mutate(s.path)}>
              Remove
            </button>
          ) : null}
        </li>
      ))}
      {remove.error ? <li className="error small">{remove.error.message}</li> : null}
    </ul>
  );
}
