import { useState } from 'react';
import type { ApplyObjectResult } from '@shared/resource-action-schemas';
import { type EditedObject, useApplyObject, useEditableYaml } from './use-resource-actions';
import './resource-actions.css';

export interface ObjectEditorProps {
  context: string;
  /** The object to load and edit. Secrets are refused by the main process (their values never load). */
  object?: EditedObject;
  /** Text to start with instead of loading an object (a new object). */
  initialYaml?: string;
  onApplied?: (result: Extract<ApplyObjectResult, { result: 'applied' }>) => void;
}

/** `.spec.replicas` as a user reads it: `spec.replicas`. */
const fieldText = (field: string) => field.replace(/^\./, '');

/**
 * Edit an object's YAML and apply it with server-side apply as Homeport. A field another manager
 * owns comes back as a conflict, named with its owner; only a confirmed Force apply takes it.
 */
export function ObjectEditor({ context, object, initialYaml, onApplied }: ObjectEditorProps) {
  const loaded = useEditableYaml(context, object);
  // What the user typed; until then, the loaded object (or the starting text).
  const [edited, setText] = useState<string | undefined>();
  const text = edited ?? loaded.data?.yaml ?? initialYaml ?? '';
  const [confirmForce, setConfirmForce] = useState(false);
  const apply = useApplyObject(context, (r) => {
    setConfirmForce(false);
    if (r.result === 'applied') onApplied?.(r);
  });
  const result = apply.data;
  const conflicts = result?.result === 'conflicts' ? result.conflicts : [];

  return (
    <section className="ra-editor" aria-label="Edit and apply" data-testid="object-editor">
      {loaded.error ? (
        <p className="error small" role="alert">
          {loaded.error.message}
        </p>
      ) : null}
      <label className="field" style={{ maxWidth: 'none' }}>
        YAML
        <textarea
          value={text}
          spellCheck={false}
          onChange={(e) => {
            setText(e.target.value);
            setConfirmForce(false);
          }}
          disabled={loaded.isLoading}
          aria-label="YAML"
        />
      </label>
      <div className="ra-actions">
        <button
          type="button"
          disabled={apply.isPending || loaded.isLoading}
          onClick={() => apply.mutate({ yaml: text, force: false })}
        >
          {apply.isPending ? 'Applying…' : 'Apply'}
        </button>
        <span className="muted small">
          Server-side apply as field manager homeport; owned fields are not overwritten.
        </span>
      </div>
      {result?.result === 'applied' ? (
        <p className="ok small" role="status" data-testid="apply-ok">
          Applied {result.kind} {result.namespace ? `${result.namespace}/` : ''}
          {result.name}.
        </p>
      ) : null}
      {conflicts.length > 0 ? (
        <div className="ra-panel" role="alert" data-testid="apply-conflicts">
          <h3 className="warning">Not applied: other managers own {conflicts.length === 1 ? 'a field' : 'fields'}</h3>
          <ul className="ra-conflicts">
            {conflicts.map((c) => (
              <li key={`${c.manager} ${c.field}`} data-testid="apply-conflict">
                <span className="mono">{fieldText(c.field)}</span> is owned by <strong>{c.manager}</strong>; applying
                would overwrite it.
              </li>
            ))}
          </ul>
          <p className="small muted">
            Leave the field out or set it to the live value to keep the other manager&apos;s value, or force the apply
            to take the field over.
          </p>
          {confirmForce ? (
            <div className="ra-actions">
              <button
                type="button"
                className="danger"
                disabled={apply.isPending}
                onClick={() => apply.mutate({ yaml: text, force: true })}
              >
                Overwrite {conflicts.length === 1 ? fieldText(conflicts[0]?.field ?? '') : `${conflicts.length} fields`}{' '}
                and take ownership
              </button>
              <button type="button" onClick={() => setConfirmForce(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" onClick={() => setConfirmForce(true)}>
              Force apply…
            </button>
          )}
        </div>
      ) : null}
      {apply.error ? (
        <p className="error small" role="alert">
          {apply.error.message}
        </p>
      ) : null}
    </section>
  );
}
