import type { Panel } from '@shared/readiness-schemas';

/** Formats a value in the panel's unit for axes and tooltips. */
export function formatValue(unit: Panel['unit'], v: number): string {
  switch (unit) {
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let x = v;
      let i = 0;
      while (Math.abs(x) >= 1024 && i < units.length - 1) {
        x /= 1024;
        i++;
      }
      return `${x.toFixed(x >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
    }
    case 'ratio':
      return `${(v * 100).toFixed(1)}%`;
    case 'seconds':
      return v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`;
    case 'cores':
      return v < 1 ? `${(v * 1000).toFixed(0)}m` : v.toFixed(2);
    case 'rps':
      return `${v.toFixed(v < 10 ? 2 : 0)}/s`;
    default:
      return v.toFixed(v < 10 ? 2 : 0);
  }
}

/** The series of a panel as recharts rows: one row per timestamp, one column per series. */
export function toRows(panel: Panel): Record<string, number>[] {
  const rows = new Map<number, Record<string, number>>();
  for (const s of panel.series) {
    for (const [t, v] of s.points) {
      const row = rows.get(t) ?? { t };
      row[s.name] = v;
      rows.set(t, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a.t ?? 0) - (b.t ?? 0));
}
