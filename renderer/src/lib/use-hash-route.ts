import { useSyncExternalStore } from 'react';

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

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/**
 * The screen named in the URL fragment (#pods, #leaders ...), updated on navigation. Read as an
 * external store: a fragment that changes after the first render but before the listener is
 * attached (a link followed while the page is still starting) is seen when React subscribes,
 * instead of being lost with its hashchange event.
 */
export function useHashRoute(): Route {
  return useSyncExternalStore(subscribe, current);
}
