import type { LiveValues } from '@shared/deploy-form-schemas';

type Live = NonNullable<LiveValues['live']>;

/**
 * Where the form's values come from: the deployed revision, the defaults, or the defaults the user
 * asked for; with 'Reset to defaults' and its undo, 'Back to deployed'.
 */
export function ValuesBanner({
  where,
  live,
  liveError,
  loadedRevision,
  edited,
  resetToDefaults,
  changed,
  onReset,
  onBack,
}: {
  where: string | undefined;
  live: Live | undefined;
  liveError: Error | null;
  loadedRevision: number | undefined;
  edited: boolean;
  resetToDefaults: boolean;
  /** Fields whose value differs from the live revision's. */
  changed: number;
  onReset(): void;
  onBack(): void;
}) {
  let text: string;
  if (liveError) {
    text = `Could not read the deployed values (${liveError.message}); the form shows the stack's defaults.`;
  } else if (live && resetToDefaults) {
    text = `Showing the stack's defaults; revision ${live.revision} is deployed to ${where ?? 'the target'}.`;
  } else if (live && loadedRevision === live.revision) {
    text = `Editing the deployed values of revision ${live.revision}.`;
  } else if (live) {
    text = `Revision ${live.revision} is now deployed; these values started from ${
      loadedRevision === undefined ? "the stack's defaults" : `revision ${loadedRevision}`
    }.`;
  } else {
    text = `Not deployed to ${where ?? 'a target yet'}: the form starts from the stack's defaults.`;
  }
  const backLabel =
    live && loadedRevision !== live.revision && !resetToDefaults
      ? `Load revision ${live?.revision}`
      : 'Back to deployed';
  return (
    <div className="values-banner" role="status" data-testid="values-source">
      <span className="grow">
        {text}
        {live && changed > 0 ? (
          <span className="muted" data-testid="values-changed-count">
            {' '}
            {changed} {changed === 1 ? 'field differs' : 'fields differ'} from what is deployed.
          </span>
        ) : null}
      </span>
      {live && (edited || loadedRevision !== live.revision) ? (
        <button type="button" onClick={onBack} data-testid="values-back-to-deployed">
          {backLabel}
        </button>
      ) : null}
      <button type="button" onClick={onReset} data-testid="values-reset-defaults">
        Reset to defaults
      </button>
    </div>
  );
}
