import type { StackInfo, StackNeeds } from '@shared/deploy-schemas';
import { describeTarget } from '@shared/target-schemas';
import { useStackDeployments } from './use-user-stacks';

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
}: {
  stacks: StackInfo[];
  selected: string | undefined;
  onPick: (info: StackInfo) => void;
}) {
  const deployments = useStackDeployments();
  const whereOf = (name: string) => deployments.data?.stacks.find((d) => d.stack === name)?.targets;
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
      {(deployments.data?.unreachable ?? []).length > 0 ? (
        <p className="muted small" data-testid="deployments-unreachable">
          Could not ask {deployments.data?.unreachable.map((u) => u.where).join(', ')}: stacks may be deployed there
          too.
        </p>
      ) : null}
    </>
  );
}
