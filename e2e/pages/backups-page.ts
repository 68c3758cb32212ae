import { expect, type Locator, type Page } from '@playwright/test';
import { TargetPicker } from './target-picker';

/** A running (or ended) backup, restore or drill as the screen shows it. */
export class OperationPanel {
  readonly state: Locator;
  readonly live: Locator;
  constructor(readonly root: Locator) {
    this.state = root.getByTestId('operation-state');
    this.live = root.getByTestId('operation-live');
  }
  item(name: string): Locator {
    return this.root.locator(`[data-item="${name}"]`);
  }
  async cancel() {
    await this.root.getByRole('button', { name: 'Cancel' }).click();
  }
}

/** The restore dialog: target, plan, confirmation, progress, the restored stack's rollout. */
export class RestoreDialog {
  readonly plan: Locator;
  readonly progress: OperationPanel;
  readonly rolloutState: Locator;
  readonly confirmReplace: Locator;
  constructor(readonly root: Locator) {
    this.plan = root.getByTestId('restore-plan');
    this.progress = new OperationPanel(root.getByTestId('backup-progress'));
    this.rolloutState = root.getByTestId('rollout-state');
    this.confirmReplace = root.getByRole('checkbox', { name: /^Replace the deployed/ });
  }
  async intoNamespace(namespace: string) {
    await this.root.getByRole('radio', { name: 'Kubernetes (k3s)' }).check();
    await this.root.getByRole('textbox', { name: 'Namespace', exact: true }).fill(namespace);
  }
  async review() {
    await this.root.getByRole('button', { name: 'Review restore' }).click();
    await expect(this.plan).toBeVisible({ timeout: 30_000 });
  }
  get restoreButton(): Locator {
    return this.root.getByRole('button', { name: /^Restore into / });
  }
  async close() {
    await this.root.getByRole('button', { name: 'Close' }).click();
  }
}

/** The Backups screen: stack and target, destination, passphrase, backups, schedule. */
export class BackupsPage {
  readonly target: TargetPicker;
  readonly keyStatus: Locator;
  readonly passphraseError: Locator;
  readonly backupProgress: OperationPanel;

  constructor(readonly page: Page) {
    this.target = new TargetPicker(page);
    this.keyStatus = page.getByTestId('key-status');
    this.passphraseError = page.locator('[data-field-error="passphrase"]');
    this.backupProgress = new OperationPanel(page.getByRole('group', { name: 'Backup progress' }));
  }

  async open(origin: string) {
    await this.page.goto(`${origin}/#backups`);
    await expect(this.page.getByRole('heading', { name: 'Backups', level: 1 })).toBeVisible();
  }

  async localFolder(dir: string) {
    await this.page.getByRole('radio', { name: 'Local folder' }).check();
    await this.page.getByRole('textbox', { name: 'Folder', exact: true }).fill(dir);
  }

  async setPassphrase(passphrase: string) {
    const form = this.page.getByRole('form', { name: 'Set passphrase' });
    if (!(await form.isVisible())) {
      await this.page.getByRole('button', { name: /^(Set|Change) passphrase$/ }).click();
    }
    await form.getByLabel('Passphrase').fill(passphrase);
    await form.getByRole('button', { name: 'Save passphrase' }).click();
  }

  async backUpNow() {
    await this.page.getByRole('button', { name: 'Back up now' }).click();
  }

  /** The backups of a stack at the destination, newest first. */
  backups(stack: string): Locator {
    return this.page.getByTestId(`backups-${stack}`).locator('tr[data-backup]');
  }

  row(id: string): Locator {
    return this.page.locator(`tr[data-backup="${id}"]`);
  }

  async verify(id: string): Promise<OperationPanel> {
    const row = this.row(id);
    await row.getByRole('button', { name: 'Verify' }).click();
    return new OperationPanel(row.getByRole('group', { name: `Verify ${id}` }));
  }

  drill(id: string): Locator {
    return this.row(id).getByTestId('backup-drill');
  }

  /** Fills the schedule form (the fields given) and saves it. */
  async saveSchedule(fields: { at?: string; keepDaily?: string; keepWeekly?: string; every?: 'Day' | 'Week' }) {
    const form = this.page.getByRole('form', { name: 'Backup schedule' });
    if (fields.every) await form.getByLabel('Every').selectOption({ label: fields.every });
    if (fields.at !== undefined) await form.getByRole('textbox', { name: 'Time', exact: true }).fill(fields.at);
    if (fields.keepDaily !== undefined) {
      await form.getByRole('spinbutton', { name: 'Keep daily', exact: true }).fill(fields.keepDaily);
    }
    if (fields.keepWeekly !== undefined) {
      await form.getByRole('spinbutton', { name: 'Keep weekly', exact: true }).fill(fields.keepWeekly);
    }
    await form.getByRole('button', { name: 'Save schedule' }).click();
  }

  scheduleError(field: string): Locator {
    return this.page.locator(`[data-field-error="schedule.${field}"]`);
  }

  get schedules(): Locator {
    return this.page.getByRole('list', { name: 'Schedules' });
  }

  async restore(id: string): Promise<RestoreDialog> {
    await this.row(id).getByRole('button', { name: 'Restore…' }).click();
    const dialog = this.page.getByRole('dialog', { name: `Restore ${id}` });
    await expect(dialog).toBeVisible();
    return new RestoreDialog(dialog);
  }
}
