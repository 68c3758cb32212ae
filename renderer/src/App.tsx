import { useQuery } from '@tanstack/react-query';
import { ConnectionsScreen } from './features/connections/ConnectionsScreen';
import { invoke } from './lib/api-client';

export function App() {
  const info = useQuery({ queryKey: ['app:info'], queryFn: () => invoke('app:info', {}) });
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Homeport</div>
        <a className="nav-item active" href="#connections" aria-current="page">
          Connections
        </a>
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
        <ConnectionsScreen />
      </main>
    </div>
  );
}
