import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { STANDIN_IMAGE, STANDIN_IMAGES } from '../electron/core/docker/testing/dockerd';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { ConnectionsPage } from './pages/connections-page';
import { SwarmPage } from './pages/swarm-page';

const run = promisify(execFile);
let homeport: HomeportServer;
let dockerHost: string;
const services: string[] = [];

const docker = async (args: string[]) => (await run('docker', ['--host', dockerHost, ...args])).stdout;

/** A one-replica service of `image`, once its task runs. */
async function service(prefix: string, image: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  services.push(name);
  await docker(['service', 'create', '--quiet', '--detach', '--name', name, image]);
  await expect
    .poll(
      async () => docker(['service', 'ps', name, '--filter', 'desired-state=running', '--format', '{{.CurrentState}}']),
      {
        timeout: 60_000,
      },
    )
    .toMatch(/^Running/);
  return name;
}

/** The processes in a service's one container, as the engine lists them. */
async function processes(name: string): Promise<string> {
  const id = (await docker(['ps', '--filter', `label=com.docker.swarm.service.name=${name}`, '-q'])).trim();
  return docker(['top', id, '-o', 'pid,args']);
}

test.beforeAll(async () => {
  const host = process.env.HOMEPORT_E2E_DOCKER_HOST;
  if (!host) throw new Error('The e2e global setup did not start the test Docker engine');
  dockerHost = host;
  homeport = await startHomeport({ env: { KUBECONFIG: '/nonexistent/kubeconfig', DOCKER_HOST: '' } });
});

test.afterAll(async () => {
  await homeport?.close();
  if (services.length > 0) await docker(['service', 'rm', ...services]).catch(() => undefined);
});

test('a shell in a Swarm task: type, read, paste, resize the window, close', async ({ page, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: homeport.origin });
  const withShell = await service('shell', STANDIN_IMAGE);
  const withoutShell = await service('noshell', STANDIN_IMAGES.dragonfly!);

  const connections = new ConnectionsPage(page);
  await connections.open(homeport.url);
  await connections.addEndpoint('homelab', dockerHost);
  await expect(connections.endpoint('homelab')).toBeVisible();

  const swarm = new SwarmPage(page);
  await swarm.open(homeport.origin);
  await swarm.openService(withShell);
  await expect(swarm.tasks()).toHaveCount(1);
  const shell = await swarm.openTaskShell();
  await shell.open();
  await expect(shell.place()).toContainText(`task ${withShell}.1`);
  await expect(shell.place()).toContainText('container');

  await shell.run('echo hello');
  await shell.expectLine('hello');

  // Pasted text (Ctrl+Shift+V) is sent like typing.
  await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((6*7))'));
  await shell.screen().click();
  await page.keyboard.press('Control+Shift+V');
  await page.keyboard.press('Enter');
  await shell.expectLine('pasted-42');

  // The terminal follows the window's size, and so does the container's terminal.
  await page.setViewportSize({ width: 1280, height: 800 });
  const { before, after } = await shell.sizeAcross(() => page.setViewportSize({ width: 800, height: 600 }));
  expect(after[0]).toBeLessThan(before[0]!);
  expect(after[1]).toBeLessThan(before[1]!);

  // Ending the session ends the shell in the container.
  await shell.endAndExpectShellGone(() => processes(withShell));
  await shell.close();

  // A container without a shell says so, naming the task, and what to do.
  await swarm.openService(withoutShell);
  await expect(swarm.tasks()).toHaveCount(1);
  const none = await swarm.openTaskShell();
  await none.open();
  await expect(none.end()).toContainText('This container has no /bin/sh');
  await expect(none.end()).toContainText(`task ${withoutShell}.1`);
  await expect(none.end()).toContainText('Pick another shell');
  await none.close();
});
