import { expect, type Locator, type Page } from '@playwright/test';

/** The Resources screen: the kind list, the table of one kind, and an object's drawer. */
export class ResourcesPage {
  constructor(readonly page: Page) {}

  /** Opens the screen on a kind (plural[.group], e.g. deployments.apps) and waits for its live rows. */
  async open(origin: string, kind = 'deployments.apps') {
    await this.page.goto(`${origin}/#resources/${kind}`);
    await expect(this.page.getByRole('heading', { name: 'Resources' })).toBeVisible();
    await expect(this.page.getByTestId('watch-status')).toContainText('Live');
  }

  /** Picks a kind in the list, as a user would. */
  async pickKind(kind: string) {
    await this.page.getByTestId('kind-list').locator(`[data-kind="${kind}"]`).click();
    await expect(this.page.getByTestId('watch-status')).toContainText('Live');
  }

  /** A section of the kind list (Workloads, Network, ..., Custom). */
  kindSection(title: string): Locator {
    return this.page.getByTestId('kind-list').locator(`[data-section="${title}"]`);
  }

  row(namespace: string, name: string): Locator {
    return this.page.locator(`[data-testid="resource-rows"] [data-row="${namespace}/${name}"]`);
  }

  /** The row keys (namespace/name) in the order shown. */
  async rowOrder(): Promise<string[]> {
    return this.page.locator('[data-testid="resource-rows"] [data-row]').evaluateAll((els) =>
      els
        .map((e) => ({ key: e.getAttribute('data-row') ?? '', top: e.parentElement?.offsetTop ?? 0 }))
        .sort((a, b) => a.top - b.top)
        .map((e) => e.key),
    );
  }

  sortBy(label: string): Promise<void> {
    return this.page.getByTestId('resource-table').getByRole('button', { name: label, exact: true }).click();
  }

  header(label: string): Locator {
    return this.page.getByTestId('resource-table').getByRole('columnheader', { name: label, exact: true });
  }

  problemsFirst(): Locator {
    return this.page.getByRole('checkbox', { name: 'Problems first' });
  }

  filter(): Locator {
    return this.page.getByRole('searchbox', { name: 'Filter resources' });
  }

  async openDrawer(namespace: string, name: string): Promise<ResourceDrawer> {
    await this.row(namespace, name).click();
    return new ResourceDrawer(this.page.getByTestId('resource-drawer'));
  }
}

export class ResourceDrawer {
  constructor(readonly panel: Locator) {}

  yaml(): Locator {
    return this.panel.getByTestId('object-yaml');
  }

  secretKey(key: string): Locator {
    return this.panel.getByTestId('secret-keys').locator(`[data-key="${key}"]`);
  }

  async reveal(key: string): Promise<Locator> {
    await this.panel.getByRole('button', { name: `Reveal ${key}` }).click();
    return this.secretKey(key).getByTestId('secret-value');
  }

  close(): Promise<void> {
    return this.panel.getByRole('button', { name: 'Close details' }).click();
  }
}
