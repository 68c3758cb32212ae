import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { it } from 'vitest';
import { STANDIN_IMAGE } from '../../../core/docker/testing/dockerd';
import { testEngine } from '../../../core/docker/testing/engine';
import { startSandbox } from '../../index';

const run = promisify(execFile);
const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-dbg-'));
const kubeconfig = join(dir, 'kubeconfig');

function k(args: string[], input = '', timeout = 15000): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('timeout', [String(timeout / 1000), 'kubectl', '--kubeconfig', kubeconfig, ...args]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve(`$ kubectl ${args.join(' ')}\n[code ${code}]\n${out}`));
    child.stdin.end(input);
  });
}

it('debug', async () => {
  const sandbox = await startSandbox({ speed: 0.1, runtime: { kind: 'docker', dockerHost: engine.host } });
  await sandbox.writeKubeconfig(kubeconfig);
  writeFileSync(
    join(dir, 'p.yaml'),
    `apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: web}}
spec:
  containers:
  - name: client
    image: ${STANDIN_IMAGE}
`,
  );
  console.log(await k(['apply', '-f', join(dir, 'p.yaml')]));
  await new Promise((r) => setTimeout(r, 4000));
  console.log(await k(['get', 'pod', '-o', 'wide']));
  for (const cmd of (process.env.DBG ?? '').split('|')) {
    const args = cmd.split(' ').filter(Boolean);
    console.log(await k(args, 'through stdin\n'));
  }
  const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', 'pod/client', '18096:8096', '-v=8']);
  let pfOut = '';
  pf.stdout.on('data', (c: Buffer) => (pfOut += c.toString()));
  pf.stderr.on('data', (c: Buffer) => (pfOut += c.toString()));
  await new Promise((r) => setTimeout(r, 2000));
  for (let i = 0; i < 2; i++) {
    const res = await fetch('http://127.0.0.1:18096/health/ready').then(
      (r) => r.text(),
      (e: Error) => `fetch failed: ${String(e.cause ?? e)}`,
    );
    console.log('FETCH', res);
  }
  await new Promise((r) => setTimeout(r, 1000));
  pf.kill();
  console.log(pfOut);
  await sandbox.close();
}, 300_000);
