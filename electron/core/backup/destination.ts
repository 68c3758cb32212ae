/**
 * Where backup files go: a folder on this machine, a directory on a saved NAS host (SFTP), or a
 * prefix in a saved S3 profile's bucket. The backup engine only ever talks to this interface.
 *
 * Paths are relative to the destination's root and '/'-separated ('revenge-…-a1b2/manifest.json').
 * A write is all or nothing: nothing appears at `path` unless the whole stream arrived (a file is
 * written under a temporary name and renamed; an S3 multipart upload is completed only at the end,
 * and aborted otherwise). So a cut connection never leaves a file that looks whole.
 */
import type { Readable } from 'node:stream';
import type { BackupDestinationSpec } from '@shared/backup-schemas';

export interface DestinationEntry {
  name: string;
  kind: 'file' | 'dir';
  /** Files: size in bytes. */
  bytes?: number;
}

export interface BackupDestination {
  /** The destination in the user's words ("NAS 'nas1' /srv/backups"); never holds a credential. */
  readonly label: string;
  /**
   * Streams `data` to `path`, creating parent folders. Resolves with the bytes written once the
   * file is complete at `path`; rejects, leaving nothing at `path`, when `data` errors, the
   * connection drops or `signal` aborts. Reads `data` only as fast as the destination takes it.
   */
  write(path: string, data: Readable, opts?: { signal?: AbortSignal }): Promise<{ bytes: number }>;
  /** The file as a stream; a HomeportError NOT_FOUND naming the path and the destination when absent. */
  read(path: string, opts?: { signal?: AbortSignal }): Promise<Readable>;
  /** What is directly under `dir` ('' is the root); an absent folder lists as empty. */
  list(dir: string): Promise<DestinationEntry[]>;
  /** Removes a file, or a folder with everything under it; absent is fine. */
  remove(path: string): Promise<void>;
  /** Ends the connection (SFTP); a no-op elsewhere. */
  close(): Promise<void>;
}

/** Opens a destination from its spec (backupDestinationSchema): the host's or profile's credentials stay inside. */
export type OpenDestination = (spec: BackupDestinationSpec) => Promise<BackupDestination>;
