/**
 * The one place where a failure becomes what the user reads: every error that leaves a handler (or a
 * CLI command) is a HomeportError whose message says what failed, where, and what to do. Core throws
 * typed errors (HomeportError and its subclasses); this module adds the words of the screen.
 */
import { describeTarget, type Target } from '@shared/target-schemas';
import { DockerRequestError } from '../core/docker/client';
import { errorMessage, HomeportError } from '../core/errors';
import { KubeRequestError } from '../core/kube/kube-gateway';

/** Where a call went: a deploy target, a bare context / endpoint, or a backup destination (in words). */
export type Where =
  | Target
  | { kind: 'context'; context: string }
  | { kind: 'endpoint'; endpoint: string }
  | { kind: 'destination'; destination: string };

function whereText(where: Where): string {
  if (where.kind === 'context') return `context '${where.context}'`;
  if (where.kind === 'destination') return where.destination;
  if (where.kind === 'endpoint') return `endpoint '${where.endpoint}'`;
  return describeTarget(where);
}

function fromKube(err: KubeRequestError, what: string, where: string): HomeportError {
  switch (err.status) {
    case 404:
      return new HomeportError('NOT_FOUND', `${what} no longer exists in ${where}`);
    case 401:
      return new HomeportError('UNAUTHORIZED', err.message);
    case 403:
      return new HomeportError('FORBIDDEN', `Cannot access ${what} in ${where}: ${err.message}`);
    case 409:
      return new HomeportError('CONFLICT', `${what} in ${where} changed meanwhile: ${err.message}`);
    default:
      return new HomeportError(
        'UNAVAILABLE',
        `Cannot reach ${what} in ${where}: ${err.message}. Check the connection on the Connections screen and retry.`,
      );
  }
}

function fromDocker(err: DockerRequestError, what: string, where: string): HomeportError {
  if (err.status === 404) return new HomeportError('NOT_FOUND', `${what} does not exist on ${where}: ${err.message}`);
  if (err.status === 409) return new HomeportError('CONFLICT', `${what} on ${where}: ${err.message}`);
  if (err.status === 503 && /not a swarm manager|swarm mode/i.test(err.message)) {
    return new HomeportError(
      'UNAVAILABLE',
      `The Docker engine of ${where} is not a swarm manager: run 'docker swarm init' there, or point Homeport at a manager. (${err.message})`,
    );
  }
  if (err.reason === 'auth') return new HomeportError('FORBIDDEN', err.message);
  return new HomeportError('UNAVAILABLE', `Cannot reach ${what} on ${where}: ${err.message}`);
}

/** A failure of `what` (e.g. "stack 'revenge'") at `where`, in the user's words, with its code. */
export function userError(err: unknown, what: string, where: Where): HomeportError {
  const text = whereText(where);
  if (err instanceof KubeRequestError) return fromKube(err, what, text);
  if (err instanceof DockerRequestError) return fromDocker(err, what, text);
  if (err instanceof HomeportError) return err;
  return new HomeportError('INTERNAL', `Failed on ${what} in ${text}: ${errorMessage(err)}`);
}

/** Runs fn, turning whatever it throws into a user error about `what` at `where`. */
export async function guarded<R>(what: string, where: Where, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    throw userError(err, what, where);
  }
}
