import { useState, type FormEvent } from 'react';
import { backupScheduleSchema, type BackupDestinationSpec } from '@shared/backup-schemas';
import { describeDestination } from '@shared/backup-destinations';
import { describeTarget, type Target } from '@shared/target-schemas';
import { fieldErrors } from './backup-format';
import { useRemoveSchedule, useSaveSchedule, useSchedules } from './use-backups';

const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The stack's schedule on this target: how often, when, what to keep, and whether the cluster runs it too. */
export function ScheduleForm({
  stack,
  target,
  destination,
}: {
  stack: string;
  target?: Target;
  destination?: BackupDestinationSpec;
}) {
  const schedules = useSchedules();
  const save = useSaveSchedule();
  const remove = useRemoveSchedule();
  const [every, setEvery] = useState<'daily' | 'weekly'>('daily');
  const [weekday, setWeekday] = useState(0);
  const [at, setAt] = useState('03:30');
  const [keepDaily, setKeepDaily] = useState('7');
  const [keepWeekly, setKeepWeekly] = useState('4');
  const [inCluster, setInCluster] = useState(false);
  const [tried, setTried] = useState(false);
  const input = {
    target,
    stack,
    destination,
    every,
    at,
    ...(every === 'weekly' ? { weekday } : {}),
    keepDaily: keepDaily.trim() === '' ? Number.NaN : Number(keepDaily),
    keepWeekly: keepWeekly.trim() === '' ? Number.NaN : Number(keepWeekly),
    inCluster,
  };
  const parsed = backupScheduleSchema.safeParse(input);
  const errors = tried ? fieldErrors(parsed.error) : {};
  const fieldError = (field: string) =>
    errors[field] ? (
      <span id={`schedule-${field}-error`} className="error small" role="alert" data-field-error={`schedule.${field}`}>
        {errors[field]}
      </span>
    ) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (parsed.success) save.mutate(parsed.data, { onSuccess: () => setTried(false) });
  };
  const mine = (schedules.data?.schedules ?? []).filter((s) => s.stack === stack);
  return (
    <div data-testid="backup-schedules">
      {mine.length > 0 ? (
        <ul className="small" aria-label="Schedules">
          {mine.map((s) => (
            <li key={JSON.stringify(s.target)} data-schedule={describeTarget(s.target)}>
              {s.every === 'weekly' ? `Every ${weekdays[s.weekday ?? 0]}` : 'Every day'} at {s.at} from{' '}
              {describeTarget(s.target)} to {describeDestination(s.destination)}; keeps {s.keepDaily} daily and{' '}
              {s.keepWeekly} weekly{s.inCluster ? '; also in the cluster' : ''}{' '}
              <button
                type="button"
                disabled={remove.isPending}
                onClick={() => remove.mutate({ target: s.target, stack: s.stack })}
              >
                Remove schedule
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No schedule for {stack}.</p>
      )}
      <form onSubmit={submit} aria-label="Backup schedule" noValidate>
        <div className="row">
          <label className="field">
            <span>Every</span>
            <select value={every} onChange={(e) => setEvery(e.target.value === 'weekly' ? 'weekly' : 'daily')}>
              <option value="daily">Day</option>
              <option value="weekly">Week</option>
            </select>
          </label>
          {every === 'weekly' ? (
            <label className="field">
              <span>Weekday</span>
              <select value={weekday} onChange={(e) => setWeekday(Number(e.target.value))}>
                {weekdays.map((d, i) => (
                  <option key={d} value={i}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label className="field">
            <span>Time</span>
            <input
              className="mono"
              aria-label="Time"
              aria-describedby="schedule-at-error"
              value={at}
              placeholder="03:30"
              onChange={(e) => setAt(e.target.value.trim())}
            />
            {fieldError('at')}
          </label>
          <label className="field">
            <span>Keep daily</span>
            <input
              type="number"
              min={1}
              aria-label="Keep daily"
              aria-describedby="schedule-keepDaily-error"
              value={keepDaily}
              onChange={(e) => setKeepDaily(e.target.value)}
            />
            {fieldError('keepDaily')}
          </label>
          <label className="field">
            <span>Keep weekly</span>
            <input
              type="number"
              min={0}
              aria-label="Keep weekly"
              aria-describedby="schedule-keepWeekly-error"
              value={keepWeekly}
              onChange={(e) => setKeepWeekly(e.target.value)}
            />
            {fieldError('keepWeekly')}
          </label>
        </div>
        <label className="field-check">
          <input type="checkbox" checked={inCluster} onChange={(e) => setInCluster(e.target.checked)} />
          Also run it in the cluster (a CronJob, or a Swarm job service) for when Homeport is not running
        </label>
        {tried && !target ? <p className="error small">Choose a target above first.</p> : null}
        {tried && !destination ? <p className="error small">Choose a destination above first.</p> : null}
        <button type="submit" disabled={save.isPending}>
          Save schedule
        </button>
      </form>
      {(save.error ?? remove.error) ? (
        <p className="error small" role="alert">
          {(save.error ?? remove.error)?.message}
        </p>
      ) : null}
    </div>
  );
}
