/**
 * A pod that runs for real: a shell in it and a port-forward to its Service, from the Pods screen.
 *
 * The pod lives in a sandbox whose kubelet is the Docker runtime on the e2e engine, started the way
 * the sandbox README tells a user to: `homeport serve --sandbox --runtime docker=<DOCKER_HOST>`. That
 * one command gives a Homeport whose only context is that sandbox, so nothing needs adding or
 * selecting, and the server removes the sandbox's containers when it stops. A separate
 * `homeport sandbox --runtime docker` with its kubeconfig added on the Connections screen would be
 * the same cluster, but its context is also named `homeport-sandbox`: next to the simulated sandbox
 * the other specs start it would be shadowed, so each runtime gets its own server here. The
 * simulated-sandbox case (exec refused, naming `--runtime docker`) uses a second, plain
 * `serve --sandbox` server, as the other specs do.
 *
 * The workload is a Deployment of the busybox stand-in image already on the engine, running
 * `httpd` on a file with a value made for this run, and a Service for it, created with kubectl.
 */
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STANDIN_IMAGE } from '../electron/core/docker/testing/dockerd';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { PodsPage } from './pages/live-pages';
import { ActiveForwardsList, PodForwardsPanel } from './pages/port-forwards';

const run = promisify(execFile);
const servers: HomeportServer[] = [];
let dockerHost: string;

const docker = async (args: string[]) => (await run('docker', ['--host', dockerHost, ...args])).stdout;

/** Only the sandbox's context: no kubeconfig or Docker engine of the machine leaks in. */
async function homeportWithSandbox(args: string[]): Promise<{ homeport: HomeportServer; kubeconfig: string }> {
  const homeport = await startHomeport({
    args: ['--sandbox', ...args],
    env: { KUBECONFIG: '/nonexistent/kubeconfig', DOCKER_HOST: '' },
  });
  servers.push(homeport);
  return { homeport, kubeconfig: join(homeport.dataDir, 'sandbox.kubeconfig') };
}

const webApp = (greeting: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: httpd
        image: ${STANDIN_IMAGE}
        command: ["sh", "-c", "mkdir -p /www && echo ${greeting} > /www/greeting.txt && exec httpd -f -p 8080 -h /www"]
        ports:
        - { name: http, containerPort: 8080 }
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector: { app: web }
  ports:
  - { name: http, port: 80, targetPort: http }
`;

/** The processes in the pod's one container, as the engine lists them. */
async function processes(pod: string): Promise<string> {
  const id = (await docker(['ps', '-q', '--filter', `label=io.kubernetes.pod.name=${pod}`])).trim();
  expect(id, `a running container of pod ${pod}`).not.toBe('');
  return docker(['top', id, '-o', 'pid,args']);
}

/** What a GET of `url` answers, or the error that it could not connect. */
async function get(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return `${res.status} ${(await res.text()).trim()}`;
  } catch (err) {
    return `failed: ${String((err as Error).cause ?? err)}`;
  }
}

test.beforeAll(() => {
  const host = process.env.HOMEPORT_E2E_DOCKER_HOST;
  if (!host) throw new Error('The e2e global setup did not start the test Docker engine');
  dockerHost = host;
});

test.afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('a pod of the Docker-runtime sandbox: shell, resize, close; a Service forwarded to localhost', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const { homeport, kubeconfig } = await homeportWithSandbox([`--runtime`, `docker=${dockerHost}`]);
  const greeting = `hello-from-${randomBytes(4).toString('hex')}`;
  await kubectl(kubeconfig, ['apply', '-f', '-'], webApp(greeting));
  await expect
    .poll(() => kubectl(kubeconfig, ['get', 'pods', '-l', 'app=web', '--no-headers']), { timeout: 60_000 })
    .toMatch(/\s1\/1\s+Running\s/);
  const podName = (
    await kubectl(kubeconfig, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])
  ).trim();

  await page.goto(homeport.url);
  const pods = new PodsPage(page);
  await pods.open(homeport.origin);
  await expect(pods.row('default', podName)).toContainText('Running', { timeout: 15_000 });
  const details = await pods.openDetails('default', podName);

  // The shell is a process in the pod's container.
  await page.setViewportSize({ width: 1280, height: 800 });
  const shell = await details.openShell();
  await shell.open();
  await expect(shell.place()).toContainText(podName);
  await shell.run('echo hello');
  await shell.expectLine('hello');
  await shell.run(`cat /www/greeting.txt`);
  await shell.expectLine(greeting);

  // The container's terminal follows the window's size.
  const { before, after } = await shell.sizeAcross(() => page.setViewportSize({ width: 800, height: 600 }));
  expect(after[1]).toBeLessThan(before[1]!);

  // Ending the session ends the shell in the container.
  await shell.endAndExpectShellGone(() => processes(podName));
  await shell.close();

  // The Service's port, forwarded to 127.0.0.1 of the machine Homeport runs on. At 800 px the pod
  // panel lies over the screen; in a wider window it sits beside the table and the forwards list.
  await page.setViewportSize({ width: 1280, height: 800 });
  const forwards = new PodForwardsPanel(details.panel);
  await forwards.openService('web', 80);
  const url = await forwards.startedUrl();
  expect(await get(`${url.replace(/\/$/, '')}/greeting.txt`)).toBe(`200 ${greeting}`);
  const active = new ActiveForwardsList(page);
  await expect(active.entry(url)).toContainText('web');
  await expect(active.entry(url)).toContainText(podName);

  await active.stop(url);
  await expect(active.entry(url)).toHaveCount(0);
  await expect.poll(() => get(`${url.replace(/\/$/, '')}/greeting.txt`)).toMatch(/^failed: .*ECONNREFUSED/);
});

test('a pod of the simulated sandbox: Shell says exec needs the Docker runtime', async ({ page }) => {
  const { homeport, kubeconfig } = await homeportWithSandbox([]);
  await kubectl(
    kubeconfig,
    ['apply', '-f', '-'],
    `apiVersion: v1
kind: Pod
metadata:
  name: simulated
  namespace: default
spec:
  containers:
  - name: main
    image: busybox:1.36
`,
  );
  await page.goto(homeport.url);
  const pods = new PodsPage(page);
  await pods.open(homeport.origin);
  await expect(pods.row('default', 'simulated')).toContainText('Running', { timeout: 15_000 });
  const details = await pods.openDetails('default', 'simulated');
  const shell = await details.openShell();
  await shell.open();
  await expect(shell.end()).toContainText('this sandbox simulates its pods');
  await expect(shell.end()).toContainText('--runtime docker');
  await shell.close();
});
