/**
 * The CLI's words for a backup destination, and back:
 *   nas:HOST/EXPORT_OR_DIR   nas:nas1/srv/backups (directory /srv/backups), nas:nas1/media-backups
 *                            (one segment: the export named media-backups), nas:nas1//backups
 *                            (a leading '/': the directory /backups)
 *   s3:PROFILE/BUCKET[/PREFIX]
 *   file:DIR                 absolute, or relative to the working directory
 */
import { resolve } from 'node:path';
import type { z } from 'zod';
import { backupDestinationSchema, type BackupDestinationSpec } from '@shared/backup-schemas';
import { existingBucketName, savedName } from '@shared/names';
import { HomeportError } from '../errors';

const EXAMPLES = {
  nas: 'nas:nas1/srv/backups (a directory) or nas:nas1/media-backups (an export)',
  s3: 's3:home-s3/backups/homeport (profile, bucket, then an optional key prefix)',
  file: 'file:/mnt/usb/backups',
} as const;

type Kind = keyof typeof EXAMPLES;

function refuse(text: string, kind: Kind | undefined, what: string): HomeportError {
  const example = kind
    ? EXAMPLES[kind]
    : `one of ${Object.values(EXAMPLES)
        .map((e) => e.split(' ')[0])
        .join(', ')}`;
  return new HomeportError('INVALID_INPUT', `destination '${text}': ${what}; for example ${example}`);
}

/** Checks one part with a shared rule; the refusal names the part ("the host 'Nas1' has upper-case letters"). */
function part<S extends z.ZodType>(text: string, kind: Kind, name: string, schema: S, value: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? 'is not valid';
  throw refuse(text, kind, `the ${name} ${message}`);
}

/** Parses `nas:…`, `s3:…` or `file:…` into the contract's destination. */
export function parseDestination(text: string, cwd = process.cwd()): BackupDestinationSpec {
  const colon = text.indexOf(':');
  const scheme = colon < 0 ? '' : text.slice(0, colon);
  const rest = colon < 0 ? text : text.slice(colon + 1);
  let spec: unknown;
  switch (scheme) {
    case 'nas': {
      const slash = rest.indexOf('/');
      if (slash < 0 || slash === rest.length - 1) {
        throw refuse(text, 'nas', `give the export or directory after the host (nas:HOST/EXPORT_OR_DIR)`);
      }
      const host = part(text, 'nas', 'host', savedName, rest.slice(0, slash));
      const after = rest.slice(slash + 1).replace(/(.)\/+$/, '$1');
      const dir = after.includes('/') ? `/${after.replace(/^\/+/, '')}` : undefined;
      // The schema's union would only say "Invalid input": the directory's rule is told here.
      if (dir?.split('/').includes('..') || /[\0\n\r]/.test(after)) {
        throw refuse(text, 'nas', "the directory must be absolute with no '..' or line breaks, like /srv/backups");
      }
      spec = { kind: 'nas', host, dir: dir ?? part(text, 'nas', 'export name', savedName, after) };
      break;
    }
    case 's3': {
      const [profile = '', bucket = '', ...prefix] = rest.split('/');
      if (bucket === '') throw refuse(text, 's3', 'give the bucket after the profile (s3:PROFILE/BUCKET/PREFIX)');
      spec = {
        kind: 's3',
        profile: part(text, 's3', 'profile', savedName, profile),
        bucket: part(text, 's3', 'bucket', existingBucketName, bucket),
        prefix: prefix.join('/').replace(/\/+$/, ''),
      };
      break;
    }
    case 'file': {
      if (rest === '') throw refuse(text, 'file', 'give the folder (file:DIR)');
      const dir = rest.startsWith('/') ? rest : resolve(cwd, rest);
      spec = { kind: 'file', dir: dir.length > 1 ? dir.replace(/\/+$/, '') : dir };
      break;
    }
    default:
      throw refuse(text, undefined, 'start it with nas:, s3: or file:');
  }
  const parsed = backupDestinationSchema.safeParse(spec);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const kind = scheme as Kind;
  const field = String(issue.path[0] ?? 'destination');
  const name = kind === 'nas' && field === 'dir' ? 'directory' : field === 'prefix' ? 'key prefix' : field;
  throw refuse(text, kind, `the ${name} ${issue.message}`);
}

/** The destination in the CLI's words; parseDestination(formatDestination(d)) gives d back. */
export function formatDestination(spec: BackupDestinationSpec): string {
  switch (spec.kind) {
    case 'nas': {
      if (!spec.dir.startsWith('/')) return `nas:${spec.host}/${spec.dir}`;
      // A one-segment directory keeps its '/': nas:nas1/backups would name an export.
      const body = spec.dir.slice(1);
      return body.includes('/') ? `nas:${spec.host}/${body}` : `nas:${spec.host}//${body}`;
    }
    case 's3':
      return `s3:${spec.profile}/${spec.bucket}${spec.prefix ? `/${spec.prefix}` : ''}`;
    case 'file':
      return `file:${spec.dir}`;
  }
}
