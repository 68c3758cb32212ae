/**
 * The backup use cases as the API handlers, the CLI and the scheduler see them. A backup, a restore
 * and a restore drill are operations: started at once, followed through progress events, ended by
 * cancel or by finishing; `result` waits for the end.
 */
import type {
  BackupDestinationSpec,
  BackupProgress,
  BackupSchedule,
  BackupSummary,
  RestorePlan,
} from '@shared/backup-schemas';
import type { Target } from '@shared/target-schemas';

export interface OperationHandle {
  operation: string;
  /** The backup the operation writes or reads. */
  backup: string;
}

export interface BackupOperations {
  /** Backs up a deployed stack to the destination. Refuses at once (HomeportError) when the stack is not deployed. */
  start(p: { target: Target; stack: string; destination: BackupDestinationSpec }): Promise<OperationHandle>;
  /** Restores the backup into the target; over a deployed stack only with replace (after restorePlan). */
  restore(p: {
    destination: BackupDestinationSpec;
    backup: string;
    target: Target;
    replace: boolean;
  }): Promise<OperationHandle>;
  /** What restoring into the target would replace, and what it cannot restore. */
  restorePlan(p: { destination: BackupDestinationSpec; backup: string; target: Target }): Promise<RestorePlan>;
  /** The restore drill: restores into a scratch copy, compares with the manifest, removes the copy. */
  verify(p: { destination: BackupDestinationSpec; backup: string }): Promise<OperationHandle>;
  /** Follows an operation: emits the current progress at once, then each change, until it ends. */
  watch(operation: string, emit: (p: BackupProgress) => void): () => void;
  /** Waits for the operation's end. */
  result(operation: string): Promise<BackupProgress>;
  cancel(operation: string): void;
  /** The backups at the destination, newest first: complete ones with their manifest and last drill. */
  list(p: { destination: BackupDestinationSpec; stack?: string }): Promise<BackupSummary[]>;
  /** Removes complete backups beyond the retention; never an incomplete one, never the last verified one. */
  prune(p: {
    destination: BackupDestinationSpec;
    stack: string;
    keepDaily: number;
    keepWeekly: number;
    dryRun?: boolean;
  }): Promise<{ removed: string[]; kept: string[] }>;
}

/** The key generated secrets are encrypted with: a passphrase in the credential store, or a key file. */
export interface BackupKeys {
  status(): Promise<{ kind: 'none' | 'passphrase' | 'key-file' }>;
  set(input: { passphrase: string } | { keyFile: string }): Promise<void>;
  /** The key material; undefined when none is set. Never leaves the main process. */
  material(): Promise<Buffer | undefined>;
}

/** Schedules kept in the data directory, run while Homeport runs. */
export interface BackupSchedules {
  list(): Promise<BackupSchedule[]>;
  /** Adds or replaces the schedule of (target, stack). */
  save(schedule: BackupSchedule): Promise<BackupSchedule>;
  remove(p: { target: Target; stack: string }): Promise<void>;
}
