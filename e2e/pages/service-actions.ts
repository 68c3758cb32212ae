import type { Locator, Page } from '@playwright/test';

/** The actions of one service row on the Swarm screen, and the dialog each opens. */
export class ServiceActionsRow {
  constructor(
    readonly page: Page,
    readonly row: Locator,
  ) {}

  button(name: 'Scale…' | 'Restart…' | 'Remove…'): Locator {
    return this.row.getByRole('button', { name, exact: true });
  }

  dialog(): Locator {
    return this.row.getByRole('alertdialog');
  }

  async scaleTo(replicas: number) {
    await this.button('Scale…').click();
    await this.dialog().getByTestId('scale-replicas').fill(String(replicas));
    await this.dialog()
      .getByRole('button', { name: `Scale to ${replicas}` })
      .click();
  }

  async restart() {
    await this.button('Restart…').click();
    await this.dialog().getByRole('button', { name: 'Restart tasks' }).click();
  }

  async remove() {
    await this.button('Remove…').click();
    await this.dialog().getByRole('button', { name: 'Remove service' }).click();
  }
}
