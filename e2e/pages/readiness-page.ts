import { expect, type Locator, type Page } from '@playwright/test';
import { TargetPicker } from './target-picker';

const percent = async (l: Locator) => Number((await l.textContent())?.replace('%', ''));

/** The Readiness screen: the live scorecard of a stack on the chosen target, and its fixes. */
export class ReadinessPage {
  readonly target: TargetPicker;
  readonly overall: Locator;
  /** What the score covers: "of 9 observed · 3 unknown". */
  readonly coverage: Locator;
  /** The headings of the check groups, in screen order (Failing, Not observed, Warnings, Passing). */
  readonly groups: Locator;

  constructor(readonly page: Page) {
    this.target = new TargetPicker(page);
    this.overall = page.getByTestId('readiness-score');
    this.coverage = page.getByTestId('readiness-coverage');
    this.groups = page.locator('[data-verdict-group] > h2');
  }

  async open(origin: string) {
    await this.page.goto(`${origin}/#readiness`);
    await expect(this.page.getByRole('heading', { name: 'Readiness' })).toBeVisible();
  }

  check(id: string): Locator {
    return this.page.locator(`[data-check="${id}"]`);
  }

  categoryScore(category: string): Locator {
    return this.page.locator(`[data-category="${category}"]`).getByTestId('category-score');
  }

  categoryPercent(category: string): Promise<number> {
    return percent(this.categoryScore(category));
  }

  overallPercent(): Promise<number> {
    return percent(this.overall);
  }

  /** Opens a check, asks for its fix's plan, and returns the check's locator. */
  async planFix(id: string): Promise<Locator> {
    const check = this.check(id);
    await check.locator('summary').click();
    await check.getByTestId(`fix-${id}`).click();
    await expect(check.getByTestId('plan-review')).toBeVisible();
    return check;
  }

  async applyFix(check: Locator) {
    await check.getByTestId('apply-fix').click();
  }
}
