/**
 * Refused input as the screen says it, across channels: each field by its on-screen label, the
 * channel's internal name never shown.
 */
import { describe, expect, it } from 'vitest';
import { channels, type Handlers } from '@shared/contract';
import { createDispatch } from './dispatch';

const never = async (): Promise<never> => {
  throw new Error('the handler must not run for refused input');
};
const dispatch = createDispatch(
  Object.fromEntries(Object.keys(channels).map((c) => [c, never])) as unknown as Handlers,
);

async function refusal(channel: string, input: unknown): Promise<string> {
  const result = await dispatch(channel, input);
  if (result.ok) throw new Error(`${channel} took ${JSON.stringify(input)}`);
  expect(result.error.code).toBe('INVALID_INPUT');
  expect(result.error.message).not.toContain('Invalid input');
  expect(result.error.message).not.toContain(channel);
  return result.error.message;
}

describe('refused input names fields by their on-screen labels', () => {
  it('docker:addEndpoint: SSH key file, not sshKeyFile', async () => {
    const message = await refusal('docker:addEndpoint', {
      name: 'nas',
      url: 'ssh://me@nas.lan',
      sshKeyFile: 'id_ed25519',
    });
    expect(message).toMatch(/^SSH key file: 'id_ed25519' is relative: give the full path/);
    expect(message).not.toContain("'sshKeyFile'");
  });

  it('docker:addEndpoint: the TLS files by their labels', async () => {
    const message = await refusal('docker:addEndpoint', {
      name: 'lab',
      url: 'tcp://10.0.0.30:2376',
      tls: { caFile: 'ca.pem', certFile: '/c.pem', keyFile: '' },
    });
    expect(message).toContain("CA certificate file: 'ca.pem' is relative");
    expect(message).toContain('Client key file: ');
  });

  it('nas:add: the SSH port as the form labels it', async () => {
    const message = await refusal('nas:add', {
      name: 'nas',
      address: 'nas.lan',
      port: 70000,
      user: 'admin',
      auth: 'agent',
    });
    expect(message).toMatch(/^SSH port: /);
  });

  it('deploy:plan: a missing target field is "is required", by its label', async () => {
    const message = await refusal('deploy:plan', {
      target: { kind: 'kubernetes', context: 'home' },
      stack: 'revenge',
      values: {},
    });
    expect(message).toContain('Namespace: is required');
  });

  it('s3:add: a bad name, and a field the form does not have', async () => {
    const message = await refusal('s3:add', {
      name: '-garage-',
      endpoint: 'http://s3.lan:9000',
      accessKeyId: 'k',
      secretAccessKey: 's',
      colour: 'blue',
    });
    expect(message).toContain(`Name: "-garage-" starts or ends with '-'`);
    expect(message).toContain('Colour: not a field of this form');
  });

  it('nas:replaceHostKey: the fingerprint by its label, and what it must look like', async () => {
    const message = await refusal('nas:replaceHostKey', { name: 'nas', fingerprint: 'abc' });
    expect(message).toBe(
      'Host key fingerprint: must be a SHA256 fingerprint as ssh-keygen -lf prints it (SHA256: and 43 characters)',
    );
  });

  it('a message that already starts with the field name is not doubled', async () => {
    const message = await refusal('deploy:rollback', {
      target: { kind: 'kubernetes', context: 'home', namespace: 'media' },
      stack: 'revenge',
      revision: 0,
    });
    expect(message).toBe('Revision: revisions start at 1');
  });
});

describe('labels of forms that name a field their own way', () => {
  it('the registry host is "Registry", its message not doubled', async () => {
    const message = await refusal('docker:addRegistry', {
      host: 'https://registry.nas.lan/v2',
      username: 'ops',
      secret: 'x',
    });
    expect(message).toMatch(/^Registry: a host name with an optional port/);
  });
});

describe('Swarm service actions refuse bad input in the screen words', () => {
  it('a replica count must be a whole number from 0', async () => {
    expect(await refusal('swarm:scaleService', { endpoint: 'local', service: 'web', replicas: 1.5 })).toBe(
      'Replicas: enter a whole number of replicas',
    );
    expect(await refusal('swarm:scaleService', { endpoint: 'local', service: 'web', replicas: -1 })).toBe(
      'Replicas: use 0 or more (0 stops every task)',
    );
    expect(await refusal('swarm:removeService', { endpoint: 'local', service: '' })).toBe('Service: pick a service');
  });
});
