import { useState, type FormEvent } from 'react';
import type { S3Profile } from '@shared/storage-schemas';
import {
  useAddS3Profile,
  useBuckets,
  useCreateBucket,
  useDeleteBucket,
  useMakePrivate,
  useRemoveS3Profile,
  useS3Profiles,
  useTestS3,
} from './use-storage';

/** S3 endpoint profiles (MinIO, Garage, SeaweedFS, any S3-compatible store) and their buckets. */
export function S3Section() {
  const profiles = useS3Profiles();
  const [open, setOpen] = useState<string>();
  const list = profiles.data?.profiles ?? [];
  return (
    <>
      <h2>Object storage (S3)</h2>
      {profiles.error ? <p className="error">{profiles.error.message}</p> : null}
      {profiles.data && list.length === 0 ? <p className="empty">No S3 profiles yet. Add one below.</p> : null}
      {list.length > 0 ? (
        <table className="table" data-testid="s3-table">
          <thead>
            <tr>
              <th>Profile</th>
              <th>Endpoint</th>
              <th>Connection</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <S3Row key={p.name} profile={p} onBuckets={() => setOpen(open === p.name ? undefined : p.name)} />
            ))}
          </tbody>
        </table>
      ) : null}
      {open && list.some((p) => p.name === open) ? <BucketsPanel key={open} profile={open} /> : null}
      <AddS3Form />
    </>
  );
}

function S3Row({ profile, onBuckets }: { profile: S3Profile; onBuckets(): void }) {
  const test = useTestS3(profile.name);
  const remove = useRemoveS3Profile();
  const result = test.data;
  return (
    <tr data-s3={profile.name}>
      <td>
        <div className="strong">{profile.name}</div>
        <div className="muted small">key {profile.accessKeyId}</div>
      </td>
      <td>
        <div className="mono small">{profile.endpoint}</div>
        <div className="muted small">
          {profile.region} · {profile.pathStyle ? 'path-style' : 'virtual-host style'}
        </div>
        {profile.caFile ? <div className="muted small mono">CA {profile.caFile}</div> : null}
      </td>
      <td className="connection-cell">
        <div className="row">
          <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
            {test.isPending ? 'Testing…' : 'Test connection'}
          </button>
          <button type="button" onClick={onBuckets}>
            Buckets
          </button>
          <button type="button" onClick={() => remove.mutate(profile.name)} disabled={remove.isPending}>
            Remove
          </button>
        </div>
        <div data-testid="s3-result" aria-live="polite">
          {(test.error ?? remove.error) ? (
            <div className="error small" role="alert">
              {(test.error ?? remove.error)?.message}
            </div>
          ) : null}
          {result?.status === 'connected' ? (
            <div className="ok small">
              Connected · {result.buckets} buckets · {result.latencyMs} ms
            </div>
          ) : null}
          {result?.status === 'failed' ? (
            <div className="error small" role="alert">
              <strong>{result.reason}:</strong> {result.message}
            </div>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

function AddS3Form() {
  const add = useAddS3Profile();
  const empty = { name: '', endpoint: '', region: 'us-east-1', accessKeyId: '', secretAccessKey: '', caFile: '' };
  const [form, setForm] = useState(empty);
  const [pathStyle, setPathStyle] = useState(true);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      {
        name: form.name.trim(),
        endpoint: form.endpoint.trim(),
        ...(form.region.trim() ? { region: form.region.trim() } : {}),
        pathStyle,
        accessKeyId: form.accessKeyId.trim(),
        secretAccessKey: form.secretAccessKey,
        ...(form.caFile.trim() ? { caFile: form.caFile.trim() } : {}),
      },
      { onSuccess: () => setForm(empty) },
    );
  };
  return (
    <form className="add-form" onSubmit={submit} data-testid="add-s3">
      <div className="row">
        {(
          [
            ['name', 'Name', 'nas-s3', 'text'],
            ['endpoint', 'Endpoint', 'https://s3.nas.lan:9000', 'text'],
            ['region', 'Region', 'us-east-1', 'text'],
            ['accessKeyId', 'Access key id', '', 'text'],
            ['secretAccessKey', 'Secret access key', '', 'password'],
            ['caFile', 'CA certificate file (private CA, https)', '/etc/ssl/nas-ca.pem', 'text'],
          ] as const
        ).map(([key, label, placeholder, type]) => (
          <label className="field" key={key}>
            <span>{label}</span>
            <input
              type={type}
              className={type === 'password' ? undefined : 'mono'}
              value={form[key]}
              onChange={(e) => setForm({ ...form, [key]: e.target.value })}
              placeholder={placeholder}
              data-testid={`s3-${key}`}
              autoComplete="off"
            />
          </label>
        ))}
      </div>
      <label className="field-check">
        <input type="checkbox" checked={pathStyle} onChange={(e) => setPathStyle(e.target.checked)} />
        Path-style addressing (MinIO, Garage, SeaweedFS)
      </label>
      <button type="submit" disabled={add.isPending || form.name.trim() === ''}>
        Add S3 profile
      </button>
      {add.error ? (
        <div className="error small" role="alert" data-testid="s3-error">
          {add.error.message}
        </div>
      ) : null}
    </form>
  );
}

function BucketsPanel({ profile }: { profile: string }) {
  const buckets = useBuckets(profile);
  const create = useCreateBucket(profile);
  const remove = useDeleteBucket(profile);
  const makePrivate = useMakePrivate(profile);
  const [name, setName] = useState('');
  const [isPrivate, setIsPrivate] = useState(true);
  const error = buckets.error ?? create.error ?? remove.error ?? makePrivate.error;
  const list = buckets.data?.buckets ?? [];
  return (
    <div className="deploy-step" data-testid="buckets-panel">
      <h3>Buckets of {profile}</h3>
      {list.length === 0 && buckets.data ? <p className="empty">No buckets.</p> : null}
      {list.length > 0 ? (
        <table className="table" data-testid="buckets-table">
          <tbody>
            {list.map((b) => (
              <tr key={b.name} data-bucket={b.name}>
                <td className="mono">{b.name}</td>
                <td className="muted small">{b.createdAt ? new Date(b.createdAt).toLocaleString() : ''}</td>
                <td>
                  <div className="row">
                    <button type="button" onClick={() => makePrivate.mutate(b.name)} disabled={makePrivate.isPending}>
                      Make private
                    </button>
                    <button type="button" onClick={() => remove.mutate(b.name)} disabled={remove.isPending}>
                      Delete (if empty)
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ bucket: name.trim(), private: isPrivate }, { onSuccess: () => setName('') });
        }}
      >
        <label className="field">
          <span>New bucket</span>
          <input
            className="mono"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="revenge-avatars"
            data-testid="bucket-name"
          />
        </label>
        <label className="field-check">
          <input type="checkbox" checked={isPrivate} onChange={(e) => setIsPrivate(e.target.checked)} />
          Private
        </label>
        <button type="submit" disabled={create.isPending || name.trim() === ''}>
          Create bucket
        </button>
      </form>
      {makePrivate.isSuccess ? <p className="ok small">The bucket is private.</p> : null}
      {error ? (
        <p className="error small" role="alert" data-testid="bucket-error">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
