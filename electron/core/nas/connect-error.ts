import type { NasProbe } from '@shared/storage-schemas';
import { HomeportError } from '../errors';

export type NasFailureReason = Extract<NasProbe, { status: 'failed' }>['reason'];

const codes = {
  config: 'INVALID_INPUT',
  auth: 'UNAUTHORIZED',
  'host-key-changed': 'FORBIDDEN',
  'host-key-unknown': 'CONFLICT',
  unreachable: 'UNAVAILABLE',
  timeout: 'UNAVAILABLE',
} as const;

/** Connecting to a NAS host failed; `reason` says what to fix. */
export class NasConnectError extends HomeportError {
  constructor(
    readonly reason: NasFailureReason,
    message: string,
    /** For an unknown host key: what the user is asked to accept. */
    readonly hostKey?: { fingerprint: string; keyType: string },
  ) {
    super(codes[reason], message);
    this.name = 'NasConnectError';
  }
}
