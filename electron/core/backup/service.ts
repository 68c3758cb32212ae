/**
 * The backup use cases (BackupOperations) over the engine: backups, restores and drills run as
 * operations with progress; listing reads the destination; the local records feed the scorecard.
 */
import type { BackupDestinationSpec } from '@shared/backup-schemas';
import { HomeportError } from '../errors';
import { requireKnownStack } from '../targets/stack-deployments';
import type { BackupEngineDeps } from './deps';
import type { BackupDestination } from './destination';
import { runDrill } from './drill';
import { createOperationRegistry } from './operations';
import type { BackupRecords } from './records';
import { planRestore, restoreBackup } from './restore';
import { selectForPruning } from './retention';
import { listBackups, newBackupId, readManifest, writeDrill } from './store';
import { takeBackup } from './take-backup';
import type { BackupOperations } from './types';

export function createBackupService(deps: BackupEngineDeps & { records: BackupRecords }): BackupOperations {
  const registry = createOperationRegistry();
  const now = deps.now ?? (() => new Date());

  async function withDestination<R>(spec: BackupDestinationSpec, fn: (d: BackupDestination) => Promise<R>) {
    const dest = await deps.openDestination(spec);
    try {
      return await fn(dest);
    } finally {
      await dest.close().catch(() => undefined);
    }
  }

  return {
    async start(p) {
      requireKnownStack(deps.stacks, p.stack);
      const stackTarget = deps.targets.open(p.target);
      // Read once: the operation backs up exactly the revision found live here.
      const live = (await stackTarget.revisions(p.stack)).find((r) => r.current);
      if (!live) {
        throw new HomeportError(
          'NOT_FOUND',
          `'${p.stack}' is not deployed to ${stackTarget.where}: nothing to back up`,
        );
      }
      const id = newBackupId(p.stack, now());
      return registry.begin('backup', id, async (sink, signal) => {
        const manifest = await takeBackup(deps, { ...p, id, live, where: stackTarget.where }, sink, signal);
        await deps.records
          .taken({ target: p.target, stack: p.stack, destination: p.destination, id, finishedAt: manifest.finishedAt })
          .catch(() => undefined);
        return `Backup ${id}: ${manifest.items.length} items, ${manifest.bytes} bytes in ${Math.round(manifest.durationMs / 100) / 10} s`;
      });
    },

    async restorePlan(p) {
      return withDestination(p.destination, (dest) => planRestore(deps, dest, p.backup, p.target));
    },

    async restore(p) {
      // Refuses a missing or incomplete backup at once, before an operation starts.
      await withDestination(p.destination, (dest) => readManifest(dest, p.backup));
      return registry.begin('restore', p.backup, (sink, signal) =>
        withDestination(p.destination, async (dest) => {
          await restoreBackup(deps, dest, p, sink, signal);
          return `Backup ${p.backup} restored to ${deps.targets.open(p.target).where}`;
        }),
      );
    },

    async verify(p) {
      await withDestination(p.destination, (dest) => readManifest(dest, p.backup));
      return registry.begin('verify', p.backup, (sink, signal) =>
        withDestination(p.destination, async (dest) => {
          const drill = await runDrill(deps, dest, p.backup, sink, signal);
          await writeDrill(dest, p.backup, drill);
          await deps.records.drilled(p.backup, p.destination, drill).catch(() => undefined);
          if (drill.result === 'failed')
            throw new HomeportError('CONFLICT', `The restore drill failed: ${drill.message}`);
          return `The restore drill passed: ${drill.tables} tables and ${drill.objects} objects match the backup`;
        }),
      );
    },

    watch: (operation, emit) => registry.watch(operation, emit),
    result: (operation) => registry.result(operation),
    cancel: (operation) => registry.cancel(operation),

    list: (p) => withDestination(p.destination, (dest) => listBackups(dest, p.stack)),

    async prune(p) {
      return withDestination(p.destination, async (dest) => {
        const all = await listBackups(dest, p.stack);
        const { remove, keep } = selectForPruning(all, { keepDaily: p.keepDaily, keepWeekly: p.keepWeekly }, now());
        if (!p.dryRun) for (const id of remove) await dest.remove(id);
        return { removed: remove, kept: keep };
      });
    },
  };
}
