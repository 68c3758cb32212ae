import { homedir } from 'node:os';
import type { ContextList } from '@shared/contract';
import { summarize } from '../core/clusters/clusters-service';
import { kubeconfigPaths, loadKubeconfig } from '../core/clusters/kubeconfig';
import { resolveDataDir } from '../core/storage/data-dir';
import { createSettingsStore } from '../core/storage/settings';

export async function listForCli(opts: { kubeconfig?: string; 'data-dir'?: string }): Promise<ContextList> {
  if (opts.kubeconfig) {
    const config = await loadKubeconfig(kubeconfigPaths({ explicit: opts.kubeconfig }), { requireExisting: true });
    const error = config.sources[0]?.error;
    if (error) throw new Error(error);
    return summarize(config, []);
  }
  const settings = await createSettingsStore(resolveDataDir({ flag: opts['data-dir'] })).read();
  const config = await loadKubeconfig(kubeconfigPaths({ home: homedir(), added: settings.kubeconfigFiles }));
  return summarize(config, settings.execConsents);
}

export function formatTable(list: ContextList): string {
  const header = ['CURRENT', 'NAME', 'CLUSTER', 'SERVER', 'USER', 'NAMESPACE'];
  const rows = list.contexts.map((c) => [c.current ? '*' : '', c.name, c.cluster, c.server, c.user, c.namespace]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

export async function runContexts(opts: { kubeconfig?: string; json?: boolean; 'data-dir'?: string }): Promise<number> {
  const list = await listForCli(opts);
  for (const source of list.sources) if (source.error) console.error(`warning: ${source.error}`);
  if (opts.json) console.log(JSON.stringify(list, null, 2));
  else if (list.contexts.length === 0)
    console.log('No contexts yet: add a kubeconfig file, or start one with homeport sandbox.');
  else console.log(formatTable(list));
  return 0;
}
