import { expect, type Locator, type Page } from '@playwright/test';

/** "Open on localhost" in a pod's details: the pod's and its Services' ports, and the URL it opens. */
export class PodForwardsPanel {
  readonly root: Locator;

  constructor(details: Locator) {
    this.root = details.getByTestId('pod-forwards');
  }

  /** Forwards a port of a Service that selects the pod, as its button names it. */
  async openService(service: string, port: number) {
    await this.root
      .getByRole('button', { name: new RegExp(`^Open service ${service}:${port}\\b.* on localhost$`) })
      .click();
  }

  /** The local URL printed once the forward listens. */
  async startedUrl(): Promise<string> {
    const link = this.root.getByTestId('forward-started').getByTestId('forward-url');
    await expect(link).toHaveText(/^http:\/\/127\.0\.0\.1:\d+/, { timeout: 15_000 });
    return (await link.textContent()) ?? '';
  }

  error(): Locator {
    return this.root.getByRole('alert');
  }
}

/** The Pods screen's list of active port-forwards. */
export class ActiveForwardsList {
  readonly root: Locator;

  constructor(page: Page) {
    this.root = page.getByTestId('active-forwards');
  }

  /** The entry of the forward listening on `url`. */
  entry(url: string): Locator {
    return this.root
      .locator('li[data-forward]')
      .filter({ has: this.root.page().getByTestId('forward-url').getByText(url, { exact: true }) });
  }

  async stop(url: string) {
    await this.entry(url).getByRole('button', { name: 'Stop' }).click();
  }
}
