import { expect, type Locator, type Page } from '@playwright/test';

/** The Connections screen, as a user sees it. */
export class ConnectionsPage {
  constructor(readonly page: Page) {}

  async open(url: string) {
    await this.page.goto(url);
    await expect(this.page.getByRole('heading', { name: 'Connections' })).toBeVisible();
  }

  row(context: string): Locator {
    return this.page.getByTestId(`context-row-${context}`);
  }

  contextNames(): Promise<string[]> {
    return this.page
      .locator('[data-testid^="context-row-"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-context') ?? ''));
  }

  async testConnection(context: string): Promise<Locator> {
    await this.row(context).getByRole('button', { name: 'Test connection' }).click();
    return this.row(context).getByTestId('connection-result');
  }

  async addKubeconfig(path: string) {
    await this.page.getByLabel('Add a kubeconfig file').fill(path);
    await this.page.getByRole('button', { name: 'Add file' }).click();
  }
}
