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
  await expect(deploy.target.context).toHaveValue('homeport-sandbox');
  await deploy.pickStack('revenge');
  await expect(deploy.target.namespace).toHaveValue('revenge');

  // A bad value is named at its field, and the plan cannot be asked for until it is fixed.
  await deploy.field('nfs.server').fill('nas .lan');
  await expect(deploy.fieldError('nfs.server')).toBeVisible();
  await expect(deploy.reviewPlanButton).toBeDisabled();
  await deploy.field('nfs.server').fill('10.0.0.20');
  await deploy.field('nfs.path').fill('/srv/media');
  await deploy.field('api.replicas').fill('-1');
  await expect(deploy.fieldError('api.replicas')).toBeVisible();
  await deploy.field('api.replicas').fill('2');
  await expect(deploy.fieldError('api.replicas')).toHaveCount(0);
  await expect(deploy.fieldError('nfs.server')).toHaveCount(0);

  await deploy.reviewPlan();
  await expect(deploy.planItem('Deployment', 'revenge')).toHaveAttribute('data-action', 'create');
  await expect(deploy.planItem('StatefulSet', 'postgres')).toHaveAttribute('data-action', 'create');
  await expect(deploy.planSummary).toContainText('0 unchanged');
  await expect(deploy.planItems('unchanged', 'update')).toHaveCount(0);
  await deploy.apply();
  await expect(deploy.applyResult).toContainText('Applied revision 1');
  await expect(deploy.rolloutState).toHaveText('Healthy', { timeout: 60_000 });
  await expect(deploy.workload('revenge').getByTestId('workload-ready')).toHaveText('2/2');

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
  expect(names).toContain('deployment.apps/revenge');
  expect(names).toContain('statefulset.apps/postgres');

  // Reviewing again without a change shows nothing to do.
  await deploy.reviewPlan();
  await expect(deploy.planSummary).toContainText('No changes');

  // A changed value touches only what depends on it.
  await deploy.field('frontend.replicas').fill('3');
  await deploy.reviewPlan();
  await expect(deploy.planItem('Deployment', 'frontend')).toHaveAttribute('data-action', 'update');
  await expect(deploy.planItem('Deployment', 'frontend')).toContainText('spec.replicas');
  await expect(deploy.planItem('Deployment', 'revenge')).toHaveAttribute('data-action', 'unchanged');
  await deploy.apply();
  await expect(deploy.applyResult).toContainText('Applied revision 2');
  await expect(deploy.workload('frontend').getByTestId('workload-ready')).toHaveText('3/3', { timeout: 30_000 });

  // Roll back to revision 1: the frontend returns to its earlier two replicas.
  await expect(deploy.revision(2)).toContainText('live');
  await deploy.rollBackTo(1);
  await expect(deploy.revision(3)).toContainText('live');
  await expect
    .poll(async () =>
      kubectl(kubeconfig, ['get', 'deploy', 'frontend', '-n', 'revenge', '-o', 'jsonpath={.spec.replicas}']),
    )
    .toBe('2');
  await expect(deploy.rolloutState).toHaveText('Healthy', { timeout: 30_000 });
});
