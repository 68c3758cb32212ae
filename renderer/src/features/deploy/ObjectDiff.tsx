import { foldRows, lineDiff } from '@shared/plan-diff';

const lines = (yaml: string | undefined) => (yaml ? yaml.replace(/\n$/, '').split('\n') : []);

/** The live and desired YAML of one object side by side, unchanged runs folded. */
export function ObjectDiff({ live, desired }: { live?: string; desired?: string }) {
  const rows = foldRows(lineDiff(lines(live), lines(desired)));
  return (
    <div className="object-diff" data-testid="object-diff">
      <div className="side-head">{live === undefined ? 'Not on the cluster' : 'Live'}</div>
      <div className="side-head">{desired === undefined ? 'Deleted' : 'After this change'}</div>
      {rows.map((r, i) =>
        r.kind === 'fold' ? (
          <div key={i} className="fold">
            … {r.count} unchanged {r.count === 1 ? 'line' : 'lines'}
          </div>
        ) : (
          [
            <div
              key={`${i}l`}
              className={`line ${r.left === undefined ? 'empty' : r.kind === 'changed' ? 'changed-left' : r.kind}`}
              data-side="live"
            >
              {r.left ?? ''}
            </div>,
            <div
              key={`${i}r`}
              className={`line ${r.right === undefined ? 'empty' : r.kind === 'changed' ? 'changed-right' : r.kind}`}
              data-side="desired"
            >
              {r.right ?? ''}
            </div>,
          ]
        ),
      )}
    </div>
  );
}
