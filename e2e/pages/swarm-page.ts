import { expect, type Locator, type Page } from '@playwright/test';
import { ShellDock } from './shell-dock';

/** The Swarm screen: nodes, services, and a service's tasks and log. */
export class SwarmPage {
  constructor(readonly page: Page) {}

  async open(origin: string) {
    await this.page.goto(`${origin}/#swarm`);
    await expect(this.page.getByRole('heading', { name: 'Swarm' })).toBeVisible();
  }

  /** The manager column of the nodes table ("Leader", "Reachable", ...). */
  managerStatus(): Locator {
    return this.page.getByTestId('swarm-nodes').getByTestId('node-manager');
  }

  service(name: string): Locator {
    return this.page.locator(`[data-service="${name}"]`);
  }

  /** Running/desired, as "2/2". */
  replicas(service: string): Locator {
    return this.service(service).getByTestId('service-replicas');
  }

  async openService(name: string) {
    await this.service(name).click();
  }

  /** The tasks of the open service. */
  tasks(): Locator {
    return this.page.getByTestId('swarm-tasks').locator('[data-task]');
  }

  /** The shell dock of a task of the open service (the terminal itself starts with ShellDock.open). */
  async openTaskShell(task: Locator = this.tasks().first()): Promise<ShellDock> {
    await task.getByTestId('task-shell').click();
    return new ShellDock(this.page);
  }
}
