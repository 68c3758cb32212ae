import { useState, type FormEvent } from 'react';
import type { DockerEndpoint, EndpointTest } from '@shared/swarm-schemas';
import { SshFailureNotice, sshFailureLabels } from '../../components/HostKeyPrompt';
import {
  useAcceptHostKey,
  useAddEndpoint,
  useEndpoints,
  useRemoveEndpoint,
  useReplaceHostKey,
  useTestEndpoint,
} from './use-endpoints';

const reasonLabels: Record<Extract<EndpointTest, { status: 'failed' }>['reason'], string> = {
  ...sshFailureLabels,
  tls: 'TLS failed',
  http: 'Unexpected answer',
  // An engine answering 401/403 is an auth failure too, not only an SSH login.
  auth: 'Not allowed',
  config: 'Endpoint problem',
};

/** Docker Swarm endpoints on the Connections screen: list, test, trust an SSH host key, add, remove. */
export function EndpointsSection() {
  const endpoints = useEndpoints();
  const list = endpoints.data?.endpoints ?? [];
  return (
    <>
      <h2>Docker Swarm endpoints</h2>
      {endpoints.error ? <p className="error">{endpoints.error.message}</p> : null}
      {endpoints.data && list.length === 0 ? (
        <p className="empty" data-testid="no-endpoints">
          No Docker endpoints yet. Add the local socket, a TLS endpoint or an SSH host below; $DOCKER_HOST and your
          docker contexts are listed here too.
        </p>
      ) : null}
      {list.length > 0 ? (
        <table className="table" data-testid="endpoints-table">
          <thead>
            <tr>
              <th>Endpoint</th>
              <th>Address</th>
              <th>Connection</th>
            </tr>
          </thead>
          <tbody>
            {list.map((e) => (
              <EndpointRow key={e.name} endpoint={e} />
            ))}
          </tbody>
        </table>
      ) : null}
      <AddEndpointForm />
    </>
  );
}

function EndpointRow({ endpoint }: { endpoint: DockerEndpoint & { source: 'saved' | 'env' | 'context' } }) {
  const test = useTestEndpoint(endpoint.name);
  const accept = useAcceptHostKey(endpoint.name);
  const replace = useReplaceHostKey(endpoint.name);
  const remove = useRemoveEndpoint();
  const result = replace.data ?? accept.data ?? test.data;
  const error = test.error ?? accept.error ?? replace.error ?? remove.error;
  return (
    <tr data-endpoint={endpoint.name}>
      <td>
        <div className="strong">{endpoint.name}</div>
        {endpoint.source === 'env' ? <span className="badge">$DOCKER_HOST</span> : null}
        {endpoint.source === 'context' ? <span className="badge">docker context</span> : null}
      </td>
      <td className="mono">
        {endpoint.url}
        {endpoint.tls ? <div className="muted small">TLS client certificate</div> : null}
      </td>
      <td className="connection-cell">
        <div className="row">
          <button
            type="button"
            onClick={() => {
              accept.reset();
              replace.reset();
              test.mutate();
            }}
            disabled={test.isPending}
          >
            {test.isPending ? 'Testing…' : 'Test connection'}
          </button>
          {endpoint.source === 'saved' ? (
            <button type="button" onClick={() => remove.mutate(endpoint.name)} disabled={remove.isPending}>
              Remove
            </button>
          ) : null}
        </div>
        <div data-testid="endpoint-result" aria-live="polite">
          {error ? (
            <div className="error small" role="alert">
              {error.message}
            </div>
          ) : null}
          {result?.status === 'connected' ? (
            <div className="ok small">
              Connected · Docker {result.version} · {result.os} · swarm {result.swarm.state}
              {result.swarm.isManager ? ' (manager)' : ''}
              {result.swarm.nodes !== undefined
                ? ` · ${result.swarm.nodes} nodes, ${result.swarm.managers ?? 0} managers`
                : ''}{' '}
              · {result.latencyMs} ms
            </div>
          ) : null}
          {result?.status === 'failed' ? (
            <SshFailureNotice
              failure={result}
              label={reasonLabels[result.reason]}
              what="the host"
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

function AddEndpointForm() {
  const add = useAddEndpoint();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [tls, setTls] = useState({ caFile: '', certFile: '', keyFile: '' });
  const [sshKeyFile, setSshKeyFile] = useState('');
  const isTcp = url.trim().startsWith('tcp://');
  const isSsh = url.trim().startsWith('ssh://');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const anyTls = tls.caFile || tls.certFile || tls.keyFile;
    // What the user typed stays in the form when the endpoint is refused, so they can fix it.
    add.mutate(
      {
        name: name.trim(),
        url: url.trim(),
        ...(isTcp && anyTls ? { tls } : {}),
        ...(isSsh && sshKeyFile.trim() ? { sshKeyFile: sshKeyFile.trim() } : {}),
      },
      {
        onSuccess: () => {
          setName('');
          setUrl('');
          setTls({ caFile: '', certFile: '', keyFile: '' });
          setSshKeyFile('');
        },
      },
    );
  };
  return (
    <form className="add-form" onSubmit={submit} data-testid="add-endpoint">
      <div className="row">
        <label className="field">
          <span>Name</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="nas-swarm"
            data-testid="endpoint-name"
          />
        </label>
        <label className="field">
          <span>Docker endpoint URL</span>
          <input
            className="mono"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://me@nas"
            data-testid="endpoint-url"
          />
        </label>
      </div>
      {isTcp ? (
        <div className="row">
          {(['caFile', 'certFile', 'keyFile'] as const).map((key) => (
            <label className="field" key={key}>
              <span>
                {
                  { caFile: 'CA certificate file', certFile: 'Client certificate file', keyFile: 'Client key file' }[
                    key
                  ]
                }
              </span>
              <input
                className="mono"
                value={tls[key]}
                onChange={(e) => setTls({ ...tls, [key]: e.target.value })}
                placeholder={`/home/me/.docker/${{ caFile: 'ca', certFile: 'cert', keyFile: 'key' }[key]}.pem`}
              />
            </label>
          ))}
        </div>
      ) : null}
      {isSsh ? (
        <label className="field">
          <span>Private key file (empty: use the SSH agent)</span>
          <input
            className="mono"
            value={sshKeyFile}
            onChange={(e) => setSshKeyFile(e.target.value)}
            placeholder="/home/me/.ssh/id_ed25519"
          />
        </label>
      ) : null}
      <button type="submit" disabled={add.isPending || name.trim() === '' || url.trim() === ''}>
        Add endpoint
      </button>
      {add.error ? (
        <div className="error small" role="alert" data-testid="endpoint-error">
          {add.error.message}
        </div>
      ) : null}
    </form>
  );
}
