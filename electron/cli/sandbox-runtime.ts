import { DEFAULT_DOCKER_HOST } from '../sandbox/docker/engine';
import type { SandboxOptions } from '../sandbox/index';
import { UsageError } from './usage-error';

/**
 * `--runtime`: `simulated` (the default), `docker` (the engine at $DOCKER_HOST, else the local
 * socket) or `docker=unix:///path` / `docker=tcp://127.0.0.1:PORT`.
 */
export function parseRuntime(
  value: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SandboxOptions['runtime'] {
  if (value === undefined || value === 'simulated') return undefined;
  const m = /^docker(?:=(.+))?$/.exec(value);
  if (!m) {
    throw new UsageError(
      `--runtime: '${value}' is not a runtime; use simulated (the default), docker, or docker=unix:///var/run/docker.sock`,
    );
  }
  return { kind: 'docker', dockerHost: m[1] ?? (env.DOCKER_HOST || DEFAULT_DOCKER_HOST) };
}

/** How the banner names the cluster. */
export const describeRuntime = (runtime: SandboxOptions['runtime']) =>
  runtime ? `pods as containers on the Docker engine at ${runtime.dockerHost}` : 'simulated';
