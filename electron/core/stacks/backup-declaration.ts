/**
 * What a backup of a stack holds, declared by the stack (the generic backup code names no stack,
 * component or database of its own). Besides these, every backup holds the stack's state (the live
 * revision's values and rendered objects) and its generated secrets, encrypted.
 */

/** A PostgreSQL database dumped with pg_dump in its own container, over the local socket. */
export interface PostgresBackup {
  kind: 'postgres';
  /** The component running the server; pg_dump and pg_restore run in its container. */
  component: string;
  database: string;
  /** The role the image's entrypoint makes the superuser (POSTGRES_USER). */
  user: string;
  /** The directory of the server's Unix socket in the container (libpq's -h). */
  socketDir: string;
  /** Where the image keeps its tools and socket (upstream file:line). */
  ref: string;
}

export interface StackBackup {
  databases: PostgresBackup[];
  /**
   * The buckets of saved S3 profiles the values put the stack's objects in (resolved values'
   * references), whose objects are copied into the backup; none when the store is bundled or
   * reached with keys Homeport does not hold.
   */
  buckets(values: unknown): { profile: string; bucket: string }[];
  /**
   * Values merged over the backed-up ones for a restore drill's scratch copy, which runs beside the
   * live stack: nothing it publishes may collide with the live one (host ports, ingress host).
   */
  scratchValues: Record<string, unknown>;
}
