import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDocker } from './docker-commands';

function recorder() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('homeport docker', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'homeport-docker-cli-'));
  const base = ['--data-dir', dataDir];

  it('adds, lists, tests and removes an endpoint', async () => {
    const socket = join(dataDir, 'no-docker.sock');
    let r = recorder();
    expect(await runDocker(['add', 'lab', '--url', `unix://${socket}`, ...base], r.io, {})).toBe(0);
    expect(r.out.join('\n')).toContain(`Added Docker endpoint 'lab' (unix://${socket})`);
    r = recorder();
    expect(await runDocker(['list', ...base], r.io, {})).toBe(0);
    expect(r.out).toContain(`lab  unix://${socket}`);
    // Nothing listens on the socket: the test says so, and the command fails.
    r = recorder();
    expect(await runDocker(['test', 'lab', ...base], r.io, {})).toBe(1);
    expect(r.err.join('\n')).toMatch(/^lab: unreachable: /);
    r = recorder();
    expect(await runDocker(['remove', 'lab', ...base], r.io, {})).toBe(0);
    r = recorder();
    expect(await runDocker(['list', ...base], r.io, {})).toBe(0);
    expect(r.out).toEqual(['No Docker endpoints yet: add one with homeport docker add NAME --url URL.']);
  });

  it('refuses what the Swarm screen refuses, with the same words, before saving anything', async () => {
    await expect(
      runDocker(['add', 'lab', '--url', 'tcp://10.0.0.30:2376', '--tls-ca', 'ca.pem', ...base], recorder().io, {}),
    ).rejects.toThrow(
      /^Invalid input for homeport docker add: 'tls\.caFile': 'ca\.pem' is relative.*; 'tls\.certFile': is empty/,
    );
    await expect(
      runDocker(['add', '--url', 'unix:///x.sock', ...base, '--', '-lab-'], recorder().io, {}),
    ).rejects.toThrow(/'name': "-lab-" starts or ends with '-'/);
    const r = recorder();
    expect(await runDocker(['list', ...base], r.io, {})).toBe(0);
    expect(r.out).toEqual(['No Docker endpoints yet: add one with homeport docker add NAME --url URL.']);
  });
});
