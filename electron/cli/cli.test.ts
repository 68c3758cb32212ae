import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HOMEPORT_VERSION } from '../version';
import { main } from './index';
import { parsePort } from './serve-command';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return { out: () => out.join('\n'), err: () => err.join('\n') };
}

const config = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'home',
  clusters: [{ name: 'home', cluster: { server: 'https://10.0.0.5:6443' } }],
  users: [{ name: 'admin', user: { token: 'do-not-print' } }],
  contexts: [{ name: 'home', context: { cluster: 'home', user: 'admin', namespace: 'media' } }],
});

describe('homeport CLI', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints contexts as a table and as JSON, without credentials', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'homeport-cli-')), 'config');
    writeFileSync(file, config);
    let io = capture();
    expect(await main(['contexts', '--kubeconfig', file])).toBe(0);
    expect(io.out()).toMatch(
      /^CURRENT\s+NAME\s+CLUSTER\s+SERVER\s+USER\s+NAMESPACE\n\*\s+home\s+home\s+https:\/\/10\.0\.0\.5:6443\s+admin\s+media$/,
    );
    vi.restoreAllMocks();
    io = capture();
    expect(await main(['contexts', '--kubeconfig', file, '--json'])).toBe(0);
    const json = JSON.parse(io.out()) as { contexts: { name: string; server: string }[] };
    expect(json.contexts).toMatchObject([
      { name: 'home', server: 'https://10.0.0.5:6443', namespace: 'media', current: true },
    ]);
    expect(io.out()).not.toContain('do-not-print');
  });

  it('fails clearly on a missing file, an unknown option or an unknown command', async () => {
    const io = capture();
    expect(await main(['contexts', '--kubeconfig', '/no/such/file'])).toBe(1);
    expect(io.err()).toContain('Kubeconfig file /no/such/file does not exist');
    expect(await main(['contexts', '--bogus'])).toBe(2);
    expect(io.err()).toContain("Unknown option '--bogus'");
    expect(await main(['launch'])).toBe(2);
    expect(io.err()).toContain("unknown command 'launch'");
  });

  it('validates --port', () => {
    expect(parsePort(undefined)).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    expect(() => parsePort('eighty')).toThrow("--port: 'eighty' is not a port number");
    expect(() => parsePort('70000')).toThrow(/use 0-65535/);
  });

  it('knows its own version', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(HOMEPORT_VERSION).toBe(pkg.version);
  });
});
