import { expect, type Locator, type Page } from '@playwright/test';

/** The Deploy screen: cluster, stack, values form, plan review, rollout, revisions. */
export class DeployPage {
  constructor(readonly page: Page) {}

  async open(origin: string) {
    await this.page.goto(`${origin}/#deploy`);
    await expect(this.page.getByRole('heading', { name: 'Deploy' })).toBeVisible();
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

  workload(name: string): Locator {
    return this.page.locator(`[data-workload="${name}"]`);
  }
}
