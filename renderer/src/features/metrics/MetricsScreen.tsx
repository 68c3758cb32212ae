import { useState, type FormEvent } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { metricRanges, type MetricRange, type Panel } from '@shared/readiness-schemas';
import { formatValue, toRows } from './chart-data';
import './metrics.css';
import { NoConnection } from '../../components/NoConnection';
import { useActiveContext } from '../../lib/active-context';
import {
  useDashboard,
  useMetricsSettings,
  useSaveMetricsSettings,
  useStackCatalog,
  useTestMetricsSettings,
} from './use-metrics';

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

/**
 * metrics-server keeps no history: each series is its current value, shown as a number rather than
 * a chart of one dot.
 */
function PanelTiles({ panel }: { panel: Panel }) {
  return (
    <div className="chart-panel" data-panel={panel.id} data-testid="metric-tiles">
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
        <div className="metric-tiles">
          {panel.series.map((s) => {
            const value = s.points.at(-1)?.[1];
            return (
              <div key={s.name} className="metric-tile" data-testid="metric-tile" data-series={s.name}>
                <div className="metric-tile-value">{value === undefined ? '—' : formatValue(panel.unit, value)}</div>
                <div className="muted small mono ellipsis" title={s.name}>
                  {s.name}
                </div>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}

/** How a stack is doing: cluster and pod CPU and memory, request and error rates, latency, cache, jobs. */
export function MetricsScreen() {
  const { active, loading } = useActiveContext();
  const stacks = useStackCatalog();
  const [stack, setStack] = useState('revenge');
  const [namespace, setNamespace] = useState('revenge');
  const [range, setRange] = useState<MetricRange>('1h');
  const context = active?.name;
  const dashboard = useDashboard({ context, namespace, stack, range });
  // metrics-server answers the current values only: no range to pick, tiles instead of charts.
  const currentOnly = dashboard.data?.source.kind === 'metrics-server';
  if (!active) {
    return <NoConnection loading={loading}>Add a cluster on the Connections screen to see its metrics.</NoConnection>;
  }
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
        {currentOnly ? null : (
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
        )}
      </header>
      {dashboard.data ? (
        <p className="muted" data-testid="metrics-source">
          Source: {dashboard.data.source.description}
          {dashboard.data.source.notes.length > 0 ? ` (${dashboard.data.source.notes.join('; ')})` : ''}
        </p>
      ) : null}
      {currentOnly ? (
        <p className="muted small" data-testid="metrics-current-only">
          Current values from metrics-server, which keeps no history; set a Prometheus below for charts over time.
        </p>
      ) : null}
      {dashboard.error || dashboard.data?.error ? (
        <p className="error" role="alert" data-testid="metrics-error">
          {dashboard.error?.message ?? dashboard.data?.error}
        </p>
      ) : null}
      {dashboard.isPending ? <p className="muted">Querying…</p> : null}
      <div className="chart-grid">
        {(dashboard.data?.panels ?? []).map((p) =>
          currentOnly ? <PanelTiles key={p.id} panel={p} /> : <PanelChart key={p.id} panel={p} range={range} />,
        )}
      </div>
      <PrometheusSettingsForm context={active.name} />
    </section>
  );
}

function PrometheusSettingsForm({ context }: { context: string }) {
  const settings = useMetricsSettings(context);
  const save = useSaveMetricsSettings(context);
  const test = useTestMetricsSettings();
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
  const input = {
    context,
    url,
    auth,
    ...(auth === 'basic' && username ? { username } : {}),
    ...(auth !== 'none' && form.secret ? { secret: form.secret } : {}),
    ...(caFile.trim() ? { caFile: caFile.trim() } : {}),
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    test.reset();
    save.mutate(input, { onSuccess: () => setForm({}) });
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
      <div className="row">
        <button
          type="button"
          onClick={() => test.mutate(input)}
          disabled={test.isPending || url.trim() === ''}
          data-testid="prometheus-test"
        >
          {test.isPending ? 'Testing…' : 'Test'}
        </button>
        <button type="submit" disabled={save.isPending}>
          Save
        </button>
      </div>
      {test.data ? (
        <p className={test.data.ok ? 'ok small' : 'error small'} role="status" data-testid="prometheus-test-result">
          {test.data.message}
        </p>
      ) : null}
      {test.error ? (
        <p className="error small" role="alert" data-testid="prometheus-test-result">
          {test.error.message}
        </p>
      ) : null}
      {save.error ? (
        <p className="error small" role="alert">
          {save.error.message}
        </p>
      ) : null}
    </form>
  );
}
