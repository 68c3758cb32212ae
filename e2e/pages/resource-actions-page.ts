import { expect, type Locator, type Page } from '@playwright/test';

/** The Events screen (#events): the events table, the nodes with their actions, the object editor. */
export class ResourceActionsPage {
  constructor(readonly page: Page) {}

  async open(origin: string) {
    await this.page.goto(`${origin}/#events`);
    await expect(this.page.getByRole('heading', { name: 'Events', exact: true })).toBeVisible();
    await expect(this.page.getByTestId('events-view').getByTestId('watch-status')).toContainText('Live');
  }

  eventRows(reason?: string): Locator {
    const rows = this.page.getByTestId('event-row');
    return reason ? rows.and(this.page.locator(`[data-reason="${reason}"]`)) : rows;
  }

  node(name: string): Locator {
    return this.page.locator(`[data-node="${name}"]`);
  }

  async openDrain(node: string): Promise<Locator> {
    await this.node(node).getByRole('button', { name: 'Drain…' }).click();
    const confirm = this.page.getByTestId('drain-confirm');
    await expect(confirm).toBeVisible();
    return confirm;
  }

  async openObject(o: { apiVersion: string; kind: string; namespace: string; name: string }): Promise<Locator> {
    const form = this.page.locator('section[aria-labelledby="edit-title"]');
    await form.getByLabel('API version').fill(o.apiVersion);
    await form.getByLabel('Kind').fill(o.kind);
    await form.getByLabel('Namespace').fill(o.namespace);
    await form.getByLabel('Name', { exact: true }).fill(o.name);
    await form.getByRole('button', { name: 'Open' }).click();
    return this.page.getByTestId('object-editor');
  }
}
