import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../electron/core/ssh/testing/sshd';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { HostKeyNotice } from './pages/host-key-notice';
import { StoragePage } from './pages/storage-page';

let homeport: HomeportServer;
let sshd: TestSshd;
let keyFile: string;

test.beforeAll(async () => {
  sshd = await startSshd();
  keyFile = join(mkdtempSync(join(tmpdir(), 'homeport-e2e-key-')), 'id_ed25519');
  writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
  // HOME points at an empty directory: the machine's own ~/.ssh/known_hosts must not decide.
  const home = mkdtempSync(join(tmpdir(), 'homeport-e2e-home-'));
  homeport = await startHomeport({ env: { KUBECONFIG: '/nonexistent/kubeconfig', HOME: home, DOCKER_HOST: '' } });
});

test.afterAll(async () => {
  await homeport?.close();
  await sshd?.close();
});

/** Border colour and background of a notice, to tell a question from an alarm by what the user sees. */
const look = (el: ReturnType<HostKeyNotice['alarm']>) =>
  el.evaluate((node) => {
    const style = getComputedStyle(node);
    return { border: style.borderTopColor, width: style.borderTopWidth, role: node.getAttribute('role') };
  });

async function shoot(page: Page, name: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.getByTestId('host-key-changed').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/host-keys/${name}-${width}x${height}-${colorScheme}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('an unknown key is a neutral question; a changed key an alarm whose replacement needs the new fingerprint', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const storage = new StoragePage(page);
  await page.goto(homeport.url);
  await storage.open(homeport.origin);
  await storage.addNasHost({ name: 'box', address: sshd.host, port: String(sshd.port), user: sshd.user, keyFile });
  const nas = storage.nasHost('box');
  const notice = new HostKeyNotice(nas.row);

  await nas.probe();
  await expect(notice.question()).toContainText(sshd.hostKeyFingerprint);
  await expect(notice.alarm()).toHaveCount(0);
  const question = await look(notice.question());
  expect(question.role).toBeNull();
  await nas.trustHostKey();
  await expect(nas.probeResult()).toContainText('Connected');

  const old = sshd.hostKeyFingerprint;
  await sshd.rotateHostKey();
  await nas.probe();
  await expect(notice.alarm()).toContainText('WARNING: HOST KEY CHANGED');
  await expect(notice.previous()).toHaveText(old);
  await expect(notice.presented()).toHaveText(sshd.hostKeyFingerprint);
  await expect(notice.question()).toHaveCount(0);
  await expect(nas.trustButton()).toHaveCount(0);
  // They do not look the same: the alarm is an alert with a thicker border of another colour.
  const alarm = await look(notice.alarm());
  expect(alarm.role).toBe('alert');
  expect(alarm.border).not.toBe(question.border);
  expect(alarm.width).not.toBe(question.width);

  await notice.startReplacing();
  await expect(notice.replaceButton()).toBeDisabled();
  await notice.confirmInput().fill(old);
  await expect(notice.replaceButton()).toBeDisabled();
  await expect(notice.alarm()).toContainText('This is not the fingerprint the NAS presented');
  await notice.confirmInput().fill(sshd.hostKeyFingerprint);
  await expect(notice.replaceButton()).toBeEnabled();
  await shoot(page, 'changed-key-confirm');

  // The host's key changes once more before the user confirms: nothing is replaced.
  const confirmed = sshd.hostKeyFingerprint;
  const trustedBlob = readFileSync(join(homeport.dataDir, 'known_hosts'), 'utf8');
  await sshd.rotateHostKey();
  await notice.replaceButton().click();
  await expect(nas.probeResult()).toContainText(`now presents host key ${sshd.hostKeyFingerprint}, not ${confirmed}`);
  expect(readFileSync(join(homeport.dataDir, 'known_hosts'), 'utf8')).toBe(trustedBlob);

  await nas.probe();
  await expect(notice.presented()).toHaveText(sshd.hostKeyFingerprint);
  await notice.startReplacing();
  await notice.confirmInput().fill(`  ${sshd.hostKeyFingerprint} `);
  await notice.replaceButton().click();
  await expect(nas.probeResult()).toContainText('Connected');
  await expect(notice.alarm()).toHaveCount(0);
  expect(readFileSync(join(homeport.dataDir, 'known_hosts'), 'utf8')).not.toContain(trustedBlob.split(' ')[2]?.trim());
});
