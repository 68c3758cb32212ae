import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { ContextPicker } from './components/ContextPicker';
import { BackupsScreen } from './features/backups/BackupsScreen';
import { ConnectionsScreen } from './features/connections/ConnectionsScreen';
import { DeployScreen } from './features/deploy/DeployScreen';
import { LeadersScreen } from './features/leaders/LeadersScreen';
import { NotificationArea } from './features/overview/NotificationArea';
import { OverviewScreen } from './features/overview/OverviewScreen';
import { ReadinessScreen } from './features/readiness/ReadinessScreen';
import { StorageScreen } from './features/storage/StorageScreen';
import { SwarmScreen } from './features/swarm/SwarmScreen';
import { PodsScreen } from './features/workloads/PodsScreen';
import { ActiveContextProvider } from './lib/active-context';
import { ActiveTargetProvider } from './lib/active-target';
import { invoke } from './lib/api-client';
import { useHashRoute, type Route } from './lib/use-hash-route';

// The charts library is large: the Metrics screen loads when first opened; so does the resource browser.
const MetricsScreen = lazy(() =>
  import('./features/metrics/MetricsScreen').then((m) => ({ default: m.MetricsScreen })),
);
const ResourcesScreen = lazy(() =>
  import('./features/resources/ResourcesScreen').then((m) => ({ default: m.ResourcesScreen })),
);

const nav: { route: Route; label: string }[] = [
  { route: 'overview', label: 'Overview' },
  { route: 'connections', label: 'Connections' },
  { route: 'pods', label: 'Pods' },
  { route: 'resources', label: 'Resources' },
  { route: 'swarm', label: 'Swarm' },
  { route: 'leaders', label: 'Leaders' },
  { route: 'storage', label: 'Storage' },
  { route: 'deploy', label: 'Deploy' },
  { route: 'readiness', label: 'Readiness' },
  { route: 'backups', label: 'Backups' },
  { route: 'metrics', label: 'Metrics' },
];

export function App() {
  const info = useQuery({ queryKey: ['app:info'], queryFn: () => invoke('app:info', {}) });
  const route = useHashRoute();
  return (
    <ActiveContextProvider>
      <ActiveTargetProvider>
        <div className="shell">
          <nav className="sidebar" aria-label="Main">
            <div className="brand">Homeport</div>
            <ContextPicker />
            <NotificationArea />
            {nav.map((item) => (
              <a
                key={item.route}
                className={`nav-item${route === item.route ? ' active' : ''}`}
                href={`#${item.route}`}
                aria-current={route === item.route ? 'page' : undefined}
              >
                {item.label}
              </a>
            ))}
            <div className="sidebar-footer">
              {info.data ? `${info.data.mode === 'web' ? 'Web mode' : 'Desktop'} · v${info.data.version}` : ''}
            </div>
          </nav>
          <main className="content">
            {info.error ? (
              <div role="alert" className="error-banner">
                {info.error.message}
              </div>
            ) : null}
            {route === 'overview' ? <OverviewScreen /> : null}
            {route === 'connections' ? <ConnectionsScreen /> : null}
            {route === 'pods' ? <PodsScreen /> : null}
            {route === 'swarm' ? <SwarmScreen /> : null}
            {route === 'leaders' ? <LeadersScreen /> : null}
            {route === 'storage' ? <StorageScreen /> : null}
            {route === 'deploy' ? <DeployScreen /> : null}
            {route === 'readiness' ? <ReadinessScreen /> : null}
            {route === 'backups' ? <BackupsScreen /> : null}
            {/* Resource browser. */}
            {route === 'resources' ? (
              <Suspense fallback={<p className="muted">Loading…</p>}>
                <ResourcesScreen />
              </Suspense>
            ) : null}
            {route === 'metrics' ? (
              <Suspense fallback={<p className="muted">Loading…</p>}>
                <MetricsScreen />
              </Suspense>
            ) : null}
          </main>
        </div>
      </ActiveTargetProvider>
    </ActiveContextProvider>
  );
}
