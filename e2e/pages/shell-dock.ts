import { expect, type Locator, type Page } from '@playwright/test';

/**
 * The shell docked at the bottom of the window, wherever it was opened (a pod's details, a Swarm
 * task): pick the shell, open it, type into the terminal, read what it shows.
 */
export class ShellDock {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('shell-dock');
  }

  /** Opens the terminal with the default shell, or the one given ("/bin/bash"). */
  async open(shell?: string) {
    if (shell !== undefined) await this.root.getByTestId('shell-command').fill(shell);
    await this.root.getByTestId('shell-open').click();
    await expect(this.screen()).toBeVisible();
  }

  screen(): Locator {
    return this.root.getByTestId('terminal-screen');
  }

  /** Where the session runs, once it does: "task …, container …". */
  place(): Locator {
    return this.root.getByTestId('terminal-place');
  }

  /** Why the session ended or could not start. */
  end(): Locator {
    return this.root.getByTestId('terminal-end');
  }

  /** Types a line into the terminal as the user does. */
  async run(line: string) {
    await this.screen().click();
    await this.page.keyboard.type(line);
    await this.page.keyboard.press('Enter');
  }

  /** The terminal's visible lines, as the user reads them. */
  async lines(): Promise<string[]> {
    const rows = await this.screen().locator('.xterm-rows > div').allTextContents();
    return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd());
  }

  /** Waits until a whole line of the terminal reads `text`. */
  async expectLine(text: string | RegExp, timeout = 10_000) {
    await expect
      .poll(async () => (await this.lines()).some((l) => (typeof text === 'string' ? l === text : text.test(l))), {
        timeout,
        message: `a terminal line ${String(text)}`,
      })
      .toBe(true);
  }

  /**
   * The container's terminal size (`busybox stty size`: rows, columns) before and after `resize`
   * changes the window: the terminal follows the window, and the container's terminal follows it.
   */
  async sizeAcross(resize: () => Promise<void>): Promise<{ before: number[]; after: number[] }> {
    const size = /^\d+ \d+$/;
    const last = async () => (await this.lines()).filter((l) => size.test(l)).at(-1) ?? '';
    await this.run('busybox stty size');
    await this.expectLine(size);
    const before = await last();
    await resize();
    await this.run('clear; busybox stty size');
    await expect.poll(async () => (await last()) !== before).toBe(true);
    return { before: before.split(' ').map(Number), after: (await last()).split(' ').map(Number) };
  }

  /**
   * Ends the session and waits until the exec'd shell is gone from the container, as `processes`
   * (the container's process list, e.g. `docker top`) shows it.
   */
  async endAndExpectShellGone(processes: () => Promise<string>) {
    const execShell = /^\s*\d+\s+\/bin\/sh\s*$/m;
    expect(await processes()).toMatch(execShell);
    await this.endSession();
    await expect(this.end()).toHaveText('Session closed.');
    await expect.poll(processes, { timeout: 10_000 }).not.toMatch(execShell);
  }

  /** Ends the command (the terminal stays to read). */
  async endSession() {
    await this.root.getByTestId('terminal-close').click();
  }

  async close() {
    await this.root.getByTestId('shell-dock-close').click();
    await expect(this.root).toHaveCount(0);
  }
}
