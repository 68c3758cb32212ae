import { describe, expect, it } from 'vitest';
import { BROKEN_IMAGE, STANDIN_IMAGE } from './dockerd';
import { testEngine } from './engine';

const engine = testEngine();

describe('the test Docker engine', () => {
  it('runs a one-node swarm with the stand-in images', async () => {
    expect(await engine.docker(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'])).toBe(
      'active true\n',
    );
    const images = await engine.docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images).toContain(STANDIN_IMAGE);
    expect(images).toContain(BROKEN_IMAGE);
  });

  it('a stand-in service answers its health check', async () => {
    await engine.docker([
      'service',
      'create',
      '--quiet',
      '--detach',
      '--name',
      'standin-probe',
      '--health-cmd',
      'wget -qO- http://127.0.0.1:8096/health/ready',
      '--health-interval',
      '1s',
      STANDIN_IMAGE,
    ]);
    let status = '';
    for (let i = 0; i < 100 && !status.includes('(healthy)'); i++) {
      status = await engine.docker([
        'ps',
        '--filter',
        'label=com.docker.swarm.service.name=standin-probe',
        '--format',
        '{{.Status}}',
      ]);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toContain('(healthy)');
    await engine.docker(['service', 'rm', 'standin-probe']);
  }, 40_000);
});
