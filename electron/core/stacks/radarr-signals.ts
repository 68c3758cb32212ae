/**
 * What radarr-mvp tells the generic scorecard, dashboards and leader view (zimmermanc/radarr-mvp at
 * 19a04751, as in radarr-upstream.ts).
 */
import type { StackSignals } from './signals';
import { RADARR_SOURCE } from './radarr-upstream';

export const radarrSignals: StackSignals = {
  primary: 'radarr',
  replicas: {
    kind: 'one',
    why:
      'every process starts its own queue processor, RSS monitor and list sync: a second replica grabs and ' +
      'imports the same releases twice',
    ref: `${RADARR_SOURCE}:src/main.rs:353`,
  },
  externalState: [{ setting: 'DATABASE_URL', component: 'postgres', what: 'database' }],
  database: { component: 'postgres' },
  // No leader election (each process runs the jobs), and no scraped metrics: /metrics needs the
  // API key (crates/api/src/middleware.rs:99), which no scrape sends.
  dashboard: [],
};
