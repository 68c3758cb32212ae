import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSandbox } from './sandbox-command';

describe('homeport sandbox --kubeconfig-out', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes the kubeconfig 0600 even over an existing world-readable file', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = join(mkdtempSync(join(tmpdir(), 'homeport-sandbox-out-')), 'sandbox.kubeconfig');
    writeFileSync(out, 'old: file\n');
    chmodSync(out, 0o644);
    let stop: (() => void) | undefined;
    const running = runSandbox({ port: '0', nodes: '1', 'kubeconfig-out': out }, () => new Promise((r) => (stop = r)));
    // runSandbox waits on `until` once the file is written.
    await vi.waitFor(() => expect(stop).toBeDefined(), { timeout: 10_000 });
    expect(readFileSync(out, 'utf8')).toContain('token:');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    stop?.();
    expect(await running).toBe(0);
  });
});
