import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { DeployPage } from './pages/deploy-page';

let homeport: HomeportServer;
let kubeconfig: string;

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
  kubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');
});

test.afterAll(async () => {
  await homeport?.close();
});

test('deploy the Revenge stack to the sandbox: values, plan, apply, healthy, then a change and a rollback', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const deploy = new DeployPage(page);
  await page.goto(homeport.url);
  await deploy.open(homeport.origin);
  await expect(page.getByTestId('deploy-context')).toHaveValue('homeport-sandbox');
  await page.getByTestId('stack-revenge').click();
  await expect(page.getByTestId('deploy-namespace')).toHaveValue('revenge');

  // A bad value is named at its field, and the plan cannot be asked for until it is fixed.
  await deploy.field('nfs.server').fill('nas .lan');
  await expect(deploy.fieldError('nfs.server')).toBeVisible();
  await expect(page.getByTestId('review-plan')).toBeDisabled();
  await deploy.field('nfs.server').fill('10.0.0.20');
  await deploy.field('nfs.path').fill('/srv/media');
  await deploy.field('api.replicas').fill('-1');
  await expect(deploy.fieldError('api.replicas')).toBeVisible();
  await deploy.field('api.replicas').fill('2');
  await expect(deploy.fieldError('api.replicas')).toHaveCount(0);
  await expect(deploy.fieldError('nfs.server')).toHaveCount(0);

  await page.getByTestId('review-plan').click();
  await expect(deploy.planItem('Deployment', 'api')).toHaveAttribute('data-action', 'create');
  await expect(deploy.planItem('StatefulSet', 'postgres')).toHaveAttribute('data-action', 'create');
  await expect(page.getByTestId('plan-summary')).toContainText('0 unchanged');
  await expect(page.locator('[data-action="unchanged"], [data-action="update"]')).toHaveCount(0);
  await page.getByTestId('apply').click();
  await expect(page.getByTestId('apply-result')).toContainText('Applied revision 1');
  await expect(page.getByTestId('rollout-state')).toHaveText('Healthy', { timeout: 60_000 });
  await expect(deploy.workload('api').getByTestId('workload-ready')).toHaveText('2/2');

  // kubectl sees what Homeport deployed, with its labels.
  const names = await kubectl(kubeconfig, [
    'get',
    'deploy,statefulset',
    '-n',
    'revenge',
    '-l',
    'app.kubernetes.io/managed-by=homeport,homeport.dev/stack=revenge',
    '-o',
    'name',
  ]);
  expect(names).toContain('deployment.apps/api');
  expect(names).toContain('statefulset.apps/postgres');

  // Reviewing again without a change shows nothing to do.
  await page.getByTestId('review-plan').click();
  await expect(page.getByTestId('plan-summary')).toContainText('No changes');

  // A changed value touches only what depends on it.
  await deploy.field('frontend.replicas').fill('3');
  await page.getByTestId('review-plan').click();
  await expect(deploy.planItem('Deployment', 'frontend')).toHaveAttribute('data-action', 'update');
  await expect(deploy.planItem('Deployment', 'frontend')).toContainText('spec.replicas');
  await expect(deploy.planItem('Deployment', 'api')).toHaveAttribute('data-action', 'unchanged');
  await page.getByTestId('apply').click();
  await expect(page.getByTestId('apply-result')).toContainText('Applied revision 2');
  await expect(deploy.workload('frontend').getByTestId('workload-ready')).toHaveText('3/3', { timeout: 30_000 });

  // Roll back to revision 1: the frontend returns to its earlier two replicas.
  const revisions = page.getByTestId('revisions');
  await expect(revisions.locator('[data-revision="2"]')).toContainText('live');
  await revisions.getByRole('button', { name: 'Roll back to 1' }).click();
  await expect(revisions.locator('[data-revision="3"]')).toContainText('live');
  await expect
    .poll(async () =>
      kubectl(kubeconfig, ['get', 'deploy', 'frontend', '-n', 'revenge', '-o', 'jsonpath={.spec.replicas}']),
    )
    .toBe('2');
  await expect(page.getByTestId('rollout-state')).toHaveText('Healthy', { timeout: 30_000 });
});
