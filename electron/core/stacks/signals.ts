/**
 * What a stack tells the generic readiness, metrics and leader code about itself. The scorecard,
 * the dashboards and the Leaders screen read these and name no stack, component or metric of
 * their own: a new stack brings its own signals.
 */

/** A metric panel of the stack's own dashboard (PromQL over the stack's metric names). */
export interface DashboardPanel {
  id: string;
  title: string;
  unit: 'cores' | 'bytes' | 'rps' | 'ratio' | 'seconds' | 'count';
  queries: { name: string; expr: string }[];
  /** Said when no query returns a series (which metric is missing, and why it might be). */
  empty: string;
}

export type LeaderSource =
  /** The pods compete for a Kubernetes Lease of this name. */
  | { kind: 'lease'; lease: string }
  /**
   * The leader is a row of a PostgreSQL table (River's river_leader, say): read by running psql in
   * the database component's container, over its local socket, as `user`.
   */
  | PostgresTableLeader;

export interface PostgresTableLeader {
  kind: 'postgres-table';
  component: string;
  database: string;
  user: string;
  /** The schema the program's migrations create the table in. */
  schema: string;
  table: string;
  /** The columns holding who leads, since when, and until when the lead holds unless renewed. */
  columns: { holder: string; since: string; expires: string };
  /** The directory of the server's Unix socket in the container (libpq's -h). */
  socketDir: string;
  /** Where the program elects its leader. */
  ref: string;
  /** Where the table is defined (its columns and schema). */
  tableRef: string;
}

export interface StackSignals {
  /** The component users reach: its replicas, probes, metrics and request IDs are what the scorecard looks at. */
  primary: string;
  /**
   * How many replicas of the primary are right: 'many' when it is stateless; 'one' when it holds
   * state in its own memory (then more than one needs sticky sessions, and the scorecard warns).
   */
  replicas:
    | {
        kind: 'many';
        /**
         * Where the stack's values set the primary's replica count (dotted paths, 'web.replicas'), so
         * the scorecard can offer to run two; without it, no one-click fix is offered.
         */
        scale?: { replicas: string; autoscale?: string };
      }
    | { kind: 'one'; why: string; ref: string };
  /** Settings of the primary (the program's own keys) that must name another component: state kept outside the process. */
  externalState: { setting: string; component: string; what: string }[];
  /** User files go to object storage when `setting` is `value`; `endpointSetting` is what browsers' URLs are built from. */
  objectStorage?: {
    setting: string;
    value: string;
    endpointSetting: string;
    ref: string;
    /** Keys browsers load straight from the store (avatar URLs): they need anonymous read. */
    publicPrefix?: string;
  };
  /** The component holding the database (its data must be on persistent storage). */
  database?: { component: string };
  /** The shared volume with the media library (read-only, shared by all replicas). */
  media?: { volume: string };
  /** The primary echoes this header on this port and path. */
  requestId?: { port: number; path: string; header: string; ref: string };
  /** Where the leader of the stack's periodic jobs lives. */
  leader?: LeaderSource;
  /** Panels of the stack's own metrics, after the generic CPU and memory panels. */
  dashboard: DashboardPanel[];
}
