import { sandboxLabel } from '@shared/contract';
import { useActiveContext } from '../lib/active-context';

/** Which cluster the live screens show; the sandbox is labelled as such, with its runtime. */
export function ContextPicker() {
  const { active, contexts, select } = useActiveContext();
  if (contexts.length === 0) return null;
  return (
    <label className="context-picker">
      <span className="muted small">Cluster</span>
      <select value={active?.name ?? ''} onChange={(e) => select(e.target.value)} aria-label="Active cluster">
        {contexts.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
            {sandboxLabel(c) ? ` (${sandboxLabel(c)})` : ''}
          </option>
        ))}
      </select>
      {active?.simulated ? (
        <span className="badge simulated" data-testid="simulated-badge">
          {active.sandboxRuntime === 'docker' ? 'Sandbox cluster (Docker runtime)' : 'Simulated cluster'}
        </span>
      ) : null}
    </label>
  );
}
