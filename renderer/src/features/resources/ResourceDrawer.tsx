import { useEffect } from 'react';
import type { ApiResource, ResourceRow } from '@shared/resource-schemas';
import { KindActions } from './kind-actions';
import { SecretKeys } from './SecretKeys';
import { useObjectYaml } from './use-resources';

interface ResourceDrawerProps {
  context: string;
  kind: ApiResource;
  row: ResourceRow;
  /** The object left the cluster while it was open. */
  gone: boolean;
  onClose(): void;
}

/** One object: its status, the kind's actions, a Secret's keys, and its YAML. */
export function ResourceDrawer({ context, kind, row, gone, onClose }: ResourceDrawerProps) {
  const object = useObjectYaml(context, kind, row);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const title = `${kind.kind} ${row.namespace ? `${row.namespace}/` : ''}${row.name}`;
  return (
    <aside className="resource-drawer" aria-label={title} data-testid="resource-drawer">
      <header className="side-header">
        <div>
          <div className="muted small">
            {kind.kind}
            {row.namespace ? ` · ${row.namespace}` : ''}
          </div>
          <h2>{row.name}</h2>
          {row.status ? (
            <div className={`small tone-${row.tone}`} data-testid="object-status">
              {row.status}
            </div>
          ) : null}
        </div>
        <button type="button" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </header>
      {gone ? <div className="warning">This object no longer exists.</div> : null}
      <div className="kind-actions">
        <KindActions key={`${context}/${row.key}`} context={context} row={row} kind={kind} />
      </div>
      {object.data?.secretKeys && row.namespace ? (
        <SecretKeys
          key={`${context}/${row.key}`}
          context={context}
          namespace={row.namespace}
          name={row.name}
          keys={object.data.secretKeys}
        />
      ) : null}
      <h3>YAML</h3>
      {object.error && !gone ? (
        <div role="alert" className="error small">
          {object.error.message}
        </div>
      ) : null}
      {object.data ? (
        <pre className="yaml-view mono" data-testid="object-yaml">
          {object.data.yaml}
        </pre>
      ) : object.isLoading ? (
        <p className="muted small">Loading…</p>
      ) : null}
    </aside>
  );
}
