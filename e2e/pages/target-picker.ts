import type { Locator, Page } from '@playwright/test';

/** The target picker shared by the Deploy and Readiness screens. */
export class TargetPicker {
  readonly context: Locator;
  readonly namespace: Locator;
  readonly endpoint: Locator;

  constructor(readonly page: Page) {
    this.context = page.getByTestId('target-context');
    this.namespace = page.getByTestId('target-namespace');
    this.endpoint = page.getByTestId('target-endpoint');
  }

  async kubernetes(namespace?: string) {
    await this.page.getByTestId('target-kubernetes').check();
    if (namespace !== undefined) await this.namespace.fill(namespace);
  }

  async swarm() {
    await this.page.getByTestId('target-swarm').check();
  }
}
