/**
 * The sandbox's door to the local Docker engine that runs its pods: JSON requests through
 * Homeport's Docker client, plus the hijacked connections the engine uses for exec (stdin in,
 * output out on one socket), which the JSON client does not do.
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { HomeportError } from '../../core/errors';
import {
  createDockerClient,
  DockerRequestError,
  type DockerClient,
  type DockerTransport,
} from '../../core/docker/client';
import { parseEndpointUrl } from '../../core/docker/endpoint-url';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

export interface RuntimeEngine {
  /** Where the engine is, for messages. */
  readonly address: string;
  readonly client: DockerClient;
  /** POSTs to an engine path that upgrades to a raw stream (exec start); resolves with the socket. */
  hijack(path: string, body: unknown): Promise<Duplex>;
  close(): void;
}

/**
 * The engine at `dockerHost` (unix:///path or tcp://127.0.0.1:port). The sandbox bind-mounts files
 * it writes on this machine into containers, so only an engine on this machine will do.
 */
export function runtimeEngine(dockerHost: string): RuntimeEngine {
  const address = parseEndpointUrl(dockerHost, '--runtime docker');
  let transport: DockerTransport;
  if (address.kind === 'unix') transport = { kind: 'unix', socketPath: address.socketPath };
  else if (address.kind === 'tcp' && address.loopback)
    transport = { kind: 'tcp', host: address.host, port: address.port };
  else {
    throw new HomeportError(
      'INVALID_INPUT',
      `--runtime docker=${dockerHost}: the sandbox runs pods on an engine on this machine (it bind-mounts the pods' Secret and ConfigMap files): use unix:///var/run/docker.sock or tcp://127.0.0.1:PORT`,
    );
  }
  const client = createDockerClient(transport, dockerHost);

  function hijack(path: string, body: unknown): Promise<Duplex> {
    const payload = JSON.stringify(body);
    const target: http.RequestOptions =
      transport.kind === 'unix'
        ? { socketPath: transport.socketPath }
        : { host: (transport as { host: string }).host, port: (transport as { port: number }).port };
    return new Promise((resolve, reject) => {
      const req = http.request({
        ...target,
        method: 'POST',
        path,
        headers: {
          Host: 'docker',
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
          Connection: 'Upgrade',
          Upgrade: 'tcp',
        },
      });
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let message = text.trim();
          try {
            message = (JSON.parse(text) as { message?: string }).message ?? message;
          } catch {
            // Not JSON: the engine's words as they are.
          }
          reject(
            new DockerRequestError('http', `${dockerHost}: ${message || `HTTP ${res.statusCode}`}`, res.statusCode),
          );
        });
      });
      req.on('error', (err) => reject(new DockerRequestError('unreachable', `${dockerHost}: ${err.message}`)));
      req.end(payload);
    });
  }

  return { address: dockerHost, client, hijack, close: () => client.close() };
}

/** The engine answered 404 (no such image, container, exec or network). */
export const isNotFound = (err: unknown) => err instanceof DockerRequestError && err.status === 404;

/** The engine's message without the address prefix the client adds. */
export function engineWords(err: unknown, address: string): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.startsWith(`${address}: `) ? text.slice(address.length + 2) : text;
}
