import type { StackInfo, StackNeeds } from '@shared/deploy-schemas';
import type { Target } from '@shared/target-schemas';
import { describeTarget } from '@shared/target-schemas';
import { useState } from 'react';
import { useRemoveUserStack, useStackDeployments } from './use-user-stacks';

/** The first line of a description: the picker shows one line per stack. */
const oneLine = (text: string) => text.split('\n')[0]?.trim() ?? '';

export function needsText(needs: StackNeeds | undefined): string {
  if (!needs) return '';
  const parts: string[] = [];
  if (needs.nasExport !== 'no') parts.push(`NAS export${needs.nasExport === 'optional' ? ' (optional)' : ''}`);
  if (needs.s3Profile !== 'no') parts.push(`S3 profile${needs.s3Profile === 'optional' ? ' (optional)' : ''}`);
  const toBuild = needs.images.filter((i) => !i.reference).map((i) => i.component);
  if (toBuild.length > 0) parts.push(`images to build: ${toBuild.join(', ')}`);
  return parts.length > 0 ? `Needs ${parts.join(', ')}` : 'Needs nothing saved';
}

/** Catalog and user stacks: one line each, what they need, and where Homeport has them deployed. */
export function StackPicker({
  stacks,
  selected,
  onPick,
  onRemoved,
}: {
  stacks: StackInfo[];
  selected: string | undefined;
  onPick: (info: StackInfo) => void;
  /** A user stack was removed (the picker then holds it no more). */
  onRemoved?: (name: string) => void;
}) {
  const deployments = useStackDeployments();
  const whereOf = (name: string) => deployments.data?.stacks.find((d) => d.stack === name)?.targets;
  const chosen = stacks.find((s) => s.name === selected);
  return (
    <>
      <div className="stack-cards">
        {stacks.map((s) => {
          const where = whereOf(s.name);
          return (
            <button
              type="button"
              key={s.name}
              className={`stack-card${selected === s.name ? ' selected' : ''}`}
              data-testid={`stack-${s.name}`}
              data-origin={s.origin}
              aria-pressed={selected === s.name}
              onClick={() => onPick(s)}
            >
              <span className="strong">
                {s.title}{' '}
                <span className="muted small" data-testid="stack-origin">
                  {s.origin === 'user' ? `Your stack · v${s.version ?? '?'}` : 'Catalog'}
                </span>
              </span>
              <span className="muted small">{oneLine(s.description)}</span>
              {s.needs ? (
                <span className="small" data-testid="stack-needs">
                  {needsText(s.needs)}
                </span>
              ) : null}
              <span className="small" data-testid="stack-deployed">
                {where === undefined
                  ? deployments.isLoading
                    ? 'Looking for deployments…'
                    : ''
                  : where.length === 0
                    ? 'Not deployed'
                    : `Deployed to ${where.map(describeTarget).join('; ')}`}
              </span>
            </button>
          );
        })}
      </div>
      {chosen?.origin === 'user' ? (
        <RemoveUserStack
          key={chosen.name}
          stack={chosen}
          where={whereOf(chosen.name)}
          onRemoved={() => onRemoved?.(chosen.name)}
        />
      ) : null}
      {(deployments.data?.unreachable ?? []).length > 0 ? (
        <p className="muted small" data-testid="deployments-unreachable">
          Could not ask {deployments.data?.unreachable.map((u) => u.where).join(', ')}: stacks may be deployed there
          too.
        </p>
      ) : null}
    </>
  );
}

/** Removing a user stack asks first, and says what happens to where it is deployed. */
function RemoveUserStack({
  stack,
  where,
  onRemoved,
}: {
  stack: StackInfo;
  where: Target[] | undefined;
  onRemoved: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const remove = useRemoveUserStack();
  if (!asking) {
    return (
      <div className="row">
        <button type="button" onClick={() => setAsking(true)} data-testid="user-stack-remove">
          Remove {stack.title}…
        </button>
      </div>
    );
  }
  const deployed = where && where.length > 0;
  return (
    <div
      className="confirm"
      role="alertdialog"
      aria-label={`Remove ${stack.title}`}
      data-testid="user-stack-remove-confirm"
    >
      <p>
        Remove your stack <strong>{stack.title}</strong> and every saved version of it (v1–v{stack.version ?? '?'})?
      </p>
      {deployed ? (
        <p className="warning">
          It is deployed to {where.map(describeTarget).join('; ')}. What is deployed keeps running, but Homeport can no
          longer plan, roll back or score it there until you import it again under the same name.
        </p>
      ) : null}
      <div className="row">
        <button
          type="button"
          className="danger"
          disabled={remove.isPending}
          onClick={() => remove.mutate(stack.name, { onSuccess: onRemoved })}
          data-testid="user-stack-remove-yes"
        >
          {remove.isPending ? 'Removing…' : 'Remove'}
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </div>
      {remove.error ? (
        <p className="error" role="alert">
          {remove.error.message}
        </p>
      ) : null}
    </div>
  );
}
