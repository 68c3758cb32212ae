import { EndpointsSection } from '../swarm/EndpointsSection';
import { RegistriesSection } from '../swarm/RegistriesSection';
import { AddKubeconfigForm } from './AddKubeconfigForm';
import { ContextRow } from './ContextRow';
import { KubeconfigSources } from './KubeconfigSources';
import { TrySandbox } from './TrySandbox';
import { useContexts } from './use-contexts';

export function ConnectionsScreen() {
  const contexts = useContexts();
  return (
    <section aria-labelledby="connections-title">
      <header className="page-header">
        <h1 id="connections-title">Connections</h1>
        <p className="muted">
          Kubernetes contexts from your kubeconfig files, merged the way kubectl merges them, and Docker Swarm endpoints
          with the registry credentials their deploys use.
        </p>
      </header>

      {contexts.error ? (
        <div role="alert" className="error-banner">
          {contexts.error.message}
        </div>
      ) : null}

      <h2>Kubernetes contexts</h2>
      {contexts.isPending ? <p className="muted">Loading contexts…</p> : null}
      {contexts.data && contexts.data.contexts.length === 0 ? (
        <div className="empty" data-testid="no-contexts">
          <p>
            No contexts yet. Set $KUBECONFIG, create ~/.kube/config, add a kubeconfig file below, or try Homeport on a
            sandbox cluster.
          </p>
          <TrySandbox />
        </div>
      ) : null}
      {contexts.data && contexts.data.contexts.length > 0 ? (
        <table className="table" data-testid="contexts-table">
          <thead>
            <tr>
              <th>Context</th>
              <th>Cluster server</th>
              <th>User</th>
              <th>Namespace</th>
              <th>Connection</th>
            </tr>
          </thead>
          <tbody>
            {contexts.data.contexts.map((ctx) => (
              <ContextRow key={ctx.name} context={ctx} />
            ))}
          </tbody>
        </table>
      ) : null}

      <h2>Kubeconfig files</h2>
      {contexts.data ? <KubeconfigSources sources={contexts.data.sources} /> : null}
      <AddKubeconfigForm />

      <EndpointsSection />
      <RegistriesSection />
    </section>
  );
}
