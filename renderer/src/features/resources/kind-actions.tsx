import type { ApiResource, ResourceRow } from '@shared/resource-schemas';

export interface KindActionsProps {
  context: string;
  row: ResourceRow;
  kind: ApiResource;
}

/**
 * The slot for per-kind actions in the detail drawer (cordon/drain for Nodes, Edit for any
 * object, ...). Renders nothing until an action is added here.
 */
export function KindActions(_props: KindActionsProps) {
  return null;
}
