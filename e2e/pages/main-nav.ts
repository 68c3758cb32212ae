import { expect, type Locator, type Page } from '@playwright/test';

/** The sidebar's list of screens, and the heading each one opens with. */
export class MainNav {
  constructor(readonly page: Page) {}

  links(): Locator {
    return this.page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  }

  link(label: string): Locator {
    return this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });
  }

  heading(label: string): Locator {
    return this.page.getByRole('main').getByRole('heading', { level: 1, name: label, exact: true });
  }

  /** Opens a screen from the sidebar and waits for its heading (its code may load first). */
  async open(label: string) {
    await this.link(label).click();
    await expect(this.heading(label)).toBeVisible({ timeout: 10_000 });
  }
}
