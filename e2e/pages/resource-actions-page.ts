import { expect, type Locator, type Page } from '@playwright/test';
import { type ResourceDrawer, ResourcesPage } from './resources-page';

/**
 * The resource actions as a user reaches them on the Resources screen: the Events kind (shown
 * deduplicated), a Node's cordon/drain in its drawer, and the Edit button of an object's drawer.
 */
export class ResourceActionsPage {
  readonly resources: ResourcesPage;

  constructor(readonly page: Page) {
    this.resources = new ResourcesPage(page);
  }

  /** From the app's start page: the Resources entry of the main navigation. */
  async openResources(origin: string) {
    await this.page.goto(origin);
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Resources' }).click();
    await expect(this.page.getByRole('heading', { name: 'Resources' })).toBeVisible();
  }

  /** Resources → Events. */
  async openEvents(origin: string) {
    await this.openResources(origin);
    await this.resources.pickKind('events');
    await expect(this.page.getByTestId('events-view').getByTestId('watch-status')).toContainText('Live');
  }

  eventRows(reason?: string): Locator {
    const rows = this.page.getByTestId('event-row');
    return reason ? rows.and(this.page.locator(`[data-reason="${reason}"]`)) : rows;
  }

  /** Resources → Nodes → the node: its drawer, with the node actions. */
  async openNode(origin: string, name: string): Promise<ResourceDrawer> {
    await this.openResources(origin);
    await this.resources.pickKind('nodes');
    const drawer = await this.resources.openDrawer('', name);
    await expect(drawer.panel.getByTestId(`node-actions-${name}`)).toBeVisible();
    return drawer;
  }

  /** Closes the open drawer and opens another node of the Nodes table. */
  async pickNode(open: ResourceDrawer, name: string): Promise<ResourceDrawer> {
    await open.close();
    const drawer = await this.resources.openDrawer('', name);
    await expect(drawer.panel.getByTestId(`node-actions-${name}`)).toBeVisible();
    return drawer;
  }

  async openDrain(drawer: ResourceDrawer): Promise<Locator> {
    await drawer.panel.getByRole('button', { name: 'Drain…' }).click();
    const confirm = drawer.panel.getByTestId('drain-confirm');
    await expect(confirm).toBeVisible();
    return confirm;
  }

  /** Resources → the kind → the object's drawer (Edit not pressed yet). */
  async openObject(kind: string, namespace: string, name: string): Promise<ResourceDrawer> {
    await this.resources.pickKind(kind);
    return this.resources.openDrawer(namespace, name);
  }

  /** Presses Edit in the drawer and returns the editor. */
  async edit(drawer: ResourceDrawer): Promise<Locator> {
    await drawer.panel.getByRole('button', { name: 'Edit', exact: true }).click();
    return drawer.panel.getByTestId('object-editor');
  }
}
