/**
 * The Goverse stand-ins refuse what Goverse's loaders refuse (standin-goverse.ts), and start with
 * what the stack renders: the node's and the migration's arguments and the config file.
 */
import { describe, expect, it } from 'vitest';
import { goverseValuesSchema } from '../../stacks/goverse';
import { buildGoverse, goverseConfigFile } from '../../stacks/goverse-stack';
import { GOVERSE_CONFIG_PATH } from '../../stacks/goverse-upstream';
import { goverseStartProblems, loadGoverseConfig, parseGoFlags, pgadminTarget } from './standin-goverse';

const values = goverseValuesSchema.parse({
  node: { image: 'goverse-node:x' },
  gate: { image: 'goverse-gate:x' },
  inspector: { image: 'goverse-inspector:x' },
  migrate: { image: 'goverse-pgadmin:x' },
});
const model = buildGoverse(values);
const argsOf = (name: string) => model.components.find((c) => c.name === name)?.args ?? [];
const config = goverseConfigFile(values).replace('{{goverse-secrets/database-password}}', 'pw');
const files = { [GOVERSE_CONFIG_PATH]: config };

describe('Goverse stand-ins', () => {
  it('start with what the stack renders', () => {
    const node = argsOf('node').map((a) => a.replace('$(POD_NAME)', 'node-1'));
    expect(goverseStartProblems('node', node, files)).toEqual([]);
    const gate = argsOf('gate').map((a) => a.replace('$(POD_IP)', '10.0.0.7'));
    expect(goverseStartProblems('gate', gate, {})).toEqual([]);
    expect(goverseStartProblems('inspector', argsOf('inspector'), {})).toEqual([]);
    // pgadmin reads PostgreSQL's address and password from the same file.
    const migrate = model.tasks?.[0]?.args ?? [];
    expect(goverseStartProblems('migrate', migrate, files)).toEqual([]);
    expect(goverseStartProblems('migrate', migrate, {})).toEqual([
      `Error loading config file: failed to read config file: open ${GOVERSE_CONFIG_PATH}: no such file or directory`,
    ]);
    expect(pgadminTarget(migrate, files)).toEqual({ host: 'postgres', port: 5432 });
  });

  it('refuse a node id the file does not list, a missing file and flags next to --config', () => {
    expect(goverseStartProblems('node', ['--config=/etc/goverse/config.yaml', '--node-id=node-7'], files)).toEqual([
      'failed to find node config: node with id "node-7" not found',
    ]);
    expect(goverseStartProblems('node', ['--config=/etc/goverse/config.yaml', '--node-id=node-0'], {})[0]).toMatch(
      /^failed to load config: failed to read config file/,
    );
    expect(goverseStartProblems('node', ['--config=/etc/goverse/config.yaml'], files)).toEqual([
      '--node-id is required when using --config',
    ]);
    expect(
      goverseStartProblems('node', ['--config=/etc/goverse/config.yaml', '--node-id=node-0', '--listen=:1'], files),
    ).toEqual(['--listen cannot be used with --config; configure in config file instead']);
    // Inspector with --config: --static-dir is refused (inspectorconfig.go:71-73).
    expect(goverseStartProblems('inspector', ['--config=/c.yaml', '--static-dir=/app/web'], {})).toEqual([
      '--static-dir cannot be used with --config; configure in config file instead',
    ]);
    // The gate with --config needs its id in the file's gates (gateconfig.go:101-103); the stack lists none.
    expect(goverseStartProblems('gate', ['--config=/etc/goverse/config.yaml', '--gate-id=g'], files)).toEqual([
      'failed to find gate config: gate with id "g" not found',
    ]);
    expect(goverseStartProblems('node', ['--nodeid=x'], {})).toEqual(['flag provided but not defined: -nodeid']);
  });

  it('validate the file as config.Validate does, ignoring unknown keys', () => {
    expect(typeof loadGoverseConfig('/c', `${config}extra_key: 1\n`)).toBe('object');
    expect(loadGoverseConfig('/c', config.replace('version: 1', 'version: 2'))).toBe(
      'invalid configuration: unsupported config version: 2 (expected 1)',
    );
    expect(loadGoverseConfig('/c', config.replace('provider: "etcd"', 'provider: "consul"'))).toBe(
      "invalid configuration: unsupported cluster provider: consul (only 'etcd' is supported)",
    );
    expect(loadGoverseConfig('/c', config.replace('shards: 8192', 'shards: 0'))).toBe(
      'invalid configuration: cluster shards must be specified and positive',
    );
    expect(loadGoverseConfig('/c', config.replace('prefix: "/goverse"', 'prefix: ""'))).toBe(
      'invalid configuration: etcd prefix is required',
    );
  });

  it('parse flags as Go does and pgadmin needs exactly one command', () => {
    expect(parseGoFlags('migrate', ['-host', 'db', '--port=1', 'init'])).toEqual({
      flags: { host: 'db', port: '1' },
      rest: ['init'],
    });
    expect(goverseStartProblems('migrate', ['--host=db'], {})).toEqual(['Error: command required']);
    expect(goverseStartProblems('migrate', ['migrate'], {})).toEqual(["Error: unknown command 'migrate'"]);
  });
});
