import type { EndpointTest } from '@shared/swarm-schemas';
import { HomeportError } from '../errors';

export type DockerEndpointFailure = Extract<EndpointTest, { status: 'failed' }>['reason'];

/** An endpoint that cannot be used as configured (unreadable TLS file, bad URL, ...). */
export class DockerEndpointError extends HomeportError {
  constructor(
    readonly reason: DockerEndpointFailure,
    message: string,
    readonly hostKey?: { fingerprint: string; keyType: string },
  ) {
    super(reason === 'config' ? 'INVALID_INPUT' : 'UNAVAILABLE', message);
    this.name = 'DockerEndpointError';
  }
}
