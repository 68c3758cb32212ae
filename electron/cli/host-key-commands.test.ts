/**
 * `homeport nas replace-host-key` and `homeport docker replace-host-key` against a real sshd whose
 * host key is regenerated: a warning naming both keys first, a replacement only with the confirmed
 * fingerprint, and an unknown key still asked about as a plain question.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../core/ssh/testing/sshd';
import { runDocker } from './docker-commands';
import { runNas, type StorageIo } from './storage-commands';

function recorder() {
  const out: string[] = [];
  const err: string[] = [];
  const io: StorageIo = { out: (l) => out.push(l), err: (l) => err.push(l), secrets: { env: {} } };
  return { io, out: () => out.join('\n'), err: () => err.join('\n') };
}

let sshd: TestSshd;
let dataDir: string;
let keyFile: string;
let base: string[];
const env = (): NodeJS.ProcessEnv => ({ HOME: join(dataDir, 'home'), KUBECONFIG: '/nonexistent' });

beforeAll(async () => {
  sshd = await startSshd();
  const dir = mkdtempSync(join(tmpdir(), 'homeport-host-key-cli-'));
  dataDir = join(dir, 'data');
  keyFile = join(dir, 'id');
  writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
  base = ['--data-dir', dataDir];
  process.env.HOME = join(dir, 'home');
}, 30_000);
afterAll(async () => sshd?.close());

describe('replace-host-key', () => {
  it('nas: warns with both fingerprints, replaces only with the confirmed one', async () => {
    const add = ['add', 'box', '--address', sshd.host, '--port', String(sshd.port), '--user', sshd.user];
    expect(await runNas([...add, '--key', keyFile, ...base], recorder().io)).toBe(0);
    let r = recorder();
    expect(await runNas(['probe', 'box', ...base], r.io)).toBe(1);
    // Unknown: a question, no warning.
    expect(r.err()).toContain(`--trust ${sshd.hostKeyFingerprint}`);
    expect(r.err()).not.toContain('WARNING');
    expect(await runNas(['probe', 'box', '--trust', sshd.hostKeyFingerprint, ...base], recorder().io)).toBe(0);

    const old = sshd.hostKeyFingerprint;
    await sshd.rotateHostKey();
    r = recorder();
    expect(await runNas(['probe', 'box', ...base], r.io)).toBe(1);
    expect(r.err()).toContain('WARNING: HOST KEY CHANGED');
    expect(r.err()).toContain(`Trusted until now: ssh-ed25519 ${old}`);
    expect(r.err()).toContain(`Presented now:     ssh-ed25519 ${sshd.hostKeyFingerprint}`);
    expect(r.err()).toContain(`homeport nas replace-host-key box --fingerprint ${sshd.hostKeyFingerprint}`);

    // Without the fingerprint: the warning again, nothing replaced.
    r = recorder();
    expect(await runNas(['replace-host-key', 'box', ...base], r.io)).toBe(1);
    expect(r.err()).toContain('Nothing was replaced');
    expect(readFileSync(join(dataDir, 'known_hosts'), 'utf8')).not.toContain(sshd.hostPublicKey.split(' ')[1]);
    // A malformed or stale fingerprint is refused.
    await expect(runNas(['replace-host-key', 'box', '--fingerprint', 'abc', ...base], recorder().io)).rejects.toThrow(
      'must be a SHA256 fingerprint',
    );
    await expect(runNas(['replace-host-key', 'box', '--fingerprint', old, ...base], recorder().io)).rejects.toThrow(
      `not ${old} that you confirmed`,
    );

    r = recorder();
    expect(await runNas(['replace-host-key', 'box', '--fingerprint', sshd.hostKeyFingerprint, ...base], r.io)).toBe(0);
    expect(r.out()).toContain(`removed ${old}; trusting ${sshd.hostKeyFingerprint}`);
    expect(r.out()).toContain('box: connected');
  }, 60_000);

  it('docker: the same for an ssh:// endpoint', async () => {
    const url = `ssh://${sshd.user}@${sshd.host}:${sshd.port}/nonexistent/docker.sock`;
    expect(await runDocker(['add', 'lab', '--url', url, '--ssh-key', keyFile, ...base], recorder().io, env())).toBe(0);
    const old = sshd.hostKeyFingerprint;
    await sshd.rotateHostKey();
    let r = recorder();
    expect(await runDocker(['replace-host-key', 'lab', ...base], r.io, env())).toBe(1);
    expect(r.err()).toContain(`Trusted until now: ssh-ed25519 ${old}`);
    expect(r.err()).toContain(`homeport docker replace-host-key lab --fingerprint ${sshd.hostKeyFingerprint}`);
    r = recorder();
    expect(
      await runDocker(['replace-host-key', 'lab', '--fingerprint', sshd.hostKeyFingerprint, ...base], r.io, env()),
    ).toBe(1); // replaced; the test after it fails on the missing socket, past SSH
    expect(r.out()).toContain(`removed ${old}; trusting ${sshd.hostKeyFingerprint}`);
    expect(r.err()).not.toContain('host-key');
  }, 60_000);
});
