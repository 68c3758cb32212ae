import { resourceId, type ApiResource } from '@shared/resource-schemas';
import { groupKinds } from './kind-groups';

interface KindListProps {
  resources: readonly ApiResource[];
  selected: string;
  onSelect(id: string): void;
}

/** Every discovered kind, by section; a select on narrow windows (see resources.css). */
export function KindList({ resources, selected, onSelect }: KindListProps) {
  const sections = groupKinds(resources);
  return (
    <>
      <nav className="kind-list" aria-label="Kinds" data-testid="kind-list">
        {sections.map((s) => (
          <div key={s.section} className="kind-section" data-section={s.section}>
            <div className="kind-section-title">{s.section}</div>
            {s.kinds.map((k) => {
              const id = resourceId(k);
              return (
                <button
                  type="button"
                  key={id}
                  className={`kind-item${id === selected ? ' active' : ''}`}
                  aria-current={id === selected ? 'true' : undefined}
                  data-kind={id}
                  title={k.group ? `${k.kind} (${k.group}/${k.version})` : `${k.kind} (${k.version})`}
                  onClick={() => onSelect(id)}
                >
                  {k.kind}
                </button>
              );
            })}
          </div>
        ))}
      </nav>
      <label className="kind-select">
        Kind{' '}
        <select value={selected} onChange={(e) => onSelect(e.target.value)} aria-label="Kind">
          {sections.map((s) => (
            <optgroup key={s.section} label={s.section}>
              {s.kinds.map((k) => (
                <option key={resourceId(k)} value={resourceId(k)}>
                  {k.kind}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
    </>
  );
}
