import type { Locator } from '@playwright/test';

/** The host key notice of one NAS host or endpoint row: the neutral question, or the changed-key alarm. */
export class HostKeyNotice {
  constructor(readonly row: Locator) {}

  /** The first-connection question (unknown key). */
  question(): Locator {
    return this.row.getByTestId('host-key-unknown');
  }

  /** The changed-key alarm. */
  alarm(): Locator {
    return this.row.getByTestId('host-key-changed');
  }

  previous(): Locator {
    return this.row.getByTestId('host-key-previous');
  }

  presented(): Locator {
    return this.row.getByTestId('host-key-presented');
  }

  async startReplacing() {
    await this.row.getByRole('button', { name: 'Replace trusted key…' }).click();
  }

  confirmInput(): Locator {
    return this.row.getByTestId('host-key-confirm-input');
  }

  replaceButton(): Locator {
    return this.row.getByRole('button', { name: 'Replace trusted key', exact: true });
  }
}
