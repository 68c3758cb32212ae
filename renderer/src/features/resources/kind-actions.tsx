import { useState } from 'react';
import type { ApiResource, ResourceRow } from '@shared/resource-schemas';
import { NodeActions } from './NodeActions';
import { ObjectEditor } from './ObjectEditor';

export interface KindActionsProps {
  context: string;
  row: ResourceRow;
  kind: ApiResource;
}

const isCore = (kind: ApiResource, plural: string) => kind.group === '' && kind.plural === plural;

/** A Node row is cordoned when its status (kubectl's STATUS) says SchedulingDisabled. */
function nodeUnschedulable(row: ResourceRow): boolean {
  return row.status.split(',').includes('SchedulingDisabled');
}

/**
 * The per-kind actions in the detail drawer: cordon/uncordon/drain for a Node, and Edit (apply
 * edited YAML server-side) for any object but a Secret, whose values never load into an editor.
 */
export function KindActions({ context, row, kind }: KindActionsProps) {
  const [editing, setEditing] = useState(false);
  const editable = !isCore(kind, 'secrets');
  return (
    <>
      {isCore(kind, 'nodes') ? (
        <NodeActions context={context} node={{ name: row.name, unschedulable: nodeUnschedulable(row) }} />
      ) : null}
      {editable ? (
        <div className="ra-actions">
          <button type="button" aria-expanded={editing} onClick={() => setEditing((e) => !e)}>
            {editing ? 'Close editor' : 'Edit'}
          </button>
        </div>
      ) : null}
      {editable && editing ? (
        <ObjectEditor
          context={context}
          object={{
            apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version,
            kind: kind.kind,
            ...(row.namespace ? { namespace: row.namespace } : {}),
            name: row.name,
          }}
        />
      ) : null}
    </>
  );
}
