/**
 * Web mode's server in a process of its own, for tests that must see whether a client can bring
 * the process down. Tells the parent its port over IPC; answers every call with its input.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebServer } from '../http';

const token = process.argv[2] ?? 'a'.repeat(48);
const staticDir = mkdtempSync(join(tmpdir(), 'homeport-static-'));
writeFileSync(join(staticDir, 'index.html'), '<html>app</html>');

const server = await startWebServer({
  token,
  staticDir,
  dispatch: async (channel, input) => ({ ok: true, value: { channel, input } }),
  subscribe: (topic, _params, emit) => {
    if (topic !== 'clusters:contextsChanged') return { ok: false, error: { code: 'NOT_FOUND', message: 'no' } };
    const timer = setTimeout(() => emit({ hello: true }), 10);
    return { ok: true, stop: () => clearTimeout(timer) };
  },
});
process.send?.({ port: server.port });
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
