import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** A second, unrelated CA: trusting it instead must fail verification. */
  otherCaCert: string;
}

function openssl(args: string[], cwd: string) {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/**
 * A throwaway CA and a server certificate for 127.0.0.1 and localhost (and any extra DNS names),
 * made with the openssl CLI. Each call makes a new CA.
 */
export function createTestPki(opts: { dnsNames?: string[] } = {}): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'homeport-pki-'));
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  for (const name of ['ca', 'other']) {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
        ...subj(`${name} test CA`),
      ],
      dir,
    );
  }
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', ...subj('127.0.0.1')],
    dir,
  );
  const ext = join(dir, 'ext.cnf');
  const names = ['IP:127.0.0.1', 'DNS:localhost', ...(opts.dnsNames ?? []).map((n) => `DNS:${n}`)];
  writeFileSync(ext, `subjectAltName=${names.join(',')}\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      'server.crt',
      '-extfile',
      ext,
    ],
    dir,
  );
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    caCert: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    otherCaCert: read('other.crt'),
  };
}
