import { useEffect, useState } from 'react';

export type Route =
  | 'overview'
  | 'connections'
  | 'pods'
  | 'swarm'
  | 'leaders'
  | 'storage'
  | 'deploy'
  | 'readiness'
  | 'backups'
  | 'metrics'
  // Resource browser.
  | 'resources';
const routes: Route[] = [
  'overview',
  'connections',
  'pods',
  'swarm',
  'leaders',
  'storage',
  'deploy',
  'readiness',
  'backups',
  'metrics',
  // Resource browser.
  'resources',
];

function current(): Route {
  const name = window.location.hash.replace(/^#\/?/, '').split(/[/?&]/)[0] as Route;
  return routes.includes(name) ? name : 'connections';
}

/** The screen named in the URL fragment (#pods, #leaders ...), updated on navigation. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(current);
  useEffect(() => {
    const onChange = () => setRoute(current());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
