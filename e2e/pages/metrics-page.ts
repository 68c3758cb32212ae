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

  /** The range buttons (15m, 1h, ...), shown only for a source with history. */
  ranges(): Locator {
    return this.page.getByRole('radiogroup', { name: 'Time range' });
  }

  tiles(panel: string): Locator {
    return this.panel(panel).getByTestId('metric-tile');
  }

  /** The one error of the screen (a source that cannot be queried). */
  error(): Locator {
    return this.page.getByTestId('metrics-error');
  }

  settingsField(label: string): Locator {
    return this.page.locator('form').filter({ hasText: 'Prometheus for' }).getByLabel(label);
  }

  async testSettings() {
    await this.page.getByTestId('prometheus-test').click();
  }

  testResult(): Locator {
    return this.page.getByTestId('prometheus-test-result');
  }

  async saveSettings() {
    await this.page.locator('form').filter({ hasText: 'Prometheus for' }).getByRole('button', { name: 'Save' }).click();
  }
}
