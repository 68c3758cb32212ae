/**
 * Docker endpoint URLs and names: parsed and checked before anything is saved, with errors that
 * name the field and say how to fix it.
 */
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { absolutePath, savedName } from '@shared/names';
import type { DockerEndpoint } from '@shared/swarm-schemas';
import { checkField, HomeportError } from '../errors';

export const DEFAULT_SSH_DOCKER_SOCKET = '/var/run/docker.sock';

export type EndpointAddress =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; loopback: boolean }
  | {
      kind: 'ssh';
      /** Absent: ~/.ssh/config's User for the host, else the local user, as ssh does. */
      user?: string;
      host: string;
      port: number;
      /** The URL names the port (else ~/.ssh/config's Port for the host applies, then 22). */
      explicitPort: boolean;
      socketPath: string;
    };

const invalid = (field: string, message: string) => new HomeportError('INVALID_INPUT', `'${field}': ${message}`);

/** 127.0.0.0/8, ::1 and localhost: the only hosts a plain (non-TLS) tcp:// endpoint may use. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

function parsePort(raw: string, field: string, example: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw invalid(field, `port "${raw}" is not a number from 1 to 65535 (for example ${example})`);
  }
  return port;
}

/** Parses unix:///path, tcp://host:port or ssh://[user@]host[:port][/socket/path]. */
export function parseEndpointUrl(url: string, field = 'Docker endpoint URL'): EndpointAddress {
  const text = url.trim();
  if (text === '') throw invalid(field, 'enter unix:///path/to/docker.sock, tcp://host:2376 or ssh://user@host');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'unix') {
    const socketPath = text.slice('unix://'.length);
    if (!isAbsolute(socketPath)) {
      throw invalid(field, `"${text}" needs an absolute socket path: unix:///var/run/docker.sock (three slashes)`);
    }
    return { kind: 'unix', socketPath };
  }
  if (scheme === 'tcp') {
    const m = /^tcp:\/\/(\[[0-9a-f:.]+\]|[^:/[\]@\s]+)(?::([^/]*))?\/?$/i.exec(text);
    if (!m) throw invalid(field, `"${text}" is not tcp://host:port (for example tcp://192.168.1.10:2376)`);
    const host = m[1]!;
    if (m[2] === undefined) {
      throw invalid(field, `"${text}" has no port: add it, for example tcp://${host}:2376 (TLS) or :2375`);
    }
    const port = parsePort(m[2], field, `tcp://${host}:2376`);
    return { kind: 'tcp', host: host.replace(/^\[|\]$/g, ''), port, loopback: isLoopbackHost(host) };
  }
  if (scheme === 'ssh') {
    const m = /^ssh:\/\/(?:([^@/:\s]+)@)?(\[[0-9a-f:.]+\]|[^:/[\]@\s]+)(?::([^/]*))?(\/.*)?$/i.exec(text);
    if (!m) throw invalid(field, `"${text}" is not ssh://[user@]host[:port][/path/to/docker.sock]`);
    const host = m[2]!.replace(/^\[|\]$/g, '');
    const port = m[3] === undefined ? 22 : parsePort(m[3], field, `ssh://${m[1] ? `${m[1]}@` : ''}${host}:22`);
    const path = m[4] === undefined || m[4] === '/' ? DEFAULT_SSH_DOCKER_SOCKET : m[4];
    return {
      kind: 'ssh',
      ...(m[1] !== undefined ? { user: m[1] } : {}),
      host,
      port,
      explicitPort: m[3] !== undefined,
      socketPath: path,
    };
  }
  if (scheme === 'http' || scheme === 'https') {
    throw invalid(
      field,
      `"${text}": write tcp://host:port instead of ${scheme}:// (TLS is set with the certificate files)`,
    );
  }
  throw invalid(
    field,
    `"${text}" is not a Docker endpoint URL: use unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host`,
  );
}

export function validateEndpointName(name: unknown): string {
  return checkField(savedName, 'name', name);
}

/**
 * Checks a whole endpoint: its name, URL, and the settings that go with the scheme (TLS files for
 * tcp://, a key file only for ssh://). Returns it trimmed.
 */
export function validateEndpoint(endpoint: DockerEndpoint): { endpoint: DockerEndpoint; address: EndpointAddress } {
  validateEndpointName(endpoint.name);
  const address = parseEndpointUrl(endpoint.url);
  const out: DockerEndpoint = { name: endpoint.name, url: endpoint.url.trim() };
  if (endpoint.tls) {
    if (address.kind !== 'tcp') {
      throw invalid('tls', `TLS files apply to tcp:// endpoints only; remove them for ${address.kind}://`);
    }
    for (const key of ['caFile', 'certFile', 'keyFile'] as const) {
      const file = endpoint.tls[key]?.trim() ?? '';
      if (file === '') {
        throw invalid(
          `tls.${key}`,
          'TLS needs all three files: the CA certificate, the client certificate and its key',
        );
      }
      checkField(absolutePath, `tls.${key}`, file);
    }
    out.tls = {
      caFile: endpoint.tls.caFile.trim(),
      certFile: endpoint.tls.certFile.trim(),
      keyFile: endpoint.tls.keyFile.trim(),
    };
  } else if (address.kind === 'tcp' && !address.loopback) {
    throw invalid(
      'tls',
      `${endpoint.url} is not on this machine, so it needs TLS: give the CA certificate, client certificate and key files (docker's ca.pem, cert.pem, key.pem), or use ssh://`,
    );
  }
  if (endpoint.sshKeyFile !== undefined && endpoint.sshKeyFile.trim() !== '') {
    if (address.kind !== 'ssh') throw invalid('sshKeyFile', `a key file applies to ssh:// endpoints only`);
    out.sshKeyFile = checkField(absolutePath, 'sshKeyFile', endpoint.sshKeyFile);
  }
  return { endpoint: out, address };
}
