/**
 * Leaders that live outside the platform's own objects: a row of a database table a program elects
 * its leader in, read by running the database's client in the database's container.
 */
import { z } from 'zod';
import { contextName, savedName, stackName } from './names';
import { targetSchema } from './target-schemas';

/** Why the leader could not be read. */
export const leaderUnknownCauses = [
  /** The command did not run in the container (no such workload, not running, no exec rights...). */
  'exec-failed',
  /** The database answers but the table is not there: the program's migrations have not run. */
  'no-table',
  /** The database server does not accept connections on its local socket (not started, starting). */
  'not-accepting',
  /** The server refused the connection (no such database or role, a password asked for). */
  'refused',
  /** The query failed for another reason; the message has the database's words. */
  'query-failed',
  /** The answer was not what the query returns. */
  'unparsable',
] as const;
export type LeaderUnknownCause = (typeof leaderUnknownCauses)[number];

const iso = z.string();
const heldRow = { holder: z.string(), since: iso, expires: iso, now: iso };

/** What the table says, by the database's own clock (`now`). */
export const tableLeaderReadingSchema = z.discriminatedUnion('state', [
  /** A leader whose term has not run out. */
  z.object({ state: z.literal('held'), ...heldRow }).strict(),
  /** The row is there but its term ran out: the leader stopped renewing and nobody took over yet. */
  z.object({ state: z.literal('expired'), ...heldRow }).strict(),
  /** The table is there and empty: no process holds the lead. */
  z.object({ state: z.literal('none') }).strict(),
  z.object({ state: z.literal('unknown'), cause: z.enum(leaderUnknownCauses), message: z.string() }).strict(),
]);
export type TableLeaderReading = z.infer<typeof tableLeaderReadingSchema>;

/** The leader of one deployed stack whose leader lives in a database table. */
export const stackTableLeaderSchema = z
  .object({
    stack: stackName,
    title: z.string(),
    target: targetSchema,
    /** 'Service media_db', 'pod db-0 in namespace media': where the query ran. */
    workload: z.string(),
    /** 'public.jobs_leader in the database app'. */
    table: z.string(),
    /** The source reference of where the program elects its leader. */
    ref: z.string(),
    reading: tableLeaderReadingSchema,
  })
  .strict();
export type StackTableLeader = z.infer<typeof stackTableLeaderSchema>;

/** Where to look for deployed stacks: a whole Kubernetes context (every namespace), or a Swarm endpoint. */
export const leaderPlaceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('kubernetes'), context: contextName }).strict(),
  z.object({ kind: z.literal('swarm'), endpoint: savedName }).strict(),
]);
export type LeaderPlace = z.infer<typeof leaderPlaceSchema>;

export const stackTableLeadersSchema = z.object({ leaders: z.array(stackTableLeaderSchema) }).strict();
