import { useState } from 'react';
import { describeDestination } from '@shared/backup-destinations';
import { describeTarget } from '@shared/target-schemas';
import { NoConnection } from '../../components/NoConnection';
import { TargetPicker } from '../../components/TargetPicker';
import { useActiveTarget } from '../../lib/active-target';
import { useStacks } from '../deploy/use-deploy';
import { BackupList } from './BackupList';
import { DestinationPicker, emptyDraft, readDraft, type DestinationDraft } from './DestinationPicker';
import { KeyPanel } from './KeyPanel';
import { OperationProgress } from './OperationProgress';
import { ScheduleForm } from './ScheduleForm';
import { useStartBackup } from './use-backups';

const DRAFT_KEY = 'homeport.backupDestination';

function rememberedDraft(): DestinationDraft {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(DRAFT_KEY) ?? 'null');
    return typeof saved === 'object' && saved !== null
      ? { ...emptyDraft, ...(saved as Partial<DestinationDraft>) }
      : emptyDraft;
  } catch {
    return emptyDraft;
  }
}

/** Back up a deployed stack, prove its backups restore (the drill), restore them, and schedule them. */
export function BackupsScreen() {
  const targets = useActiveTarget();
  const stacks = useStacks();
  const [stack, setStack] = useState('revenge');
  const [draft, setDraft] = useState(rememberedDraft);
  const [operation, setOperation] = useState<string>();
  const start = useStartBackup();
  const target = targets.targetFor(stack);
  const { destination } = readDraft(draft);
  const changeDraft = (next: DestinationDraft) => {
    localStorage.setItem(DRAFT_KEY, JSON.stringify(next));
    setDraft(next);
  };
  if (!targets.context && !targets.endpoint) {
    return (
      <NoConnection loading={targets.loading}>
        Add a cluster or a Docker endpoint on the Connections screen to back up its stacks.
      </NoConnection>
    );
  }
  return (
    <section aria-labelledby="backups-title" className="deploy">
      <header className="page-header">
        <h1 id="backups-title">Backups</h1>
        <label className="field">
          <span>Stack</span>
          <select value={stack} onChange={(e) => setStack(e.target.value)}>
            {(stacks.data?.stacks ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
      </header>
      <TargetPicker stack={stack} />

      <div className="deploy-step">
        <h2>Destination</h2>
        <DestinationPicker draft={draft} onChange={changeDraft} />
      </div>

      <div className="deploy-step">
        <h2>Encryption key</h2>
        <KeyPanel />
      </div>

      <div className="deploy-step">
        <h2>Backups</h2>
        <div className="row">
          <button
            type="button"
            disabled={!target || !destination || start.isPending}
            onClick={() =>
              target &&
              destination &&
              start.mutate({ target, stack, destination }, { onSuccess: (op) => setOperation(op.operation) })
            }
          >
            Back up now
          </button>
          <span className="muted small">
            {target && destination
              ? `${stack} in ${describeTarget(target)} to ${describeDestination(destination)}`
              : 'Choose a target and a destination first.'}
          </span>
        </div>
        {start.error ? (
          <p className="error" role="alert">
            {start.error.message}
          </p>
        ) : null}
        {operation ? <OperationProgress key={operation} operation={operation} label="Backup progress" /> : null}
        {destination ? <BackupList destination={destination} /> : null}
      </div>

      <div className="deploy-step">
        <h2>Schedule</h2>
        <ScheduleForm
          key={`${stack}:${JSON.stringify(target)}`}
          stack={stack}
          target={target}
          destination={destination}
        />
      </div>
    </section>
  );
}
