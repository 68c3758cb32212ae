import { expect, type Locator, type Page } from '@playwright/test';

/** The Overview screen (one card per context and Docker endpoint) and the in-app notifications. */
export class OverviewPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await expect(this.page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  }

  card(kind: 'kubernetes' | 'swarm', name: string): Locator {
    return this.page.locator(`[data-target="${kind}/${name}"]`);
  }

  state(card: Locator): Locator {
    return card.getByTestId('overview-state');
  }

  toasts(): Locator {
    return this.page.getByTestId('notification-toast');
  }

  async openBell(): Promise<Locator> {
    await this.page.getByTestId('notifications-bell').click();
    return this.page.getByRole('dialog', { name: 'Notifications' });
  }
}
