import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revengeStandinYaml } from '../core/docker/testing/revenge-standins';
import { testEngine } from '../core/docker/testing/engine';
import type { ReadinessReport } from '@shared/readiness-schemas';
import { runReadiness } from './readiness-command';
import { runDeploy, runRevisions, runRollback, runUninstall, type StackIo } from './stack-commands';

const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-swarm-cli-'));
const images = revengeStandinYaml();
const valuesFile = join(dir, 'values.yaml');
writeFileSync(valuesFile, `${images}nfs:\n  enabled: false\nswarm:\n  publish:\n    frontend: null\n`);
const scaledFile = join(dir, 'scaled.yaml');
writeFileSync(
  scaledFile,
  `${images.replace('frontend:\n', 'frontend:\n  replicas: 1\n')}nfs:\n  enabled: false\nswarm:\n  publish:\n    frontend: null\n`,
);
/** The service's running/desired replicas once they settle (a scale-down stops tasks after the rollout). */
async function replicasOf(service: string, want: string): Promise<string> {
  let got = '';
  for (let i = 0; i < 60; i++) {
    got = (await engine.docker(['service', 'ls', '--filter', `name=${service}`, '--format', '{{.Replicas}}'])).trim();
    if (got === want) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return got;
}

function recorder() {
  const out: string[] = [];
  const err: string[] = [];
  const io: StackIo = { confirm: async () => false, out: (l) => out.push(l), err: (l) => err.push(l) };
  return { io, out: () => out.join('\n'), err: () => err.join('\n') };
}

describe('homeport deploy --swarm against a real engine', () => {
  let saved: string | undefined;
  beforeAll(() => {
    // The endpoint 'env' is $DOCKER_HOST, as for the docker CLI.
    saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = engine.host;
  });
  afterAll(async () => {
    // Whatever a failed assertion left behind must not hold the engine's resources for the next file.
    await engine.docker(['stack', 'rm', 'revenge']).catch(() => undefined);
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  it('deploys the stack, waits until it converges, lists its revision and removes it', async () => {
    const target = { swarm: 'env', 'data-dir': join(dir, 'data') };
    let r = recorder();
    const code = await runDeploy('revenge', { ...target, values: valuesFile, yes: true, timeout: '120s' }, r.io);
    expect(code, r.err()).toBe(0);
    expect(r.out()).toContain("Applied revision 1 of 'revenge' to swarm endpoint 'env'");
    expect(r.out()).toContain("Stack 'revenge' is healthy in swarm endpoint 'env'");
    expect(await engine.docker(['stack', 'services', 'revenge', '--format', '{{.Name}} {{.Replicas}}'])).toMatch(
      /revenge_revenge 1\/1/,
    );

    r = recorder();
    expect(await runRevisions('revenge', target, r.io)).toBe(0);
    expect(r.out()).toMatch(/^1\s+\S+\s+\(live\)\s+\S+.*first revision$/m);

    // The scorecard of the swarm stack: replicas and health checks observed on the real engine.
    const lines: string[] = [];
    expect(await runReadiness('revenge', { ...target, json: true }, (l) => lines.push(l))).toBe(0);
    const report = JSON.parse(lines.join('')) as ReadinessReport;
    expect(report.target).toBe("swarm endpoint 'env'");
    expect(report.checks.find((c) => c.id === 'distributed.replicas')?.verdict).toBe('pass');
    expect(report.checks.find((c) => c.id === 'distributed.update-rollback')?.verdict).toBe('pass');

    // A second revision, then the whole stack back to the first one (a new revision, like on Kubernetes).
    r = recorder();
    expect(await runDeploy('revenge', { ...target, values: scaledFile, yes: true, timeout: '120s' }, r.io)).toBe(0);
    expect(r.out()).toContain('Applied revision 2');
    expect(await replicasOf('revenge_frontend', '1/1')).toBe('1/1');
    r = recorder();
    expect(await runRollback('revenge', { ...target, revision: '1', yes: true, timeout: '120s' }, r.io), r.err()).toBe(
      0,
    );
    expect(r.out()).toContain('recorded as revision 3');
    expect(await replicasOf('revenge_frontend', '2/2')).toBe('2/2');
    await expect(runRollback('revenge', { ...target, revision: '9', yes: true }, recorder().io)).rejects.toThrow(
      "revision 9 of 'revenge' does not exist (revisions: 1, 2, 3)",
    );

    r = recorder();
    expect(await runUninstall('revenge', { ...target, yes: true }, r.io)).toBe(0);
    expect(await engine.docker(['service', 'ls', '--filter', 'label=com.docker.stack.namespace=revenge', '-q'])).toBe(
      '',
    );
  }, 180_000);

  it('refuses --context and --swarm together, and an unknown endpoint by name', async () => {
    await expect(
      runDeploy('revenge', { swarm: 'env', context: 'home', values: valuesFile }, recorder().io),
    ).rejects.toThrow('either --context (Kubernetes) or --swarm (Docker Swarm), not both');
    await expect(
      runDeploy('revenge', { swarm: 'nowhere', values: valuesFile, 'data-dir': join(dir, 'data') }, recorder().io),
    ).rejects.toThrow(/nowhere/);
  });
});
