/** What every benchmark reads off a process and a sample: memory, CPU time, percentiles. */
import { readFileSync, writeFileSync } from 'node:fs';
import { SETTLER_DEFAULTS } from '../../electron/core/memory/memory-settler';

/**
 * How long after start a main process left alone is at rest: its memory settler has given back
 * what loading the code grew by its second look (the first may still count start-up as busy).
 * Memory baselines are read then.
 */
export const AT_REST_MS = 2 * SETTLER_DEFAULTS.everyMs + 1_000;

/** Resident memory of a process, in MB; undefined once it is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux.
}

/** A time and its ratio to a floor, as the curves print them. */
export const ratio = (ms: number, floor: number) => `${ms} ms (${(ms / floor).toFixed(2)}×)`;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** A kubeconfig with one context per server (token auth, plain HTTP). */
export function writeBenchKubeconfig(path: string, servers: { name: string; url: string; token: string }[]): string {
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': servers[0]?.name,
      clusters: servers.map((s) => ({ name: s.name, cluster: { server: s.url } })),
      users: servers.map((s) => ({ name: s.name, user: { token: s.token } })),
      contexts: servers.map((s) => ({ name: s.name, context: { cluster: s.name, user: s.name } })),
    }),
    { mode: 0o600 },
  );
  return path;
}

/** Prints a table of rows (objects of the same keys) with a title, aligned for a terminal. */
export function printTable(title: string, rows: Record<string, string>[]): void {
  const keys = Object.keys(rows[0] ?? {});
  const width = (k: string) => Math.max(k.length, ...rows.map((r) => (r[k] ?? '').length));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(keys.map((k) => k.padEnd(width(k)))));
  console.log(line(keys.map((k) => '-'.repeat(width(k)))));
  for (const r of rows) console.log(line(keys.map((k) => (r[k] ?? '').padEnd(width(k)))));
}
