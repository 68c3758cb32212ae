import { join } from 'node:path';
import { z } from 'zod';
import { JsonStore } from './json-store';

export const execConsentSchema = z.object({
  command: z.string(),
  args: z.array(z.string()),
  allowedAt: z.string(),
});
export type ExecConsent = z.infer<typeof execConsentSchema>;

export const settingsSchema = z.object({
  version: z.literal(1),
  /** Kubeconfig files the user added on top of $KUBECONFIG / ~/.kube/config. */
  kubeconfigFiles: z.array(z.string()),
  /** Exec credential plugins the user allowed to run. */
  execConsents: z.array(execConsentSchema),
});
export type Settings = z.infer<typeof settingsSchema>;

export type SettingsStore = JsonStore<typeof settingsSchema>;

export function createSettingsStore(dataDir: string): SettingsStore {
  return new JsonStore(join(dataDir, 'settings.json'), settingsSchema, () => ({
    version: 1,
    kubeconfigFiles: [],
    execConsents: [],
  }));
}
