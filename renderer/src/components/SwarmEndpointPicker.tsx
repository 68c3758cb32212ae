import { useActiveTarget } from '../lib/active-target';
import { useSwarmEndpointInfo } from '../lib/swarm-endpoint';

/**
 * The Docker endpoint a Swarm screen shows, with the endpoints that do not answer marked as such;
 * says so when the saved one does not answer and another is shown.
 */
export function SwarmEndpointPicker({ onChange, testId }: { onChange?: () => void; testId: string }) {
  const t = useActiveTarget();
  const info = useSwarmEndpointInfo();
  if (!t.endpoint) return null;
  return (
    <span className="endpoint-picker">
      <select
        aria-label="Docker endpoint"
        data-testid={testId}
        value={t.endpoint.name}
        onChange={(e) => {
          onChange?.();
          t.selectEndpoint(e.target.value);
        }}
      >
        {t.endpoints.map((e) => (
          <option key={e.name} value={e.name}>
            {e.name}
            {info?.reach(e.name) === 'unreachable' ? ' (unreachable)' : ''}
          </option>
        ))}
      </select>
      {info?.pick.fellBackFrom ? (
        <span className="muted small" data-testid={`${testId}-fallback`}>
          {info.pick.fellBackFrom} does not answer; showing {t.endpoint.name}.
        </span>
      ) : null}
    </span>
  );
}
