import type { ReactNode } from 'react';
import { backupDestinationSchema, type BackupDestinationSpec } from '@shared/backup-schemas';
import { fieldErrors } from './backup-format';
import { useBuckets, useExports, useNasHosts, useS3Profiles } from './use-backups';

export type DestinationKind = BackupDestinationSpec['kind'];
/** What the user has typed or picked, for every kind at once, so switching kinds keeps it. */
export interface DestinationDraft {
  kind: DestinationKind;
  host: string;
  nasDir: string;
  profile: string;
  bucket: string;
  prefix: string;
  folder: string;
}
export const emptyDraft: DestinationDraft = {
  kind: 'file',
  host: '',
  nasDir: '',
  profile: '',
  bucket: '',
  prefix: 'homeport/backups',
  folder: '',
};

/** The destination the draft names, or why not, field by field. */
export function readDraft(d: DestinationDraft): {
  destination?: BackupDestinationSpec;
  errors: Record<string, string>;
} {
  const input =
    d.kind === 'nas'
      ? { kind: d.kind, host: d.host, dir: d.nasDir }
      : d.kind === 's3'
        ? { kind: d.kind, profile: d.profile, bucket: d.bucket, prefix: d.prefix }
        : { kind: d.kind, dir: d.folder };
  const parsed = backupDestinationSchema.safeParse(input);
  return parsed.success ? { destination: parsed.data, errors: {} } : { errors: fieldErrors(parsed.error) };
}

const kindLabels: Record<DestinationKind, string> = { nas: 'NAS host', s3: 'S3 bucket', file: 'Local folder' };

/** Where backups go: a saved NAS host and directory or export, a saved S3 profile's bucket, or a folder here. */
export function DestinationPicker({
  draft,
  onChange,
}: {
  draft: DestinationDraft;
  onChange(next: DestinationDraft): void;
}) {
  const set = (change: Partial<DestinationDraft>) => onChange({ ...draft, ...change });
  const { errors } = readDraft(draft);
  const typed = (value: string) => value !== '';
  const error = (field: string, value: string) =>
    errors[field] && typed(value) ? (
      <span
        id={`destination-${field}-error`}
        className="error small"
        role="alert"
        data-field-error={`destination.${field}`}
      >
        {errors[field]}
      </span>
    ) : null;
  return (
    <div data-testid="backup-destination">
      <div className="row" role="radiogroup" aria-label="Destination">
        {(Object.keys(kindLabels) as DestinationKind[]).map((kind) => (
          <label key={kind} className="field-check">
            <input type="radio" name="destination-kind" checked={draft.kind === kind} onChange={() => set({ kind })} />
            {kindLabels[kind]}
          </label>
        ))}
      </div>
      {draft.kind === 'nas' ? <NasFields draft={draft} set={set} error={error} /> : null}
      {draft.kind === 's3' ? <S3Fields draft={draft} set={set} error={error} /> : null}
      {draft.kind === 'file' ? (
        <div className="row">
          <label className="field">
            <span>Folder</span>
            <input
              className="mono"
              aria-label="Folder"
              aria-describedby="destination-dir-error"
              value={draft.folder}
              placeholder="/srv/backups"
              onChange={(e) => set({ folder: e.target.value.trim() })}
            />
            {error('dir', draft.folder)}
          </label>
        </div>
      ) : null}
    </div>
  );
}

type FieldsProps = {
  draft: DestinationDraft;
  set(change: Partial<DestinationDraft>): void;
  error(field: string, value: string): ReactNode;
};

function NasFields({ draft, set, error }: FieldsProps) {
  const hosts = useNasHosts();
  const exports = useExports(draft.host);
  const list = hosts.data?.hosts ?? [];
  if (hosts.data && list.length === 0) return <p className="empty">No NAS hosts yet: add one on the Storage screen.</p>;
  return (
    <div className="row">
      <label className="field">
        <span>NAS host</span>
        <select value={draft.host} onChange={(e) => set({ host: e.target.value })}>
          <option value="">Choose…</option>
          {list.map((h) => (
            <option key={h.name} value={h.name}>
              {h.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Directory or export</span>
        <input
          className="mono"
          aria-label="Directory or export"
          aria-describedby="destination-dir-error"
          list="backup-nas-exports"
          value={draft.nasDir}
          placeholder="/srv/backups"
          onChange={(e) => set({ nasDir: e.target.value.trim() })}
        />
        <datalist id="backup-nas-exports">
          {(exports.data?.exports ?? []).map((x) => (
            <option key={x.name} value={x.name}>
              {x.path}
            </option>
          ))}
        </datalist>
        {error('dir', draft.nasDir)}
      </label>
    </div>
  );
}

function S3Fields({ draft, set, error }: FieldsProps) {
  const profiles = useS3Profiles();
  const buckets = useBuckets(draft.profile);
  const list = profiles.data?.profiles ?? [];
  if (profiles.data && list.length === 0) {
    return <p className="empty">No S3 profiles yet: add one on the Storage screen.</p>;
  }
  return (
    <div className="row">
      <label className="field">
        <span>S3 profile</span>
        <select value={draft.profile} onChange={(e) => set({ profile: e.target.value, bucket: '' })}>
          <option value="">Choose…</option>
          {list.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Bucket</span>
        <select value={draft.bucket} onChange={(e) => set({ bucket: e.target.value })} disabled={!draft.profile}>
          <option value="">Choose…</option>
          {(buckets.data?.buckets ?? []).map((b) => (
            <option key={b.name} value={b.name}>
              {b.name}
            </option>
          ))}
        </select>
        {buckets.error ? <span className="error small">{buckets.error.message}</span> : null}
      </label>
      <label className="field">
        <span>Prefix</span>
        <input
          className="mono"
          aria-label="Prefix"
          aria-describedby="destination-prefix-error"
          value={draft.prefix}
          onChange={(e) => set({ prefix: e.target.value.trim() })}
        />
        {error('prefix', draft.prefix)}
      </label>
    </div>
  );
}
