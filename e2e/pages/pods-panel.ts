import { expect, type Locator, type Page } from '@playwright/test';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;

/** The pods screen's layout: table cells, the divider, the panel; and the panel's log pane. */
export class PodsLayout {
  constructor(readonly page: Page) {}

  split(): Locator {
    return this.page.getByTestId('pods-split');
  }

  divider(): Locator {
    return this.page.getByTestId('pods-divider');
  }

  /** Drags the divider by `dx` pixels (negative: to the left, widening the panel). */
  async dragDivider(dx: number) {
    const handle = (await this.divider().boundingBox())!;
    const x = handle.x + handle.width / 2;
    await this.page.mouse.move(x, handle.y + 40);
    await this.page.mouse.down();
    await this.page.mouse.move(x + dx, handle.y + 40, { steps: 5 });
    await this.page.mouse.up();
  }

  panel(): Locator {
    return this.page.getByTestId('pod-details');
  }

  /**
   * What is wrong with the table's cells (header and rows): cells whose boxes intersect, cells
   * outside the table, text that runs out of its cell without being clipped. Empty when all is well.
   */
  async cellProblems(): Promise<string[]> {
    const table = (await this.page.getByTestId('pods-table').boundingBox())!;
    const rows = this.page.locator('[data-testid="pods-table"] .pod-grid');
    const problems: string[] = [];
    const count = await rows.count();
    for (let r = 0; r < count; r++) {
      const cells = rows.nth(r).locator(':scope > span');
      const boxes: Box[] = [];
      const n = await cells.count();
      for (let c = 0; c < n; c++) {
        const box = await cells.nth(c).boundingBox();
        if (!box) continue;
        boxes.push(box);
        if (box.x < table.x - 0.5 || box.x + box.width > table.x + table.width + 0.5) {
          problems.push(`row ${r} cell ${c} lies outside the table`);
        }
        const spills = await cells
          .nth(c)
          .evaluate((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'hidden');
        if (spills) problems.push(`row ${r} cell ${c}: text runs out of the cell`);
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          if (overlaps(boxes[i]!, boxes[j]!)) problems.push(`row ${r}: cells ${i} and ${j} overlap`);
        }
      }
    }
    return problems;
  }
}

/** The log pane of the pod panel. */
export class PodLogPane {
  readonly pane: Locator;
  constructor(readonly page: Page) {
    this.pane = page.getByTestId('pod-logs-pane');
  }

  view(): Locator {
    return this.pane.getByTestId('pod-logs');
  }

  async search(text: string) {
    await this.pane.getByTestId('log-search').fill(text);
  }

  marks(): Locator {
    return this.view().locator('mark');
  }

  matches(): Locator {
    return this.pane.getByTestId('log-matches');
  }

  async setWrap(on: boolean) {
    await this.pane.getByTestId('log-wrap').setChecked(on);
  }

  async setPrevious(on: boolean) {
    await this.pane.getByTestId('log-previous').setChecked(on);
  }

  /** Clicks Download and returns the saved file's name and text. */
  async download(): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([
      this.page.waitForEvent('download'),
      this.pane.getByTestId('log-download').click(),
    ]);
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { name: file.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
  }

  async expectText(text: string | RegExp) {
    await expect(this.view()).toContainText(text, { timeout: 15_000 });
  }
}
