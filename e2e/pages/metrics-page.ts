import { expect, type Locator, type Page } from '@playwright/test';

/** The Metrics screen: where metrics come from, and the panels. */
export class MetricsPage {
  readonly source: Locator;

  constructor(readonly page: Page) {
    this.source = page.getByTestId('metrics-source');
  }

  async open(origin: string) {
    await this.page.goto(`${origin}/#metrics`);
    await expect(this.page.getByRole('heading', { name: 'Metrics' })).toBeVisible();
  }

  panel(id: string): Locator {
    return this.page.locator(`[data-panel="${id}"]`);
  }
}
