export type Reach = 'checking' | 'reachable' | 'unreachable';

export interface EndpointPick {
  /** The endpoint to show; undefined while it cannot be decided yet. */
  name?: string;
  /** Still testing an endpoint that would decide the pick. */
  checking: boolean;
  /** The saved endpoint does not answer and another one is shown. */
  fellBackFrom?: string;
}

/**
 * Which Docker endpoint a Swarm view shows: the saved one if it answers, else the first one (in
 * the list's order) that does; when none answers, the saved one (or the first) so its error shows.
 */
export function pickEndpoint(names: readonly string[], saved: string | undefined, reach: (name: string) => Reach) {
  const savedName = saved && names.includes(saved) ? saved : undefined;
  if (savedName) {
    const r = reach(savedName);
    if (r === 'reachable') return { name: savedName, checking: false } satisfies EndpointPick;
    if (r === 'checking') return { checking: true } satisfies EndpointPick;
  }
  for (const name of names) {
    if (name === savedName) continue;
    const r = reach(name);
    if (r === 'checking') return { checking: true } satisfies EndpointPick;
    if (r === 'reachable') {
      return { name, checking: false, ...(savedName ? { fellBackFrom: savedName } : {}) } satisfies EndpointPick;
    }
  }
  return { name: savedName ?? names[0], checking: false } satisfies EndpointPick;
}
