import { useState, type FormEvent } from 'react';
import type { NasHost, NasProbe } from '@shared/storage-schemas';
import { SshFailureNotice, sshFailureLabels } from '../../components/HostKeyPrompt';
import {
  useAcceptNasHostKey,
  useAddNasHost,
  useCreateExport,
  useExports,
  useNasHosts,
  useProbe,
  useRemoveExport,
  useRemoveNasHost,
  useReplaceNasHostKey,
} from './use-storage';

const reasonLabels: Record<Extract<NasProbe, { status: 'failed' }>['reason'], string> = {
  ...sshFailureLabels,
  config: 'Host problem',
};

const formatBytes = (n: number) => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
};

/** NAS hosts over SSH: add, probe (host key first), and the NFS exports Homeport manages on each. */
export function NasSection() {
  const hosts = useNasHosts();
  const [open, setOpen] = useState<string>();
  const list = hosts.data?.hosts ?? [];
  return (
    <>
      <h2>NAS hosts</h2>
      {hosts.error ? <p className="error">{hosts.error.message}</p> : null}
      {hosts.data && list.length === 0 ? <p className="empty">No NAS hosts yet. Add one below.</p> : null}
      {list.length > 0 ? (
        <table className="table" data-testid="nas-table">
          <thead>
            <tr>
              <th>Host</th>
              <th>Login</th>
              <th>Connection</th>
            </tr>
          </thead>
          <tbody>
            {list.map((h) => (
              <NasRow key={h.name} host={h} onExports={() => setOpen(open === h.name ? undefined : h.name)} />
            ))}
          </tbody>
        </table>
      ) : null}
      {open && list.some((h) => h.name === open) ? <ExportsPanel key={open} host={open} /> : null}
      <AddNasForm />
    </>
  );
}

