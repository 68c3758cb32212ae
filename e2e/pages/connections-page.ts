import { expect, type Locator, type Page } from '@playwright/test';

/** The Connections screen, as a user sees it: kubeconfig contexts, then Docker endpoints. */
export class ConnectionsPage {
  constructor(readonly page: Page) {}

  async open(url: string) {
    await this.page.goto(url);
    await expect(this.page.getByRole('heading', { name: 'Connections' })).toBeVisible();
  }

  /** The whole rendered page, to check what it never shows. */
  text(): Locator {
    return this.page.locator('body');
  }

  /** What the app says when opened without the session token (or with a wrong one). */
  async openWithoutToken(origin: string): Promise<Locator> {
    await this.page.goto(origin);
    return this.page.getByRole('alert').first();
  }

  row(context: string): Locator {
    return this.page.getByTestId(`context-row-${context}`);
  }

  server(context: string): Locator {
    return this.row(context).getByTestId('context-server');
  }

  namespace(context: string): Locator {
    return this.row(context).getByTestId('context-namespace');
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

  /** Answers a credential plugin's request to run, shown in the context's test result. */
  async allowExec(context: string) {
    await this.row(context)
      .getByTestId('connection-result')
      .getByRole('button', { name: 'Allow this command and connect' })
      .click();
  }

  kubeconfigPath(): Locator {
    return this.page.getByLabel('Add a kubeconfig file');
  }

  async addKubeconfig(path: string) {
    await this.kubeconfigPath().fill(path);
    await this.page.getByRole('button', { name: 'Add file' }).click();
  }

  /** Why the kubeconfig file was refused. */
  kubeconfigError(): Locator {
    return this.page.getByRole('alert');
  }

  endpointField(field: 'name' | 'url'): Locator {
    return this.page.getByTestId(`endpoint-${field}`);
  }

  async addEndpoint(name: string, url: string) {
    await this.endpointField('name').fill(name);
    await this.endpointField('url').fill(url);
    await this.page.getByRole('button', { name: 'Add endpoint' }).click();
  }

  endpointError(): Locator {
    return this.page.getByTestId('endpoint-error');
  }

  endpoint(name: string): Locator {
    return this.page.locator(`[data-endpoint="${name}"]`);
  }

  async testEndpoint(name: string): Promise<Locator> {
    await this.endpoint(name).getByRole('button', { name: 'Test connection' }).click();
    return this.endpoint(name).getByTestId('endpoint-result');
  }
}
