/** Swarm health checks from a component's probes, run with the tools its image has. */
import type { Component, HealthCheck, Probe } from './model';
import type { SwarmHealthcheck } from './swarm-spec';

export const SECOND = 1_000_000_000;

/** The image lacks the tool a check needs: the caller may go without a check (swarm-instances.ts). */
export class NoHealthToolError extends Error {}

function healthTest(check: HealthCheck, c: Component): string[] {
  // Without a contract, assume BusyBox; with one, use only the tools the image has.
  const tools = c.tools ?? ['sh', 'wget', 'nc'];
  const has = (t: string) => tools.includes(t);
  const cannot = (what: string) =>
    new NoHealthToolError(
      `stack model: the image of '${c.name}' has no ${what} for a Swarm health check; give it an exec probe`,
    );
  switch (check.type) {
    case 'http': {
      const url = `http://127.0.0.1:${check.port}${check.path}`;
      if (has('wget')) return ['CMD', 'wget', '-q', '-O', '/dev/null', url];
      if (has('curl')) return ['CMD', 'curl', '-fsS', '-o', '/dev/null', url];
      throw cannot('wget or curl');
    }
    case 'tcp':
      if (!has('nc') || !has('sh')) throw cannot('nc');
      // BusyBox's netcat has no -z: a plain connect with stdin closed does the same there.
      return [
        'CMD-SHELL',
        `nc -z 127.0.0.1 ${check.port} 2>/dev/null || nc -w 1 127.0.0.1 ${check.port} </dev/null || exit 1`,
      ];
    case 'exec':
      if (c.tools && !has(check.command[0] ?? '')) throw cannot(check.command[0] ?? 'command');
      return ['CMD', ...check.command];
  }
}

export function healthcheck(c: Component): SwarmHealthcheck {
  const ready: Probe = c.probes.readiness;
  const live: Probe = c.probes.liveness;
  const startup = c.probes.startup;
  const period = ready.periodSeconds ?? 10;
  const startPeriod = startup
    ? (startup.initialDelaySeconds ?? 0) + (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3)
    : (ready.initialDelaySeconds ?? 0);
  return {
    Test: healthTest(ready.check, c),
    Interval: period * SECOND,
    Timeout: (ready.timeoutSeconds ?? 1) * SECOND,
    Retries: live.failureThreshold ?? 3,
    StartPeriod: startPeriod * SECOND,
  };
}
