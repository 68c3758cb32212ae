/** Real-engine exec fixtures: a service of the stand-in image, and Homeport's commands on an endpoint. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerEndpoints, type DockerEndpoints } from '../../docker/endpoints';
import { STANDIN_IMAGE } from '../../docker/testing/dockerd';
import { testEngine } from '../../docker/testing/engine';
import { createSshTrust } from '../../ssh/trust';
import type { CommandRequest, CommandSession } from '../command';
import { swarmCommands } from '../swarm-exec';

export const engine = testEngine();

/** Endpoints in a fresh data directory, the test engine's socket saved as 'local'. */
export async function testEndpoints(env: NodeJS.ProcessEnv = {}): Promise<{ endpoints: DockerEndpoints; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'homeport-exec-swarm-'));
  const endpoints = createDockerEndpoints({ dataDir: dir, trust: createSshTrust({ dataDir: dir }), env });
  await endpoints.add({ name: 'local', url: engine.host });
  return { endpoints, dir };
}

export function runOn(endpoints: DockerEndpoints, endpoint: string, request: CommandRequest): CommandSession {
  return swarmCommands({ kind: 'swarm', endpoint }, { openClient: (e) => endpoints.openClient(e) }).run(request);
}

/**
 * A one-replica service, running once this resolves: by default of the permissive stand-in
 * (BusyBox sh, cat); a contract stand-in holds only its program's tools.
 */
export async function standinService(
  prefix = 'exec',
  image = STANDIN_IMAGE,
): Promise<{ name: string; taskId: string }> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await engine.docker(['service', 'create', '--quiet', '--detach', '--name', name, image]);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const lines = (
      await engine.docker([
        'service',
        'ps',
        name,
        '--filter',
        'desired-state=running',
        '--format',
        '{{.ID}} {{.CurrentState}}',
        '--no-trunc',
      ])
    )
      .trim()
      .split('\n');
    const running = lines.find((l) => / Running /.test(` ${l} `));
    if (running) return { name, taskId: running.split(' ')[0]! };
    if (Date.now() > deadline) throw new Error(`service ${name} did not start: ${lines.join('; ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
