import { expect, type Locator, type Page } from '@playwright/test';
import { ShellDock } from './shell-dock';

/** The Pods screen and its details panel. */
export class PodsPage {
  constructor(readonly page: Page) {}

  async open(origin: string) {
    await this.page.goto(`${origin}/#pods`);
    await expect(this.page.getByRole('heading', { name: 'Pods' })).toBeVisible();
    await expect(this.page.getByTestId('watch-status')).toContainText('Live');
  }

  row(namespace: string, name: string): Locator {
    return this.page.locator(`[data-pod="${namespace}/${name}"]`);
  }

  domRowCount(): Promise<number> {
    return this.page.locator('[data-testid="pods-rows"] [role="row"]').count();
  }

  /** Opens a pod's details panel. */
  async openDetails(namespace: string, name: string): Promise<PodDetailsPanel> {
    await this.row(namespace, name).click();
    return new PodDetailsPanel(this.page.getByTestId('pod-details'));
  }
}

/** The details panel of one pod. */
export class PodDetailsPanel {
  constructor(readonly panel: Locator) {}

  containers(): Locator {
    return this.panel.getByTestId('pod-containers');
  }

  conditions(): Locator {
    return this.panel.getByTestId('pod-conditions');
  }

  events(): Locator {
    return this.panel.getByTestId('pod-events');
  }

  logs(): Locator {
    return this.panel.getByTestId('pod-logs');
  }

  /** The pod's shell dock, opened (the terminal itself starts with ShellDock.open). */
  async openShell(): Promise<ShellDock> {
    await this.panel.getByTestId('pod-shell').click();
    return new ShellDock(this.panel.page());
  }

  /** Deletes the pod, confirming when asked. */
  async delete() {
    await this.panel.getByRole('button', { name: 'Delete…' }).click();
    await this.panel.getByRole('alertdialog').getByRole('button', { name: 'Delete pod' }).click();
  }
}

/** The cluster picker in the sidebar. */
export class ClusterPicker {
  constructor(readonly page: Page) {}

  simulatedBadge(): Locator {
    return this.page.getByTestId('simulated-badge');
  }
}

/** The Leaders screen. */
export class LeadersPage {
  constructor(readonly page: Page) {}

  async open(origin: string) {
    await this.page.goto(`${origin}/#leaders`);
    await expect(this.page.getByRole('heading', { name: 'Leaders' })).toBeVisible();
  }

  /** With no cluster connected the screen shows only the active swarm's managers. */
  async openWithoutCluster(origin: string) {
    await this.page.goto(`${origin}/#leaders`);
    await expect(this.page.getByRole('heading', { name: /^Swarm managers/ })).toBeVisible();
  }

  row(namespace: string, name: string): Locator {
    return this.page.locator(`[data-lease="${namespace}/${name}"]`);
  }

  holder(namespace: string, name: string): Locator {
    return this.row(namespace, name).getByTestId('lease-holder');
  }

  verdict(namespace: string, name: string): Locator {
    return this.row(namespace, name).getByTestId('lease-verdict');
  }

  /** The Raft role shown for the active swarm's managers ("Leader", "Follower"). */
  swarmRaftRole(): Locator {
    return this.page.getByTestId('swarm-managers').getByTestId('raft-role');
  }

  /** A deployed stack's leader row read from its database table. */
  tableLeader(stack: string): Locator {
    return this.page.locator(`[data-table-leader="${stack}"]`);
  }

  /** What the screen says about a stack whose leader is not a Lease. */
  stackLeader(stack: string): Locator {
    return this.page.locator(`[data-stack-leader="${stack}"]`);
  }
}
