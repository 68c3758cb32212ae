/**
 * "Import this compose file": what Homeport understood, what it cannot express, and why a broken
 * file is broken, each finding with its key path and line. Nothing is saved here.
 */
import type { ComposeAnalysis } from '@shared/user-stack-schemas';
import { readCompose } from './read';

export interface AnalyzeOptions {
  /**
   * Contents of the files the compose file refers to, by path as written: `.env` (interpolation
   * variables), services' `env_file`s and configs' `file`s (read.ts).
   */
  files?: Record<string, string>;
  /** The same as `files` (env files by path); kept for callers that only have env files. */
  envFiles?: Record<string, string>;
}

export function analyzeCompose(text: string, opts: AnalyzeOptions = {}): ComposeAnalysis {
  const read = readCompose(text, { files: { ...opts.envFiles, ...opts.files } });
  const p = read.project;
  if (!p) {
    return {
      ok: false,
      services: [],
      volumes: [],
      secrets: [],
      configs: [],
      unsupported: [],
      errors: read.errors,
      notes: read.notes,
      missingFiles: read.missingFiles,
    };
  }
  return {
    ok: p.errors.length === 0,
    services: p.services.map((s) => ({
      name: s.name,
      image: s.image,
      ports: [...s.ports, ...s.expose.map((target) => ({ target }))],
      volumes: s.mounts.map((m) => ({ source: m.volume, target: m.target, readOnly: m.readOnly })),
      secrets: s.secrets.map((r) => r.source),
      configs: s.configs.map((r) => r.source),
      healthcheck: s.health !== undefined,
      replicas: s.replicas,
      dependsOn: s.dependsOn,
    })),
    volumes: p.volumes.map((v) => ({ name: v.name, suggested: v.suggested })),
    secrets: p.secrets.map((s) => ({ name: s.name, suggested: s.suggested })),
    configs: p.configs.map((c) => c.name),
    unsupported: p.unsupported,
    errors: p.errors,
    notes: p.notes,
    missingFiles: read.missingFiles,
  };
}
