import { sandboxLabel, type ConnectionTest, type ContextSummary } from '@shared/contract';
import { useAllowExec, useTestConnection } from './use-contexts';

const reasonLabels: Record<Extract<ConnectionTest, { status: 'failed' }>['reason'], string> = {
  unreachable: 'Unreachable',
  tls: 'TLS verification failed',
  unauthorized: 'Unauthorized',
  timeout: 'Timed out',
  'exec-consent-required': 'Needs your permission',
  'exec-failed': 'Credential plugin failed',
  config: 'Kubeconfig problem',
  http: 'Unexpected answer',
};

export function ContextRow({ context }: { context: ContextSummary }) {
  const test = useTestConnection(context.name);
  const allow = useAllowExec();
  const result = test.data;
  const allowAndTest = () => allow.mutate(context.name, { onSuccess: () => test.mutate() });
  return (
    <tr data-testid={`context-row-${context.name}`} data-context={context.name}>
      <td>
        <div className="strong">{context.name}</div>
        {context.current ? <span className="badge">current</span> : null}{' '}
        {context.simulated ? <span className="badge simulated">{sandboxLabel(context)}</span> : null}
        <div className="muted small" title={context.source}>
          cluster {context.cluster || '—'}
        </div>
        {context.problems.map((p) => (
          <div key={p} className="warning small">
            {p}
          </div>
        ))}
      </td>
      <td className="mono" data-testid="context-server">
        {context.server || '—'}
      </td>
      <td>
        <div>{context.user || '—'}</div>
        <div className="muted small">{authLabel(context)}</div>
      </td>
      <td data-testid="context-namespace">{context.namespace}</td>
      <td className="connection-cell">
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        <div data-testid="connection-result" aria-live="polite">
          {test.error ? (
            <div className="error small" role="alert">
              {test.error.message}
            </div>
          ) : null}
          {result?.status === 'connected' ? (
            <div className="ok small">
              Connected · {result.gitVersion} · {result.distribution === 'k3s' ? 'k3s' : 'Kubernetes'} ·{' '}
              {result.latencyMs} ms
            </div>
          ) : null}
          {result?.status === 'failed' ? (
            <div className="error small" role="alert">
              <strong>{reasonLabels[result.reason]}:</strong> {result.message}
              {result.reason === 'exec-consent-required' && result.exec ? (
                <div className="consent">
                  <code>{[result.exec.command, ...result.exec.args].join(' ')}</code>
                  <button type="button" onClick={allowAndTest} disabled={allow.isPending}>
                    Allow this command and connect
                  </button>
                  {allow.error ? <div className="error">{allow.error.message}</div> : null}
                </div>
              ) : null}
            </div>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

function authLabel(context: ContextSummary): string {
  switch (context.authKind) {
    case 'exec':
      return `plugin ${context.exec?.command ?? ''}${context.exec?.allowed ? ' (allowed)' : ''}`;
    case 'client-certificate':
      return 'client certificate';
    case 'none':
      return 'no credentials';
    default:
      return context.authKind;
  }
}
