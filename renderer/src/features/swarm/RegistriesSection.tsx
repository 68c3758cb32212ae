import { useState, type FormEvent } from 'react';
import type { RegistryCredential } from '@shared/registry-schemas';
import { useAddRegistry, useRegistries, useRemoveRegistry } from './use-registries';

/**
 * Registry credentials for private images on a swarm, on the Connections screen: the ones saved in
 * Homeport and the registries of the user's docker login. The password or token is typed once and
 * never shown again.
 */
export function RegistriesSection() {
  const registries = useRegistries();
  const remove = useRemoveRegistry();
  const list = registries.data?.registries ?? [];
  return (
    <>
      <h2>Container registries</h2>
      <p className="muted">
        Swarm deploys send the credential of an image&apos;s registry (docker.io for names without one) so the nodes can
        pull private images. Saved credentials win over your docker login (~/.docker/config.json).
      </p>
      {registries.error ? <p className="error">{registries.error.message}</p> : null}
      {registries.data && list.length === 0 ? (
        <p className="empty" data-testid="no-registries">
          No registry credentials. Public images need none.
        </p>
      ) : null}
      {list.length > 0 ? (
        <table className="table" data-testid="registries-table">
          <thead>
            <tr>
              <th>Registry</th>
              <th>User</th>
              <th>From</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={`${r.source}:${r.host}`} data-registry={r.host}>
                <td className="mono">{r.host}</td>
                <td>{r.username ?? <span className="muted">—</span>}</td>
                <td>
                  <RegistrySource registry={r} />
                  {r.source === 'saved' ? (
                    <button type="button" onClick={() => remove.mutate(r.host)} disabled={remove.isPending}>
                      Remove
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {remove.error ? (
        <div className="error small" role="alert">
          {remove.error.message}
        </div>
      ) : null}
      <AddRegistryForm />
    </>
  );
}

function RegistrySource({ registry }: { registry: RegistryCredential }) {
  if (registry.source === 'saved') return <span className="badge">saved</span>;
  return (
    <span className="badge" title="~/.docker/config.json; change it with docker login / docker logout">
      docker login{registry.helper ? ` (docker-credential-${registry.helper})` : ''}
    </span>
  );
}

function AddRegistryForm() {
  const add = useAddRegistry();
  const empty = { host: '', username: '', secret: '' };
  const [form, setForm] = useState(empty);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      { host: form.host.trim(), username: form.username.trim(), secret: form.secret },
      { onSuccess: () => setForm(empty) },
    );
  };
  return (
    <form className="add-form" onSubmit={submit} data-testid="add-registry">
      <div className="row">
        <label className="field">
          <span>Registry</span>
          <input
            className="mono"
            value={form.host}
            onChange={(e) => setForm({ ...form, host: e.target.value })}
            placeholder="ghcr.io"
            data-testid="registry-host"
          />
        </label>
        <label className="field">
          <span>User</span>
          <input
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            data-testid="registry-username"
          />
        </label>
        <label className="field">
          <span>Password or token</span>
          <input
            type="password"
            autoComplete="off"
            value={form.secret}
            onChange={(e) => setForm({ ...form, secret: e.target.value })}
            data-testid="registry-secret"
          />
        </label>
      </div>
      <button type="submit" disabled={add.isPending || !form.host.trim() || !form.username.trim() || !form.secret}>
        Save credential
      </button>
      {add.error ? (
        <div className="error small" role="alert" data-testid="registry-error">
          {add.error.message}
        </div>
      ) : null}
    </form>
  );
}
