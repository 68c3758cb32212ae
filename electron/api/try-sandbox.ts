/**
 * "Try the sandbox" on the empty Connections screen: the sandbox cluster, with its demo workload,
 * started in Homeport's own process, its kubeconfig written (0600) to the data directory and added
 * like any kubeconfig file. One sandbox per data directory: asking again while it runs changes
 * nothing. The renderer gets the context list, never the kubeconfig or its token.
 */
import { join } from 'node:path';
import type { ContextList } from '@shared/contract';
import type { ClustersService } from '../core/clusters/clusters-service';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/index';

export const TRY_SANDBOX_FILE = 'try-sandbox.kubeconfig';

const running = new Map<string, Promise<Sandbox>>();

export async function trySandbox(
  services: { clusters: Pick<ClustersService, 'addKubeconfig' | 'listContexts'>; dataDir: string },
  options: SandboxOptions = {},
): Promise<ContextList> {
  const path = join(services.dataDir, TRY_SANDBOX_FILE);
  let sandbox = running.get(services.dataDir);
  if (sandbox) {
    await sandbox;
    return services.clusters.listContexts();
  }
  sandbox = startSandbox({ demo: true, ...options });
  running.set(services.dataDir, sandbox);
  try {
    await (await sandbox).writeKubeconfig(path);
    return await services.clusters.addKubeconfig(path);
  } catch (err) {
    running.delete(services.dataDir);
    await sandbox.then((s) => s.close()).catch(() => undefined);
    throw err;
  }
}

/** Stops the sandboxes "Try the sandbox" started (when the server stops); their contexts stay listed. */
export async function closeTriedSandboxes(): Promise<void> {
  const all = [...running.values()];
  running.clear();
  await Promise.all(all.map((s) => s.then((x) => x.close()).catch(() => undefined)));
}
