/**
 * The user's Prometheus for each kube context: URL, auth kind, username and CA file in
 * <dataDir>/metrics-settings.json (0600); the password or token only in the SecretStore under
 * `metrics/<context>/secret`. What leaves this module never carries the secret.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { PrometheusSettings } from '@shared/readiness-schemas';
import { absolutePath } from '@shared/names';
import { prometheusUrlProblem } from '@shared/metrics-schemas';
import { checkField, errorMessage, HomeportError } from '../errors';
import type { SecretStore } from '../secrets/secret-store';
import { withDirLock } from '../storage/dir-lock';
import { JsonStore, ownRecord } from '../storage/json-store';
import { readUserText } from '../storage/user-file';
import type { PrometheusAuth } from './prometheus-client';

const entrySchema = z.object({
  url: z.string().optional(),
  auth: z.enum(['none', 'basic', 'bearer']),
  username: z.string().optional(),
  caFile: z.string().optional(),
});
// Keyed by context name, which is any text the kubeconfig holds: '__proto__' and 'constructor' too.
const fileSchema = z.object({ contexts: ownRecord(entrySchema) });
type Entry = z.infer<typeof entrySchema>;

export interface PrometheusSettingsInput {
  url?: string;
  auth: 'none' | 'basic' | 'bearer';
  username?: string;
  caFile?: string;
  /** The password (basic) or token (bearer); left out, the stored one is kept. */
  secret?: string;
}

/** What the client needs: the settings with the secret and the CA's PEM, for the main process only. */
export interface ResolvedPrometheus {
  url: string;
  auth: PrometheusAuth;
  ca?: string;
  caFile?: string;
}

export interface MetricsSettingsStore {
  get(context: string): Promise<PrometheusSettings>;
  set(context: string, input: PrometheusSettingsInput): Promise<PrometheusSettings>;
  clear(context: string): Promise<void>;
  /** The URL with its credentials, or undefined when the user set none for this context. */
  resolve(context: string): Promise<ResolvedPrometheus | undefined>;
}

export const secretIdOf = (context: string) => `metrics/${context}/secret`;

type Contexts = Record<string, Entry>;
const entryOf = (contexts: Contexts, context: string) =>
  Object.hasOwn(contexts, context) ? contexts[context] : undefined;
const withKey = (contexts: Contexts, context: string, entry: Entry): Contexts =>
  Object.fromEntries([...Object.entries(contexts).filter(([k]) => k !== context), [context, entry]]);
const withoutKey = (contexts: Contexts, context: string): Contexts =>
  Object.fromEntries(Object.entries(contexts).filter(([k]) => k !== context));

export function createMetricsSettings(opts: { dataDir: string; secrets: SecretStore }): MetricsSettingsStore {
  const store = new JsonStore(join(opts.dataDir, 'metrics-settings.json'), fileSchema, () => ({ contexts: {} }));
  const { secrets } = opts;

  async function present(context: string, entry: Entry | undefined): Promise<PrometheusSettings> {
    if (!entry) return { auth: 'none', hasSecret: false };
    return {
      ...(entry.url ? { url: entry.url } : {}),
      auth: entry.auth,
      ...(entry.username ? { username: entry.username } : {}),
      ...(entry.caFile ? { caFile: entry.caFile } : {}),
      hasSecret: entry.auth !== 'none' && (await secrets.has(secretIdOf(context))),
    };
  }

  async function set(context: string, input: PrometheusSettingsInput): Promise<PrometheusSettings> {
    if (!context) throw new HomeportError('INVALID_INPUT', 'Choose the context the Prometheus belongs to');
    const url = input.url?.trim() || undefined;
    const badUrl = url === undefined ? undefined : prometheusUrlProblem(url);
    if (badUrl !== undefined) throw new HomeportError('INVALID_INPUT', `'url': ${badUrl}`);
    const username = input.username?.trim() || undefined;
    if (input.auth === 'basic' && !username)
      throw new HomeportError('INVALID_INPUT', 'Basic authentication needs a username');
    const caFile = input.caFile?.trim() ? checkField(absolutePath, 'caFile', input.caFile) : undefined;
    if (input.auth !== 'none' && input.secret === undefined && !(await secrets.has(secretIdOf(context))))
      throw new HomeportError(
        'INVALID_INPUT',
        input.auth === 'basic' ? 'Basic authentication needs a password' : 'Bearer authentication needs a token',
      );
    if (input.auth === 'none') await secrets.delete(secretIdOf(context));
    else if (input.secret !== undefined) await secrets.set(secretIdOf(context), input.secret);
    const entry: Entry = {
      ...(url ? { url } : {}),
      auth: input.auth,
      ...(input.auth === 'basic' && username ? { username } : {}),
      ...(caFile ? { caFile } : {}),
    };
    await store.update((s) => ({ contexts: withKey(s.contexts, context, entry) }));
    return present(context, entry);
  }

  return {
    async get(context) {
      return present(context, entryOf((await store.read()).contexts, context));
    },
    // A context's settings and its secret change together, under the data directory's lock.
    set: (context, input) => withDirLock(opts.dataDir, () => set(context, input)),
    clear: (context) =>
      withDirLock(opts.dataDir, async () => {
        await store.update((s) => ({ contexts: withoutKey(s.contexts, context) }));
        await secrets.delete(secretIdOf(context));
      }),
    async resolve(context) {
      const entry = entryOf((await store.read()).contexts, context);
      if (!entry?.url) return undefined;
      let auth: PrometheusAuth = { kind: 'none' };
      if (entry.auth !== 'none') {
        const secret = await secrets.get(secretIdOf(context));
        if (secret === undefined)
          throw new HomeportError(
            'INVALID_INPUT',
            `The ${entry.auth === 'basic' ? 'password' : 'token'} for Prometheus at ${entry.url} is missing; enter it again in the metrics settings`,
          );
        auth =
          entry.auth === 'basic'
            ? { kind: 'basic', username: entry.username ?? '', password: secret }
            : { kind: 'bearer', token: secret };
      }
      let ca: string | undefined;
      if (entry.caFile) {
        try {
          ca = await readUserText(entry.caFile, { kind: 'pem', field: `Prometheus at ${entry.url}: 'caFile'` });
        } catch (err) {
          throw new HomeportError('INVALID_INPUT', errorMessage(err));
        }
      }
      return { url: entry.url, auth, ...(ca ? { ca, caFile: entry.caFile } : {}) };
    },
  };
}
