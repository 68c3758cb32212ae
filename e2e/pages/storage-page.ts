import { expect, type Locator, type Page } from '@playwright/test';

export interface NasHostForm {
  name: string;
  address: string;
  port: string;
  user: string;
  keyFile: string;
}

export interface S3ProfileForm {
  name: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The Storage screen: NAS hosts with their NFS exports, S3 profiles with their buckets. */
export class StoragePage {
  constructor(readonly page: Page) {}

  async open(origin: string) {
    await this.page.goto(`${origin}/#storage`);
    await expect(this.page.getByRole('heading', { name: 'Storage', exact: true })).toBeVisible();
  }

  /** The whole rendered page, to check what it never shows. */
  text(): Locator {
    return this.page.locator('body');
  }

  nasField(field: keyof NasHostForm): Locator {
    return this.page.getByTestId(`nas-${field}`);
  }

  /** Fills the Add NAS host form (only the fields given) and submits it. */
  async addNasHost(fields: Partial<NasHostForm>) {
    for (const [field, value] of Object.entries(fields)) await this.nasField(field as keyof NasHostForm).fill(value);
    await this.page.getByRole('button', { name: 'Add NAS host' }).click();
  }

  nasError(): Locator {
    return this.page.getByTestId('nas-error');
  }

  nasHost(name: string): NasHostRow {
    return new NasHostRow(this.page, this.page.locator(`[data-nas="${name}"]`));
  }

  s3Field(field: keyof S3ProfileForm): Locator {
    return this.page.getByTestId(`s3-${field}`);
  }

  async addS3Profile(fields: S3ProfileForm) {
    for (const [field, value] of Object.entries(fields)) await this.s3Field(field as keyof S3ProfileForm).fill(value);
    await this.page.getByRole('button', { name: 'Add S3 profile' }).click();
  }

  /** What the S3 profile form says when it refuses the input. */
  s3Error(): Locator {
    return this.page.getByTestId('s3-error');
  }

  s3Profile(name: string): S3ProfileRow {
    return new S3ProfileRow(this.page, this.page.locator(`[data-s3="${name}"]`));
  }
}

/** One NAS host in the table: probe, host key, exports. */
export class NasHostRow {
  constructor(
    private readonly page: Page,
    readonly row: Locator,
  ) {}

  async probe() {
    await this.row.getByRole('button', { name: 'Probe' }).click();
  }

  hostKeyFingerprint(): Locator {
    return this.row.getByTestId('host-key-fingerprint');
  }

  async trustHostKey() {
    await this.row.getByRole('button', { name: 'Trust this host key and connect' }).click();
  }

  /** The alarm shown for a changed host key (no button to trust it). */
  hostKeyChanged(): Locator {
    return this.row.getByTestId('host-key-changed');
  }

  trustButton(): Locator {
    return this.row.getByRole('button', { name: 'Trust this host key and connect' });
  }

  probeResult(): Locator {
    return this.row.getByTestId('nas-probe-result');
  }

  async openExports(): Promise<ExportsPanel> {
    await this.row.getByRole('button', { name: 'Exports' }).click();
    return new ExportsPanel(this.page.getByTestId('exports-panel'));
  }
}

/** The NFS exports of the open NAS host, and the form that creates one. */
export class ExportsPanel {
  constructor(readonly panel: Locator) {}

  async create(fields: { name: string; path: string; clients: string }) {
    for (const [field, value] of Object.entries(fields)) await this.panel.getByTestId(`export-${field}`).fill(value);
    await this.submit();
  }

  /** Submits the form as it is. */
  async submit() {
    await this.panel.getByRole('button', { name: 'Create export' }).click();
  }

  created(): Locator {
    return this.panel.getByTestId('export-created');
  }

  export(name: string): Locator {
    return this.panel.locator(`[data-export="${name}"]`);
  }

  active(name: string): Locator {
    return this.export(name).getByTestId('export-active');
  }

  async remove(name: string) {
    await this.export(name).getByRole('button', { name: 'Remove' }).click();
  }
}

/** One S3 profile in the table: test, buckets. */
export class S3ProfileRow {
  constructor(
    private readonly page: Page,
    readonly row: Locator,
  ) {}

  async test(): Promise<Locator> {
    await this.row.getByRole('button', { name: 'Test connection' }).click();
    return this.row.getByTestId('s3-result');
  }

  async openBuckets(): Promise<BucketsPanel> {
    await this.row.getByRole('button', { name: 'Buckets' }).click();
    return new BucketsPanel(this.page.getByTestId('buckets-panel'));
  }
}

/** The buckets of the open S3 profile. */
export class BucketsPanel {
  constructor(readonly panel: Locator) {}

  async create(name: string) {
    await this.panel.getByTestId('bucket-name').fill(name);
    await this.panel.getByRole('button', { name: 'Create bucket' }).click();
  }

  error(): Locator {
    return this.panel.getByTestId('bucket-error');
  }

  bucket(name: string): Locator {
    return this.panel.locator(`[data-bucket="${name}"]`);
  }

  async deleteIfEmpty(name: string) {
    await this.bucket(name).getByRole('button', { name: 'Delete (if empty)' }).click();
  }
}
