import { sandboxLabel } from '@shared/contract';
import { labelProblem } from '@shared/names';
import type { Target, TargetKind } from '@shared/target-schemas';
import { useActiveTarget } from '../lib/active-target';

/** Why Kubernetes would refuse the target's namespace (an RFC 1123 label), with the fix. */
export const namespaceProblem = (target: Target): string | undefined =>
  target.kind === 'kubernetes' ? labelProblem(target.namespace, 'media') : undefined;

/**
 * Where a stack goes: Kubernetes (cluster and namespace) or Docker Swarm (endpoint). The choice is
 * shared with every screen that acts on stacks. `onChange` runs before any change (e.g. to drop a
 * plan that no longer applies).
 */
export function TargetPicker({ stack, onChange }: { stack?: string; onChange?: () => void }) {
  const t = useActiveTarget();
  const target = stack ? t.targetFor(stack) : undefined;
  const badNamespace = target ? namespaceProblem(target) : undefined;
  const change = (fn: () => void) => {
    onChange?.();
    fn();
  };
  const kindRadio = (kind: TargetKind, label: string) => (
    <label className="field-check">
      <input
        type="radio"
        name="target-kind"
        data-testid={`target-${kind}`}
        checked={t.kind === kind}
        onChange={() => change(() => t.setKind(kind))}
      />
      {label}
    </label>
  );
  return (
    <div className="target-picker">
      <div className="row" role="radiogroup" aria-label="Target">
        {kindRadio('kubernetes', 'Kubernetes (k3s)')}
        {kindRadio('swarm', 'Docker Swarm')}
      </div>
      {t.kind === 'kubernetes' ? (
        t.context ? (
          <div className="row">
            <label className="field">
              <span>Cluster</span>
              <select
                data-testid="target-context"
                value={t.context.name}
                onChange={(e) => change(() => t.selectContext(e.target.value))}
              >
                {t.contexts.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name}
                    {sandboxLabel(c) ? ` (${sandboxLabel(c)})` : ''}
                  </option>
                ))}
              </select>
            </label>
            <div className="field">
              <label htmlFor="target-namespace">Namespace</label>
              <input
                id="target-namespace"
                data-testid="target-namespace"
                className="mono"
                value={t.namespace || (stack ?? '')}
                onChange={(e) => change(() => t.setNamespace(e.target.value.trim()))}
                placeholder={stack ?? 'the stack’s name'}
                aria-invalid={badNamespace !== undefined}
                aria-describedby={badNamespace ? 'target-namespace-error' : undefined}
              />
              {badNamespace ? (
                <span id="target-namespace-error" className="error small" role="alert" data-field-error="namespace">
                  Namespace {badNamespace}
                </span>
              ) : null}
            </div>
          </div>
        ) : (
          <p className="empty">No Kubernetes context: add a kubeconfig on the Connections screen.</p>
        )
      ) : t.endpoint ? (
        <div className="row">
          <label className="field">
            <span>Swarm endpoint</span>
            <select
              data-testid="target-endpoint"
              value={t.endpoint.name}
              onChange={(e) => change(() => t.selectEndpoint(e.target.value))}
            >
              {t.endpoints.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name}
                </option>
              ))}
            </select>
          </label>
          <p className="muted small">The stack runs as the Swarm stack named after it.</p>
        </div>
      ) : (
        <p className="empty">No Docker endpoint: add one on the Connections screen.</p>
      )}
    </div>
  );
}
