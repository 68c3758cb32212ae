import { useState, type ChangeEvent } from 'react';
import type {
  ComposeAnalysis,
  ComposeFinding,
  SecretMapping,
  UserStackDocument,
  VolumeMapping,
} from '@shared/user-stack-schemas';
import { useExports, useNasHosts } from '../storage/use-storage';
import { ComposeFiles } from './ComposeFiles';
import { useAnalyzeCompose, useSaveUserStack } from './use-user-stacks';

const at = (f: ComposeFinding) => `${f.path || '(file)'}${f.line !== undefined ? ` · line ${f.line}` : ''}`;

/** Bring your own stack: a compose file, what Homeport understood of it, and where its volumes and secrets go. */
export function ImportCompose({
  onSaved,
  onClose,
}: {
  onSaved: (doc: UserStackDocument) => void;
  onClose: () => void;
}) {
  const [text, setText] = useState('');
  const analyze = useAnalyzeCompose();
  const save = useSaveUserStack();
  const [analyzed, setAnalyzed] = useState<{ text: string; files: object; analysis: ComposeAnalysis }>();
  /** The files the compose file reads (.env, env files, config files), by path as it writes them. */
  const [files, setFiles] = useState<Record<string, string>>({});
  const [form, setForm] = useState({ name: '', title: '', description: '' });
  const [volumes, setVolumes] = useState<Record<string, VolumeMapping>>({});
  const [secrets, setSecrets] = useState<Record<string, SecretMapping>>({});

  const run = (compose: string, withFiles = files) =>
    analyze.mutate(
      { compose, ...(Object.keys(withFiles).length > 0 ? { envFiles: withFiles } : {}) },
      {
        onSuccess: (analysis) => {
          setAnalyzed({ text: compose, files: withFiles, analysis });
          // A choice the user made for a volume or secret of the same name is kept across re-analyses.
          setVolumes((prev) => Object.fromEntries(analysis.volumes.map((v) => [v.name, prev[v.name] ?? v.suggested])));
          setSecrets((prev) => Object.fromEntries(analysis.secrets.map((s) => [s.name, prev[s.name] ?? s.suggested])));
          save.reset();
        },
      },
    );
  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const content = await file.text();
    setText(content);
    run(content);
  };
  // While the files change, the previous analysis stays on screen until the new one arrives.
  const analysis =
    analyzed?.text === text && (analyzed.files === files || analyze.isPending) ? analyzed.analysis : undefined;
  const changeFiles = (next: Record<string, string>) => {
    setFiles(next);
    if (analyzed?.text === text) run(text, next);
  };
  const submit = () =>
    analysis &&
    save.mutate(
      {
        name: form.name.trim(),
        title: form.title.trim() || form.name.trim(),
        description: form.description.trim(),
        compose: text,
        mapping: { volumes, secrets },
        ...(Object.keys(files).length > 0 ? { envFiles: files } : {}),
      },
      { onSuccess: onSaved },
    );

  return (
    <div className="deploy-step" data-testid="import-compose">
      <h3>Import a compose file</h3>
      <p className="muted small">
        Paste a docker-compose.yml or choose one. Homeport shows what it understood and names every key it cannot
        express; nothing is saved until you save.
      </p>
      <label className="field">
        <span>docker-compose.yml</span>
        <textarea
          rows={10}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="compose-text"
        />
      </label>
      <div className="row">
        <input type="file" accept=".yml,.yaml" onChange={(e) => void choose(e)} data-testid="compose-file" />
        <button
          type="button"
          disabled={!text.trim() || analyze.isPending}
          onClick={() => run(text)}
          data-testid="compose-analyze"
        >
          {analyze.isPending ? 'Reading…' : 'Analyze'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      {analyze.error ? (
        <p className="error" role="alert">
          {analyze.error.message}
        </p>
      ) : null}
      {analysis ? <AnalysisView analysis={analysis} /> : null}
      {analyzed?.text === text ? (
        <ComposeFiles files={files} missing={analyzed.analysis.missingFiles ?? []} onChange={changeFiles} />
      ) : null}
      {analysis?.ok ? (
        <>
          {analysis.volumes.length > 0 ? <h4>Volumes</h4> : null}
          {analysis.volumes.map((v) => (
            <VolumeRow
              key={v.name}
              name={v.name}
              value={volumes[v.name] ?? v.suggested}
              onChange={(m) => setVolumes({ ...volumes, [v.name]: m })}
            />
          ))}
          {analysis.secrets.length > 0 ? <h4>Secrets</h4> : null}
          {analysis.secrets.map((s) => (
            <SecretRow
              key={s.name}
              name={s.name}
              value={secrets[s.name] ?? s.suggested}
              onChange={(m) => setSecrets({ ...secrets, [s.name]: m })}
            />
          ))}
          <h4>Save as your stack</h4>
          <div className="row">
            {(['name', 'title', 'description'] as const).map((key) => (
              <label className="field" key={key}>
                <span>
                  {key === 'name'
                    ? 'Name (lowercase, e.g. photos)'
                    : key === 'title'
                      ? 'Title'
                      : 'One-line description'}
                </span>
                <input
                  value={form[key]}
                  onChange={(e) => setForm({ ...form, [key]: e.target.value })}
                  data-testid={`user-stack-${key}`}
                />
              </label>
            ))}
          </div>
          <div className="row">
            <button
              type="button"
              disabled={!form.name.trim() || save.isPending}
              onClick={submit}
              data-testid="compose-save"
            >
              {save.isPending ? 'Saving…' : 'Save stack'}
            </button>
          </div>
          {save.error ? (
            <p className="error" role="alert" data-testid="compose-save-error">
              {save.error.message}
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function AnalysisView({ analysis }: { analysis: ComposeAnalysis }) {
  return (
    <div data-testid="compose-analysis">
      {analysis.errors.length > 0 ? (
        <div className="error" role="alert" data-testid="compose-errors">
          <strong>The file cannot be imported until these are fixed:</strong>
          <ul>
            {analysis.errors.map((e) => (
              <li key={`${e.path}:${e.line ?? ''}:${e.message}`}>
                <code>{at(e)}</code> {e.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <h4>Understood</h4>
      <table className="table" data-testid="compose-services">
        <thead>
          <tr>
            <th>Service</th>
            <th>Image</th>
            <th>Replicas</th>
            <th>Ports</th>
            <th>Volumes</th>
            <th>Secrets</th>
          </tr>
        </thead>
        <tbody>
          {analysis.services.map((s) => (
            <tr key={s.name} data-service={s.name}>
              <td>{s.name}</td>
              <td>{s.image}</td>
              <td>{s.replicas}</td>
              <td>{s.ports.map((p) => (p.published ? `${p.published}→${p.target}` : p.target)).join(', ')}</td>
              <td>{s.volumes.map((v) => `${v.source}:${v.target}${v.readOnly ? ' (ro)' : ''}`).join(', ')}</td>
              <td>{s.secrets.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>Cannot be expressed</h4>
      {analysis.unsupported.length === 0 ? (
        <p className="muted small" data-testid="compose-unsupported-none">
          Nothing: every key of the file is expressed.
        </p>
      ) : (
        <ul data-testid="compose-unsupported">
          {analysis.unsupported.map((u) => (
            <li key={`${u.path}:${u.line ?? ''}`}>
              <code>{at(u)}</code> {u.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function VolumeRow({
  name,
  value,
  onChange,
}: {
  name: string;
  value: VolumeMapping;
  onChange: (m: VolumeMapping) => void;
}) {
  const hosts = useNasHosts();
  const setKind = (kind: VolumeMapping['kind']) =>
    onChange(
      kind === 'nas'
        ? { kind, host: hosts.data?.hosts[0]?.name ?? '', export: '', readOnly: false }
        : kind === 'nfs'
          ? { kind, server: '', path: '', readOnly: false }
          : { kind, size: '10Gi' },
    );
  return (
    <div className="row" data-testid={`volume-${name}`}>
      <strong>{name}</strong>
      <select
        value={value.kind}
        onChange={(e) => setKind(e.target.value as VolumeMapping['kind'])}
        data-testid={`volume-kind-${name}`}
      >
        <option value="nas">NAS export</option>
        <option value="claim">Storage class</option>
        <option value="nfs">NFS server and path</option>
      </select>
      {value.kind === 'nas' ? (
        <>
          <select
            value={value.host}
            onChange={(e) => onChange({ ...value, host: e.target.value, export: '' })}
            data-testid={`volume-host-${name}`}
          >
            <option value="">NAS host…</option>
            {(hosts.data?.hosts ?? []).map((h) => (
              <option key={h.name} value={h.name}>
                {h.name}
              </option>
            ))}
          </select>
          {value.host ? (
            <ExportSelect
              host={value.host}
              value={value.export}
              onChange={(x) => onChange({ ...value, export: x })}
              volume={name}
            />
          ) : null}
        </>
      ) : null}
      {value.kind === 'claim' ? (
        <>
          <input
            placeholder="storage class (default)"
            value={value.storageClass ?? ''}
            onChange={(e) => {
              const { storageClass: _drop, ...rest } = value;
              onChange(e.target.value ? { ...rest, storageClass: e.target.value } : rest);
            }}
            data-testid={`volume-class-${name}`}
          />
          <input value={value.size} onChange={(e) => onChange({ ...value, size: e.target.value })} aria-label="size" />
        </>
      ) : null}
      {value.kind === 'nfs' ? (
        <>
          <input
            placeholder="server"
            value={value.server}
            onChange={(e) => onChange({ ...value, server: e.target.value })}
          />
          <input
            placeholder="/path"
            value={value.path}
            onChange={(e) => onChange({ ...value, path: e.target.value })}
          />
        </>
      ) : null}
      {value.kind !== 'claim' ? (
        <label className="field-check">
          <input
            type="checkbox"
            checked={value.readOnly}
            onChange={(e) => onChange({ ...value, readOnly: e.target.checked })}
          />
          read-only
        </label>
      ) : null}
    </div>
  );
}

function ExportSelect({
  host,
  value,
  volume,
  onChange,
}: {
  host: string;
  value: string;
  volume: string;
  onChange: (name: string) => void;
}) {
  const exports = useExports(host);
  return (
    <>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={`volume-export-${volume}`}>
        <option value="">{exports.isLoading ? 'Reading exports…' : 'Export…'}</option>
        {(exports.data?.exports ?? []).map((x) => (
          <option key={x.name} value={x.name}>
            {x.name} ({x.path})
          </option>
        ))}
      </select>
      {exports.error ? <span className="error small">{exports.error.message}</span> : null}
    </>
  );
}

function SecretRow({
  name,
  value,
  onChange,
}: {
  name: string;
  value: SecretMapping;
  onChange: (m: SecretMapping) => void;
}) {
  return (
    <div className="row" data-testid={`secret-${name}`}>
      <strong>{name}</strong>
      <select
        value={value.kind}
        onChange={(e) =>
          onChange(e.target.value === 'generated' ? { kind: 'generated' } : { kind: 'existing', secret: '', key: '' })
        }
        data-testid={`secret-kind-${name}`}
      >
        <option value="generated">Generated by Homeport</option>
        <option value="existing">An existing secret</option>
      </select>
      {value.kind === 'existing' ? (
        <>
          <input
            placeholder="secret name"
            value={value.secret}
            onChange={(e) => onChange({ ...value, secret: e.target.value })}
          />
          <input placeholder="key" value={value.key} onChange={(e) => onChange({ ...value, key: e.target.value })} />
        </>
      ) : null}
    </div>
  );
}
