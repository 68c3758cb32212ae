/**
 * A cluster that comes back with a new CA or token, and a kubeconfig rewritten on disk to match:
 * kubectl, run again, simply reads the new file; Homeport's open watches must do the same instead
 * of showing the old pods with "TLS verification failed" (or "unauthorized") for as long as
 * anyone looks.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PodSummary } from '@shared/kube-schemas';
import { homeport, kubectl, tmp, writeKubeconfig } from '../clusters/testing/kubectl';
import { createTestPki } from '../../testing/tls';
import { createKubeService, type KubeService } from './kube-service';
import { fakePod, type FakeKubeServer, startFakeKubeServer } from './testing/fake-kube-server';
import { createView, testTuning, waitFor } from './testing/harness';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const first = createTestPki();
const second = createTestPki();

let servers: FakeKubeServer[] = [];
let kube: KubeService | undefined;
afterEach(async () => {
  kube?.close();
  kube = undefined;
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(opts: Parameters<typeof startFakeKubeServer>[0], pod: string) {
  const server = await startFakeKubeServer(opts);
  server.put('pods', fakePod('media', pod));
  servers.push(server);
  return server;
}

/** Watches pods of context `c` through the clusters service, following kubeconfig changes. */
function watchPods(kubeconfig: string, backoffMs: number) {
  const clusters = homeport(kubeconfig);
  kube = createKubeService({
    openGateway: (c) => clusters.openGateway(c),
    watchConfig: (onChange) => clusters.watchContexts(onChange, 50),
    batchMs: 10,
    tuning: { ...testTuning, backoffBaseMs: backoffMs, backoffMaxMs: backoffMs },
  });
  const view = createView<PodSummary>();
  kube.subscribePods({ context: 'c' }, view.emit);
  return view;
}

describe('an open watch follows the kubeconfig', () => {
  it('reconnects with the new CA and token once the file is rewritten, as kubectl does', async () => {
    const old = await start({ tls: first, token: 'one' }, 'old');
    const file = join(tmp('homeport-follow-'), 'kubeconfig');
    const write = (ca: string, token: string) =>
      writeKubeconfig(file, { server: old.url, cluster: { 'certificate-authority-data': b64(ca) }, user: { token } });
    write(first.caCert, 'one');
    const view = watchPods(file, 200);
    await waitFor(() => view.items.has('media/old') && view.status?.state === 'live', 'the first list');

    // The cluster is reinstalled: same address, new CA, new token.
    await old.close();
    servers = [];
    await start({ tls: second, token: 'two', port: old.port }, 'new');
    await waitFor(() => /TLS verification/.test(view.status?.message ?? ''), 'the TLS failure', 5_000);
    expect((await kubectl(file, ['get', '--raw', '/api/v1/pods'])).stderr).toMatch(/x509|certificate/);

    write(second.caCert, 'two');
    expect((await kubectl(file, ['get', '--raw', '/api/v1/pods'])).stdout).toContain('"new"');
    await waitFor(() => view.items.has('media/new') && !view.items.has('media/old'), 'the new pods', 5_000);
    expect(view.status?.state).toBe('live');
  });

  it('a watch that gave up on a refused token starts again when the kubeconfig changes, without waiting out its backoff', async () => {
    const old = await start({ tls: first, token: 'one' }, 'old');
    const file = join(tmp('homeport-follow-'), 'kubeconfig');
    const write = (token: string) =>
      writeKubeconfig(file, {
        server: old.url,
        cluster: { 'certificate-authority-data': b64(first.caCert) },
        user: { token },
      });
    write('one');
    // A minute of backoff: only the kubeconfig change can bring the watch back within the test.
    const view = watchPods(file, 60_000);
    await waitFor(() => view.items.has('media/old') && view.status?.state === 'live', 'the first list');

    // An event first: a watch that delivered something and then broke is retried at once (no backoff).
    old.put('pods', fakePod('media', 'seen'));
    await waitFor(() => view.items.has('media/seen'), 'the event');
    old.setToken('two');
    old.dropWatches();
    await waitFor(() => view.status?.state === 'failed', 'the watch to give up on the refused token', 5_000);
    expect(view.status?.message).toMatch(/401/);

    old.put('pods', fakePod('media', 'later'));
    write('two');
    expect((await kubectl(file, ['get', '--raw', '/api/v1/pods'])).stdout).toContain('"later"');
    await waitFor(() => view.items.has('media/later') && view.status?.state === 'live', 'the watch back', 5_000);
  });

  it('a watch in backoff after a server restart reconnects as soon as the kubeconfig changes', async () => {
    const old = await start({ tls: first, token: 'one' }, 'old');
    const file = join(tmp('homeport-follow-'), 'kubeconfig');
    const write = (ca: string) =>
      writeKubeconfig(file, {
        server: old.url,
        cluster: { 'certificate-authority-data': b64(ca) },
        user: { token: 'one' },
      });
    write(first.caCert);
    const view = watchPods(file, 60_000);
    await waitFor(() => view.items.has('media/old') && view.status?.state === 'live', 'the first list');

    await old.close();
    servers = [];
    await waitFor(() => view.status?.state === 'reconnecting', 'the watch to back off', 5_000);
    await start({ tls: second, token: 'one', port: old.port }, 'new');
    write(second.caCert);
    await waitFor(() => view.items.has('media/new') && view.status?.state === 'live', 'the new pods', 5_000);
  });
});
