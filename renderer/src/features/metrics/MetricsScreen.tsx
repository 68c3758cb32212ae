import { useState, type FormEvent } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { metricRanges, type MetricRange, type Panel } from '@shared/readiness-schemas';
import { formatValue, toRows } from './chart-data';
import { useActiveContext } from '../../lib/active-context';
import { useDashboard, useMetricsSettings, useSaveMetricsSettings, useStackCatalog } from './use-metrics';

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

function PanelChart({ panel, range }: { panel: Panel; range: MetricRange }) {
  const rows = toRows(panel);
  const time = (t: number) => {
    const d = new Date(t * 1000);
    return range === '7d' || range === '24h'
      ? d.toLocaleString([], { weekday: 'short', hour: '2-digit' })
      : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  };
  return (
    <div className="chart-panel" data-panel={panel.id}>
      <h3>{panel.title}</h3>
      {panel.error ? (
        <p className="error small" role="alert">
          {panel.error}
        </p>
      ) : panel.series.length === 0 ? (
        <p className="empty small" data-testid="panel-empty">
          {panel.empty ?? 'No data.'}
        </p>
      ) : (
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={rows} margin={{ left: 8, right: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" tickFormatter={time} minTickGap={40} />
            <YAxis tickFormatter={(v: number) => formatValue(panel.unit, v)} width={70} />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t) * 1000).toLocaleString()}
              formatter={(v) => formatValue(panel.unit, Number(v))}
            />
            <Legend />
            {panel.series.map((s, i) => (
              <Line
                key={s.name}
                dataKey={s.name}
                stroke={COLORS[i % COLORS.length]}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
      {panel.query ? (
        <div className="muted small mono ellipsis" title={panel.query}>
          {panel.query}
        </div>
      ) : null}
    </div>
  );
}

/** How a stack is doing: cluster and pod CPU and memory, request and error rates, latency, cache, jobs. */
export function MetricsScreen() {
  const { active } = useActiveContext();
  const stacks = useStackCatalog();
  const [stack, setStack] = useState('revenge');
  const [namespace, setNamespace] = useState('revenge');
  const [range, setRange] = useState<MetricRange>('1h');
  const context = active?.name;
  const dashboard = useDashboard({ context, namespace, stack, range });
  if (!active) return <p className="empty">Add a cluster on the Connections screen to see its metrics.</p>;
  return (
    <section aria-labelledby="metrics-title">
      <header className="page-header">
        <h1 id="metrics-title">Metrics</h1>
        <label className="field">
          <span>Stack</span>
          <select value={stack} onChange={(e) => setStack(e.target.value)}>
            {(stacks.data?.stacks ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Namespace</span>
          <input className="mono" value={namespace} onChange={(e) => setNamespace(e.target.value.trim())} />
        </label>
        <div className="row" role="radiogroup" aria-label="Time range">
          {metricRanges.map((r) => (
            <button
              type="button"
              key={r}
              className={r === range ? 'selected' : undefined}
              aria-pressed={r === range}
              onClick={() => setRange(r)}
            >
              {r}
            </button>
          ))}
        </div>
      </header>
      {dashboard.data ? (
        <p className="muted" data-testid="metrics-source">
          Source: {dashboard.data.source.description}
          {dashboard.data.source.notes.length > 0 ? ` (${dashboard.data.source.notes.join('; ')})` : ''}
        </p>
      ) : null}
      {dashboard.error ? (
        <p className="error" role="alert">
          {dashboard.error.message}
        </p>
      ) : null}
      {dashboard.isPending ? <p className="muted">Querying…</p> : null}
      <div className="chart-grid">
        {(dashboard.data?.panels ?? []).map((p) => (
          <PanelChart key={p.id} panel={p} range={range} />
        ))}
      </div>
      <PrometheusSettingsForm context={active.name} />
    </section>
  );
}

function PrometheusSettingsForm({ context }: { context: string }) {
  const settings = useMetricsSettings(context);
  const save = useSaveMetricsSettings(context);
  const [form, setForm] = useState<{
    url?: string;
    auth?: 'none' | 'basic' | 'bearer';
    username?: string;
    secret?: string;
    caFile?: string;
  }>({});
  const current = settings.data;
  const url = form.url ?? current?.url ?? '';
  const auth = form.auth ?? current?.auth ?? 'none';
  const username = form.username ?? current?.username ?? '';
  const caFile = form.caFile ?? current?.caFile ?? '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      {
        context,
        url,
        auth,
        ...(auth === 'basic' && username ? { username } : {}),
        ...(auth !== 'none' && form.secret ? { secret: form.secret } : {}),
        ...(caFile.trim() ? { caFile: caFile.trim() } : {}),
      },
      { onSuccess: () => setForm({}) },
    );
  };
  return (
    <form className="add-form" onSubmit={submit}>
      <h2>Prometheus for {context}</h2>
      <p className="muted small">
        Leave the URL empty to let Homeport find Prometheus through the cluster's API server.
      </p>
      <div className="row">
        <label className="field">
          <span>URL</span>
          <input
            className="mono"
            value={url}
            onChange={(e) => setForm({ ...form, url: e.target.value })}
            placeholder="https://prometheus.lan"
          />
        </label>
        <label className="field">
          <span>Authentication</span>
          <select
            value={auth}
            onChange={(e) => setForm({ ...form, auth: e.target.value as 'none' | 'basic' | 'bearer' })}
          >
            <option value="none">None</option>
            <option value="basic">Basic</option>
            <option value="bearer">Bearer token</option>
          </select>
        </label>
        {auth === 'basic' ? (
          <label className="field">
            <span>User</span>
            <input value={username} onChange={(e) => setForm({ ...form, username: e.target.value })} />
          </label>
        ) : null}
        {auth !== 'none' ? (
          <label className="field">
            <span>
              {auth === 'basic' ? 'Password' : 'Token'}
              {current?.hasSecret ? ' (stored; type to replace)' : ''}
            </span>
            <input
              type="password"
              value={form.secret ?? ''}
              onChange={(e) => setForm({ ...form, secret: e.target.value })}
              autoComplete="off"
            />
          </label>
        ) : null}
        <label className="field">
          <span>CA file (private CA)</span>
          <input
            className="mono"
            value={caFile}
            onChange={(e) => setForm({ ...form, caFile: e.target.value })}
            placeholder="/etc/ssl/homelab-ca.pem"
          />
        </label>
      </div>
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
      {save.error ? (
        <p className="error small" role="alert">
          {save.error.message}
        </p>
      ) : null}
    </form>
  );
}
