import { expect, type Locator, type Page } from '@playwright/test';

/** The Pods screen and its details panel. */
export class PodsPage {
  constructor(readonly page: Page) {}

  async open(origin: string) {
    await this.page.goto(`${origin}/#pods`);
    await expect(this.page.getByRole('heading', { name: 'Pods' })).toBeVisible();
    await expect(this.page.getByTestId('watch-status')).toContainText('Live');
  }

  row(namespace: string, name: string): Locator {
    return this.page.locator(`[data-pod="${namespace}/${name}"]`);
  }

  domRowCount(): Promise<number> {
    return this.page.locator('[data-testid="pods-rows"] [role="row"]').count();
  }
}

/** The Leaders screen. */
export class LeadersPage {
  constructor(readonly page: Page) {}

  async open(origin: string) {
    await this.page.goto(`${origin}/#leaders`);
    await expect(this.page.getByRole('heading', { name: 'Leaders' })).toBeVisible();
  }

  row(namespace: string, name: string): Locator {
    return this.page.locator(`[data-lease="${namespace}/${name}"]`);
  }

  holder(namespace: string, name: string): Locator {
    return this.row(namespace, name).getByTestId('lease-holder');
  }

  /** What the screen says about a stack whose leader is not a Lease. */
  stackLeader(stack: string): Locator {
    return this.page.locator(`[data-stack-leader="${stack}"]`);
  }
}
