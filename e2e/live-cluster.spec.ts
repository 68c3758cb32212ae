import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { ClusterPicker, LeadersPage, PodsPage } from './pages/live-pages';

let homeport: HomeportServer;
let kubeconfig: string;

test.beforeAll(async () => {
  // Only the sandbox: no kubeconfig of the machine running the tests leaks in.
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
  kubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');
});

test.afterAll(async () => {
  await homeport?.close();
});

const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
spec:
  containers:
  - name: main
    image: busybox:1.36
`;

test('the sandbox is labelled as simulated', async ({ page }) => {
  await page.goto(homeport.url);
  await expect(new ClusterPicker(page).simulatedBadge()).toHaveText('Simulated cluster');
});

test('a pod created with kubectl appears in the pods table within a second', async ({ page }) => {
  const pods = new PodsPage(page);
  await page.goto(homeport.url);
  await pods.open(homeport.origin);
  await kubectl(kubeconfig, ['apply', '-f', '-'], pod('e2e-appears'));
  const created = Date.now();
  await expect(pods.row('default', 'e2e-appears')).toBeVisible({ timeout: 1000 });
  expect(Date.now() - created).toBeLessThanOrEqual(1000);
  await expect(pods.row('default', 'e2e-appears')).toContainText('Running', { timeout: 15_000 });
});

test('pod details show containers, events and a live log, and delete asks first', async ({ page }) => {
  const pods = new PodsPage(page);
  await page.goto(homeport.url);
  await kubectl(kubeconfig, ['apply', '-f', '-'], pod('e2e-details'));
  await pods.open(homeport.origin);
  await expect(pods.row('default', 'e2e-details')).toContainText('Running', { timeout: 15_000 });
  const details = await pods.openDetails('default', 'e2e-details');
  await expect(details.containers()).toContainText('busybox:1.36');
  await expect(details.conditions()).toContainText('Ready');
  await expect(details.events()).toContainText('Scheduled');
  await expect(details.logs()).not.toBeEmpty({ timeout: 10_000 });
  await details.delete();
  await expect(pods.row('default', 'e2e-details')).toHaveCount(0, { timeout: 15_000 });
  await expect(kubectl(kubeconfig, ['get', 'pod', 'e2e-details', '-n', 'default'])).rejects.toThrow(/NotFound/);
});

test('deleting the pod that holds a lease shows another holder on the Leaders screen', async ({ page }) => {
  await kubectl(
    kubeconfig,
    ['apply', '--server-side', '-f', '-'],
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: e2e-jobs
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: e2e-jobs}
  template:
    metadata:
      labels: {app: e2e-jobs}
      annotations:
        homeport.dev/leader-election: e2e-jobs-leader
    spec:
      containers:
      - name: worker
        image: busybox:1.36
`,
  );
  const leaders = new LeadersPage(page);
  await page.goto(homeport.url);
  await leaders.open(homeport.origin);
  await expect(leaders.row('kube-system', 'kube-scheduler')).toBeVisible();
  const holder = leaders.holder('default', 'e2e-jobs-leader');
  await expect(holder).toHaveText(/^e2e-jobs-/, { timeout: 20_000 });
  const first = (await holder.textContent()) ?? '';
  await kubectl(kubeconfig, ['delete', 'pod', first, '-n', 'default', '--wait=false']);
  await expect(holder).not.toHaveText(first, { timeout: 20_000 });
  await expect(holder).toHaveText(/^e2e-jobs-/);
  await expect(leaders.verdict('default', 'e2e-jobs-leader')).toHaveText(/Held|Contended/);
  // Revenge elects its leader in a database table, not a Lease: the screen says where, and how it is read.
  await expect(leaders.stackLeader('revenge')).toContainText('a row of the table public.river_leader');
  await expect(leaders.stackLeader('revenge')).toContainText("running the database's own client in its container");
});
