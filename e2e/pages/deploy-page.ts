import { expect, type Locator, type Page } from '@playwright/test';
import { TargetPicker } from './target-picker';

/** The Deploy screen: target, stack, values form, plan review, rollout, revisions. */
export class DeployPage {
  readonly target: TargetPicker;
  readonly planSummary: Locator;
  readonly applyResult: Locator;
  readonly rolloutState: Locator;
  readonly revisions: Locator;
  readonly uninstallResult: Locator;

  constructor(readonly page: Page) {
    this.target = new TargetPicker(page);
    this.planSummary = page.getByTestId('plan-summary');
    this.applyResult = page.getByTestId('apply-result');
    this.rolloutState = page.getByTestId('rollout-state');
    this.revisions = page.getByTestId('revisions');
    this.uninstallResult = page.getByTestId('uninstall-result');
  }

  async open(origin: string) {
    await this.page.goto(`${origin}/#deploy`);
    await expect(this.page.getByRole('heading', { name: 'Deploy' })).toBeVisible();
  }

  async pickStack(name: string) {
    await this.page.getByTestId(`stack-${name}`).click();
  }

  get reviewPlanButton(): Locator {
    return this.page.getByTestId('review-plan');
  }

  async reviewPlan() {
    await this.reviewPlanButton.click();
  }

  async apply() {
    await this.page.getByTestId('apply').click();
  }

  field(path: string): Locator {
    return this.page.getByTestId(`field-${path}`);
  }

  fieldError(path: string): Locator {
    return this.page.locator(`[data-field-error="${path}"]`);
  }

  planItem(kind: string, name: string): Locator {
    return this.page.locator(`[data-plan-item="${kind}/${name}"]`);
  }

  /** Plan rows with the given actions ('create', 'update', 'unchanged', 'prune'). */
  planItems(...actions: string[]): Locator {
    return this.page.locator(actions.map((a) => `[data-action="${a}"]`).join(', '));
  }

  workload(name: string): Locator {
    return this.page.locator(`[data-workload="${name}"]`);
  }

  revision(n: number): Locator {
    return this.revisions.locator(`[data-revision="${n}"]`);
  }

  /** Asks to roll back to revision n and confirms once the rollback's plan is shown. */
  async rollBackTo(n: number) {
    await this.askRollBack(n);
    await expect(this.rollbackConfirm.getByTestId('plan-summary')).toBeVisible();
    await this.rollbackConfirm.getByTestId('confirm-rollback').click();
  }

  /** Opens the rollback confirmation for revision n (nothing is applied yet). */
  async askRollBack(n: number) {
    await this.revision(n)
      .getByRole('button', { name: `Roll back to ${n}` })
      .click();
  }

  get rollbackConfirm(): Locator {
    return this.page.getByTestId('rollback-confirm');
  }

  /** The values-level changes of the plan shown in `scope`, in order. */
  valueChanges(scope: Locator = this.page.getByTestId('plan-review').first()): Locator {
    return scope.locator('[data-value-change]');
  }

  /** Expands a plan item's side-by-side diff and returns it. */
  async showDiff(kind: string, name: string, scope: Locator | Page = this.page): Promise<Locator> {
    await scope.locator(`[data-plan-item="${kind}/${name}"]`).getByTestId('toggle-diff').click();
    return scope.locator(`[data-diff-of="${kind}/${name}"]`).getByTestId('object-diff');
  }

  /** Where the form's values come from: the deployed revision or the defaults. */
  get valuesSource(): Locator {
    return this.page.getByTestId('values-source');
  }

  async resetToDefaults() {
    await this.page.getByTestId('values-reset-defaults').click();
  }

  async backToDeployed() {
    await this.page.getByTestId('values-back-to-deployed').click();
  }

  /** A field's box: label, input, marks and errors; `data-changed-from-live` and `data-differs-from-default`. */
  fieldBox(path: string): Locator {
    return this.page.locator(`[data-field="${path}"]`);
  }

  /** 'live': "Changed from deployed"; 'default': "Differs from default". */
  mark(path: string, kind: 'live' | 'default'): Locator {
    return this.page.getByTestId(`mark-${kind}-${path}`);
  }

  group(path: string): Locator {
    return this.page.getByTestId(`group-${path}`);
  }

  async uninstall() {
    await this.page.getByRole('button', { name: 'Uninstall…' }).click();
    await this.page.getByRole('button', { name: /^Uninstall .* from/ }).click();
  }
}
