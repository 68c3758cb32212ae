import type { EndpointTest } from '@shared/swarm-schemas';
import { HomeportError } from '../errors';

export type DockerEndpointFailure = Extract<EndpointTest, { status: 'failed' }>['reason'];

/** An endpoint that cannot be used as configured (unreadable TLS file, bad URL, ...). SSH failures are SshError. */
export class DockerEndpointError extends HomeportError {
  constructor(
    readonly reason: Extract<DockerEndpointFailure, 'config'>,
    message: string,
  ) {
    super('INVALID_INPUT', message);
    this.name = 'DockerEndpointError';
  }
}
