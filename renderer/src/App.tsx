import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, type ComponentType } from 'react';
import { ContextPicker } from './components/ContextPicker';
import { ScreenBoundary, ScreenLoading } from './components/ScreenLoader';
import { ConnectionsScreen } from './features/connections/ConnectionsScreen';
import { NotificationArea } from './features/overview/NotificationArea';
import { ActiveContextProvider } from './lib/active-context';
import { ActiveTargetProvider } from './lib/active-target';
import { invoke } from './lib/api-client';
import { useHashRoute, type Route } from './lib/use-hash-route';

// Start fast: only the first screen (Connections, the default route) and the sidebar load with the
// page; every other screen's code is fetched when it is first opened (Metrics brings the charts library).
const screen = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })));
const OverviewScreen = screen(() => import('./features/overview/OverviewScreen'), 'OverviewScreen');
const PodsScreen = screen(() => import('./features/workloads/PodsScreen'), 'PodsScreen');
const SwarmScreen = screen(() => import('./features/swarm/SwarmScreen'), 'SwarmScreen');
const LeadersScreen = screen(() => import('./features/leaders/LeadersScreen'), 'LeadersScreen');
const StorageScreen = screen(() => import('./features/storage/StorageScreen'), 'StorageScreen');
const DeployScreen = screen(() => import('./features/deploy/DeployScreen'), 'DeployScreen');
const ReadinessScreen = screen(() => import('./features/readiness/ReadinessScreen'), 'ReadinessScreen');
const BackupsScreen = screen(() => import('./features/backups/BackupsScreen'), 'BackupsScreen');
const MetricsScreen = screen(() => import('./features/metrics/MetricsScreen'), 'MetricsScreen');
const ResourcesScreen = screen(() => import('./features/resources/ResourcesScreen'), 'ResourcesScreen');

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
            <ScreenBoundary key={route}>
              <Suspense fallback={<ScreenLoading />}>
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
                {route === 'resources' ? <ResourcesScreen /> : null}
                {route === 'metrics' ? <MetricsScreen /> : null}
              </Suspense>
            </ScreenBoundary>
          </main>
        </div>
      </ActiveTargetProvider>
    </ActiveContextProvider>
  );
}
