/** Inputs of the metrics settings: the user's Prometheus for a kube context. */
import { z } from 'zod';
import { absolutePath, contextName, type Problem } from './names';
import { typedSecret } from './storage-schemas';

export const prometheusAuthKinds = ['none', 'basic', 'bearer'] as const;

/** A Prometheus URL: http(s), without credentials (they have their own fields). Empty means none. */
export function prometheusUrlProblem(v: string): Problem {
  const text = v.trim();
  if (text === '') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `'${text}' is not a URL; write it like https://prometheus.lan:9090, or leave it empty`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${text} must start with http:// or https://`;
  if (url.username || url.password) return 'put the username and password in their fields, not in the URL';
  return undefined;
}

export const prometheusSettingsInputSchema = z
  .object({
    context: contextName,
    url: z
      .string()
      .trim()
      .max(2048)
      .superRefine((v, ctx) => {
        const message = prometheusUrlProblem(v);
        if (message !== undefined) ctx.addIssue({ code: 'custom', message });
      })
      .optional(),
    auth: z.enum(prometheusAuthKinds),
    username: z.string().max(256).optional(),
    /** The password (basic) or token (bearer): sent once, never sent back. */
    secret: typedSecret.optional(),
    caFile: absolutePath.optional(),
  })
  .strict();
export type PrometheusSettingsInput = z.input<typeof prometheusSettingsInputSchema>;
