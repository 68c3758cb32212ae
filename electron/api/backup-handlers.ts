import { describeDestination } from '@shared/backup-destinations';
import type { BackupDestinationSpec } from '@shared/backup-schemas';
import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import type { BackupKeys, BackupOperations, BackupSchedules } from '../core/backup/types';
import { guarded, type Where } from './errors';

type BackupChannel = Extract<keyof Handlers, `backups:${string}`>;

export interface BackupHandlerDeps {
  backups: BackupOperations;
  backupKeys: Pick<BackupKeys, 'status' | 'set'>;
  backupSchedules: BackupSchedules;
}

const at = (destination: BackupDestinationSpec): Where => ({
  kind: 'destination',
  destination: describeDestination(destination),
});
const backupOf = (id: string) => `backup ${id}`;

/** Backups, restores and drills of deployed stacks; the backup key; schedules. */
export function createBackupHandlers({
  backups,
  backupKeys,
  backupSchedules,
}: BackupHandlerDeps): Pick<Handlers, BackupChannel> {
  const schedules = async () => ({ schedules: await backupSchedules.list() });
  return {
    'backups:list': (input) =>
      guarded('the backups', at(input.destination), async () => ({ backups: await backups.list(input) })),
    'backups:start': (input) => guarded(`a backup of stack '${input.stack}'`, input.target, () => backups.start(input)),
    'backups:cancel': async ({ operation }) => {
      backups.cancel(operation);
      return { cancelled: true as const };
    },
    'backups:verify': (input) =>
      guarded(`the restore drill of ${backupOf(input.backup)}`, at(input.destination), () => backups.verify(input)),
    'backups:restorePlan': (input) =>
      guarded(`the restore plan of ${backupOf(input.backup)}`, input.target, () => backups.restorePlan(input)),
    'backups:restore': (input) =>
      guarded(`the restore of ${backupOf(input.backup)}`, input.target, () => backups.restore(input)),
    'backups:prune': (input) =>
      guarded(`the old backups of stack '${input.stack}'`, at(input.destination), () => backups.prune(input)),
    'backups:keyStatus': () => backupKeys.status(),
    // Only the kind of key comes back: the passphrase goes into the credential store and nowhere else.
    'backups:setKey': async (input) => {
      await backupKeys.set(input);
      return backupKeys.status();
    },
    'backups:schedules': schedules,
    'backups:saveSchedule': async (schedule) => {
      await backupSchedules.save(schedule);
      return schedules();
    },
    'backups:removeSchedule': async (ref) => {
      await backupSchedules.remove(ref);
      return schedules();
    },
  };
}

/**
 * Progress of one operation: its state now, then each change. The watch is let go as soon as the
 * operation ends (or the client unsubscribes), so a finished operation holds nothing.
 */
export function createBackupSubscriptions({
  backups,
}: Pick<BackupHandlerDeps, 'backups'>): Pick<SubscriptionHandlers, 'backups:progress'> {
  return {
    'backups:progress': ({ operation }, emit) => {
      let done = false;
      let stopWatch: (() => void) | undefined;
      const stop = () => {
        done = true;
        const s = stopWatch;
        stopWatch = undefined;
        s?.();
      };
      const watching = backups.watch(operation, (progress) => {
        if (done) return;
        emit(progress);
        if (progress.state !== 'running') stop();
      });
      // The watch may have emitted the end already, before it returned its stop function.
      if (done) watching();
      else stopWatch = watching;
      return stop;
    },
  };
}
