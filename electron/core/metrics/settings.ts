/**
 * The user's Prometheus for each kube context: URL, auth kind, username and CA file in
 * <dataDir>/metrics-settings.json (0600); the password or token only in the SecretStore under
 * `metrics/<context>/secret`. What leaves this module never carries the secret.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { PrometheusSettings } from '@shared/readiness-schemas';
import { absolutePath } from '@shared/names';
import { prometheusUrlProblem } from '@shared/metrics-schemas';
import { checkField, HomeportError } from '../errors';
import type { SecretStore } from '../secrets/secret-store';
import { JsonStore } from '../storage/json-store';
import type { PrometheusAuth } from './prometheus-client';

const entrySchema = z.object({
  url: z.string().optional(),
  auth: z.enum(['none', 'basic', 'bearer']),
  username: z.string().optional(),
  caFile: z.string().optional(),
});
const fileSchema = z.object({ contexts: z.record(z.string(), entrySchema) });
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

  return {
    async get(context) {
      return present(context, (await store.read()).contexts[context]);
    },
    async set(context, input) {
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
      await store.update((s) => ({ contexts: { ...s.contexts, [context]: entry } }));
      return present(context, entry);
    },
    async clear(context) {
      await store.update((s) => {
        const { [context]: _gone, ...rest } = s.contexts;
        return { contexts: rest };
      });
      await secrets.delete(secretIdOf(context));
    },
    async resolve(context) {
      const entry = (await store.read()).contexts[context];
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
          ca = await readFile(entry.caFile, 'utf8');
        } catch (err) {
          throw new HomeportError(
            'INVALID_INPUT',
            `Cannot read the CA file ${entry.caFile} for Prometheus at ${entry.url} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
          );
        }
      }
      return { url: entry.url, auth, ...(ca ? { ca, caFile: entry.caFile } : {}) };
    },
  };
}
