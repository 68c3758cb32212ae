import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '@shared/readiness-schemas';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox/index';
import { runReadiness } from './readiness-command';
import { runDeploy } from './stack-commands';
import { writeFileSync } from 'node:fs';

describe('homeport readiness', () => {
  let sandbox: Sandbox;
  let kubeconfig: string;
  const dir = mkdtempSync(join(tmpdir(), 'homeport-readiness-cli-'));
  beforeAll(async () => {
    sandbox = await startSandbox({ speed: 0.05 });
    kubeconfig = join(dir, 'kubeconfig');
    await sandbox.writeKubeconfig(kubeconfig);
    const values = join(dir, 'values.yaml');
    writeFileSync(
      values,
      // Two replicas of an API that keeps playback sessions in one process: sticky, but warned about.
      'nfs:\n  server: 10.0.0.20\n  path: /srv/media\napi:\n  replicas: 2\n',
    );
    const io = { confirm: async () => true, out: () => {}, err: () => {} };
    const code = await runDeploy(
      'revenge',
      { context: SANDBOX_CONTEXT, kubeconfig, values, yes: true, timeout: '60s', 'data-dir': join(dir, 'data') },
      io,
    );
    expect(code).toBe(0);
  }, 90_000);
  afterAll(async () => sandbox?.close());

  it('prints the scorecard with the checks that are not passing, their evidence and fix, and the same as JSON', async () => {
    const lines: string[] = [];
    const opts = { context: SANDBOX_CONTEXT, kubeconfig, 'data-dir': join(dir, 'data') };
    expect(await runReadiness('revenge', opts, (l) => lines.push(l))).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(
      /^Readiness of revenge \(namespace revenge of context 'homeport-sandbox'\): \d+% of \d+ observed · \d+ unknown$/m,
    );
    // Failing checks first, then unknown, warning and passing; no backup is a warning.
    const verdicts = [...text.matchAll(/^(FAIL|UNKNOWN|WARN|PASS)\s/gm)].map((m) => m[1]);
    const rank = { FAIL: 0, UNKNOWN: 1, WARN: 2, PASS: 3 } as Record<string, number>;
    expect(verdicts.map((v) => rank[v!])).toEqual([...verdicts.map((v) => rank[v!])].sort((a, b) => a! - b!));
    expect(text).toMatch(/^WARN\s+A recent verified backup exists: Homeport has taken no backup/m);
    expect(text).toMatch(/^Distributed concerns\s+\d+%/m);
    expect(text).toMatch(
      /^WARN\s+One replica of revenge, or sticky sessions: .*\n\s+Deployment\/revenge spec\.replicas: 2$/m,
    );
    expect(text).toMatch(/^WARN\s+User files are stored on S3: .*http:\/\/objectstore:9000/m);

    const json: string[] = [];
    expect(await runReadiness('revenge', { ...opts, json: true }, (l) => json.push(l))).toBe(0);
    const report = JSON.parse(json.join('')) as ReadinessReport;
    const replicas = report.checks.find((c) => c.id === 'distributed.replicas');
    expect(replicas).toMatchObject({ verdict: 'warn', summary: expect.stringContaining('playback sessions') });
    expect(replicas?.fix).toBeUndefined();
    expect(report.checks.find((c) => c.id === 'distributed.pdb')?.verdict).toBe('pass');
    expect(report.score).toBeLessThan(100);
  });

  it('needs a context', async () => {
    await expect(runReadiness('revenge', {})).rejects.toThrow('--context');
  });
});
