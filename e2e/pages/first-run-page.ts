import type { Locator, Page } from '@playwright/test';

/** The empty Connections screen's way in: "Try the sandbox". */
export class TrySandboxPanel {
  constructor(readonly page: Page) {}

  empty(): Locator {
    return this.page.getByTestId('no-contexts');
  }

  button(): Locator {
    return this.empty().getByRole('button', { name: 'Try the sandbox' });
  }
}