function NasRow({ host, onExports }: { host: NasHost; onExports(): void }) {
  const probe = useProbe(host.name);
  const accept = useAcceptNasHostKey(host.name);
  const replace = useReplaceNasHostKey(host.name);
  const remove = useRemoveNasHost();
  const result = replace.data ?? accept.data ?? probe.data;
  const error = probe.error ?? accept.error ?? replace.error ?? remove.error;
  return (
    <tr data-nas={host.name}>
      <td>
        <div className="strong">{host.name}</div>
        <div className="mono small">
          {host.address}:{host.port}
        </div>
      </td>
      <td>
        <div>{host.user}</div>
        <div className="muted small">
          {host.auth === 'key' ? `key ${host.keyFile ?? ''}` : host.auth}
          {host.hasSecret ? ' · secret stored (encrypted)' : ''}
        </div>
      </td>
      <td className="connection-cell">
        <div className="row">
          <button
            type="button"
            onClick={() => {
              accept.reset();
              replace.reset();
              probe.mutate();
            }}
            disabled={probe.isPending}
          >
            {probe.isPending ? 'Probing…' : 'Probe'}
          </button>
          <button type="button" onClick={onExports}>
            Exports
          </button>
          <button type="button" onClick={() => remove.mutate(host.name)} disabled={remove.isPending}>
            Remove
          </button>
        </div>
        <div data-testid="nas-probe-result" aria-live="polite">
          {error ? (
            <div className="error small" role="alert">
              {error.message}
            </div>
          ) : null}
          {result?.status === 'connected' ? (
            <div className="ok small">
              Connected · {result.os} · NFS server {result.nfsServer ? 'installed' : 'missing'} ·{' '}
              {result.privilege === 'none' ? 'no root and no passwordless sudo' : `privilege: ${result.privilege}`}
              <ul className="muted">
                {result.paths.map((p) => (
                  <li key={p.path}>
                    {p.path}: {formatBytes(p.freeBytes)} free of {formatBytes(p.totalBytes)}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {result?.status === 'failed' ? (
            <SshFailureNotice
              failure={result}
              label={reasonLabels[result.reason]}
              what="the NAS"
              busy={accept.isPending || replace.isPending}
              onTrust={(fingerprint) => accept.mutate(fingerprint)}
              onReplace={(fingerprint) => replace.mutate(fingerprint)}
            />
          ) : null}
        </div>
      </td>
    </tr>
  );
}

function AddNasForm() {
  const add = useAddNasHost();
  const [form, setForm] = useState({ name: '', address: '', port: '', user: '', keyFile: '', secret: '' });
  const [auth, setAuth] = useState<'key' | 'agent' | 'password'>('key');
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const port = Number(form.port);
    add.mutate(
      {
        name: form.name.trim(),
        address: form.address.trim(),
        ...(form.port.trim() !== '' ? { port: Number.isInteger(port) ? port : -1 } : {}),
        user: form.user.trim(),
        auth,
        ...(auth === 'key' && form.keyFile.trim() ? { keyFile: form.keyFile.trim() } : {}),
        ...(auth !== 'agent' && form.secret ? { secret: form.secret } : {}),
      },
      // The typed secret is cleared once stored; on error the form keeps what was typed.
      { onSuccess: () => setForm({ name: '', address: '', port: '', user: '', keyFile: '', secret: '' }) },
    );
  };
  const input = (key: keyof typeof form, label: string, placeholder: string, type = 'text') => (
    <label className="field">
      <span>{label}</span>
      <input
        type={type}
        className={type === 'password' ? undefined : 'mono'}
        value={form[key]}
        onChange={(e) => set(key)(e.target.value)}
        placeholder={placeholder}
        data-testid={`nas-${key}`}
        autoComplete="off"
      />
    </label>
  );
  return (
    <form className="add-form" onSubmit={submit} data-testid="add-nas">
      <div className="row">
        {input('name', 'Name', 'nas')}
        {input('address', 'Address or ~/.ssh/config host', 'nas.lan or 10.0.0.20')}
        {input('port', 'SSH port', '22 or ~/.ssh/config')}
        {input('user', 'User', 'admin')}
      </div>
      <div className="row">
        <label className="field">
          <span>Login with</span>
          <select value={auth} onChange={(e) => setAuth(e.target.value as typeof auth)} data-testid="nas-auth">
            <option value="key">Private key file</option>
            <option value="agent">SSH agent</option>
            <option value="password">Password</option>
          </select>
        </label>
        {auth === 'key'
          ? input('keyFile', 'Private key file (empty: ~/.ssh/config)', '/home/me/.ssh/id_ed25519')
          : null}
        {auth === 'key' ? input('secret', 'Key passphrase (if any)', '', 'password') : null}
        {auth === 'password' ? input('secret', 'Password', '', 'password') : null}
      </div>
      <button type="submit" disabled={add.isPending || form.name.trim() === '' || form.address.trim() === ''}>
        Add NAS host
      </button>
      {add.error ? (
        <div className="error small" role="alert" data-testid="nas-error">
          {add.error.message}
        </div>
      ) : null}
    </form>
  );
}

function ExportsPanel({ host }: { host: string }) {
  const exports = useExports(host);
  const create = useCreateExport(host);
  const remove = useRemoveExport(host);
  const [form, setForm] = useState({ name: '', path: '', clients: '', owner: '', mode: '0755' });
  const [readOnly, setReadOnly] = useState(true);
  const [squash, setSquash] = useState<'root_squash' | 'no_root_squash' | 'all_squash'>('root_squash');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      name: form.name.trim(),
      path: form.path,
      clients: form.clients
        .split(/[\s,]+/)
        .map((c) => c.trim())
        .filter(Boolean),
      readOnly,
      squash,
      ...(form.owner.trim() ? { owner: form.owner.trim() } : {}),
      ...(form.mode.trim() ? { mode: form.mode.trim() } : {}),
    });
  };
  const list = exports.data?.exports ?? [];
  const error = exports.error ?? create.error ?? remove.error;
  return (
    <div className="deploy-step" data-testid="exports-panel">
      <h3>NFS exports on {host}</h3>
      <p className="muted small">
        Homeport writes only its own files under /etc/exports.d/ and checks them with exportfs -v.
      </p>
      {list.length === 0 && exports.data ? <p className="empty">No exports made by Homeport on this host.</p> : null}
      {list.length > 0 ? (
        <table className="table" data-testid="exports-table">
          <thead>
            <tr>
              <th>Export</th>
              <th>Clients</th>
              <th>Access</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((e) => (
              <tr key={e.name} data-export={e.name}>
                <td>
                  <div className="strong">{e.name}</div>
                  <div className="mono small">{e.path}</div>
                </td>
                <td className="mono small">{e.clients.join(', ')}</td>
                <td>
                  {e.readOnly ? 'read-only' : 'read-write'} · {e.squash}
                </td>
                <td className={e.active ? 'tone-ok' : 'tone-error'} data-testid="export-active">
                  {e.active ? 'Active' : 'Not exported'}
                </td>
                <td>
                  <button type="button" onClick={() => remove.mutate(e.name)} disabled={remove.isPending}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form className="add-form" onSubmit={submit} data-testid="create-export">
        <div className="row">
          {(
            [
              ['name', 'Name', 'media'],
              ['path', 'Directory', '/srv/media'],
              ['clients', 'Allowed clients', '10.0.0.0/24, 10.0.0.31'],
              ['owner', 'Owner (if created)', '1000:1000'],
              ['mode', 'Mode (if created)', '0755'],
            ] as const
          ).map(([key, label, placeholder]) => (
            <label className="field" key={key}>
              <span>{label}</span>
              <input
                className="mono"
                value={form[key]}
                onChange={(e) => setForm({ ...form, [key]: e.target.value })}
                placeholder={placeholder}
                data-testid={`export-${key}`}
              />
            </label>
          ))}
        </div>
        <div className="row">
          <label className="field-check">
            <input
              type="checkbox"
              checked={readOnly}
              onChange={(e) => setReadOnly(e.target.checked)}
              data-testid="export-readonly"
            />
            Read-only (media)
          </label>
          <label className="field">
            <span>Squash</span>
            <select value={squash} onChange={(e) => setSquash(e.target.value as typeof squash)}>
              <option value="root_squash">root_squash (default)</option>
              <option value="all_squash">all_squash</option>
              <option value="no_root_squash">no_root_squash</option>
            </select>
          </label>
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create export'}
          </button>
        </div>
        {create.data ? (
          <p className="ok small" role="status" data-testid="export-created">
            {create.data.changed
              ? create.data.export.active
                ? 'Export created and active'
                : 'Export written'
              : 'Already exported this way: nothing changed'}
            .
          </p>
        ) : null}
        {create.data && !create.data.export.active ? (
          <p className="error small" role="alert">
            The drop-in file is written, but exportfs does not list it
            {create.data.message ? `: ${create.data.message}` : ''}.
          </p>
        ) : null}
        {error ? (
          <p className="error small" role="alert" data-testid="export-error">
            {error.message}
          </p>
        ) : null}
      </form>
    </div>
  );
}
