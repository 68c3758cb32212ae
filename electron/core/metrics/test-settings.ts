/**
 * The Prometheus form's Test button: one query against the URL as typed, before anything is
 * saved, so a typo or a refused login shows before the dashboard depends on it.
 */
import type { PrometheusTest } from '@shared/readiness-schemas';
import { errorMessage } from '../errors';
import { readUserText } from '../storage/user-file';
import { createPrometheusClient, type PrometheusAuth } from './prometheus-client';
import type { MetricsSettingsStore, PrometheusSettingsInput } from './settings';

const storedSecret = (auth: PrometheusAuth): string | undefined =>
  auth.kind === 'basic' ? auth.password : auth.kind === 'bearer' ? auth.token : undefined;

/** A secret left out is the stored one, when the kind of login is the same. */
export async function testPrometheusSettings(
  settings: Pick<MetricsSettingsStore, 'resolve'>,
  context: string,
  input: PrometheusSettingsInput,
  timeoutMs = 5000,
): Promise<PrometheusTest> {
  const url = input.url?.trim() ?? '';
  if (!url) return { ok: false, message: 'Prometheus URL: enter the address of your Prometheus first' };
  const stored = await settings.resolve(context).catch(() => undefined);
  const secret = input.secret ?? (stored && stored.auth.kind === input.auth ? storedSecret(stored.auth) : undefined);
  let auth: PrometheusAuth = { kind: 'none' };
  if (input.auth === 'basic') auth = { kind: 'basic', username: input.username ?? '', password: secret ?? '' };
  if (input.auth === 'bearer') auth = { kind: 'bearer', token: secret ?? '' };
  let ca: string | undefined;
  try {
    if (input.caFile?.trim()) ca = await readUserText(input.caFile.trim(), { kind: 'pem', field: 'CA file' });
  } catch (err) {
    return { ok: false, message: `${errorMessage(err)}. Nothing was saved.` };
  }
  const client = createPrometheusClient({ kind: 'url', url, auth, ...(ca ? { ca } : {}), timeoutMs });
  const started = Date.now();
  try {
    await client.query('vector(1)');
    return { ok: true, message: `Prometheus at ${url} answered in ${Date.now() - started} ms. Nothing was saved yet.` };
  } catch (err) {
    return { ok: false, message: `${errorMessage(err)}. Nothing was saved.` };
  } finally {
    client.close();
  }
}
