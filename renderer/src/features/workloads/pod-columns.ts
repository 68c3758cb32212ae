export type PodColumn = 'name' | 'namespace' | 'status' | 'ready' | 'restarts' | 'age' | 'node';

interface ColumnSpec {
  label: string;
  /** The CSS grid track: a minimum the text needs, and a share of what is left. */
  track: string;
  min: number;
}

export const POD_COLUMNS: Record<PodColumn, ColumnSpec> = {
  name: { label: 'Name', track: 'minmax(140px, 2.2fr)', min: 140 },
  namespace: { label: 'Namespace', track: 'minmax(90px, 1fr)', min: 90 },
  status: { label: 'Status', track: 'minmax(130px, 1.2fr)', min: 130 },
  ready: { label: 'Ready', track: '52px', min: 52 },
  restarts: { label: 'Restarts', track: '64px', min: 64 },
  age: { label: 'Age', track: '52px', min: 52 },
  node: { label: 'Node', track: 'minmax(90px, 1fr)', min: 90 },
};

/** Dropped first when the table narrows: the node, then the namespace (shown under the name), then age. */
const DROP_ORDER: PodColumn[] = ['node', 'namespace', 'age', 'restarts'];
const ALL: PodColumn[] = ['name', 'namespace', 'status', 'ready', 'restarts', 'age', 'node'];
const GAP = 8;
const PADDING = 20;

/** The columns that fit in a table this wide without any cell running into the next. */
export function podColumnsFor(width: number): PodColumn[] {
  let shown = [...ALL];
  for (const drop of DROP_ORDER) {
    const need = shown.reduce((n, c) => n + POD_COLUMNS[c].min, 0) + GAP * (shown.length - 1) + PADDING;
    if (need <= width) break;
    shown = shown.filter((c) => c !== drop);
  }
  return shown;
}

export const podGridTemplate = (columns: readonly PodColumn[]) => columns.map((c) => POD_COLUMNS[c].track).join(' ');
