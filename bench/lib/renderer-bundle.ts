/** What the built renderer weighs: the files its page loads first, and every chunk beside them. */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface AssetSize {
  file: string;
  raw: number;
  gzip: number;
}

export interface RendererBundle {
  /** The scripts, stylesheets and module preloads index.html names: what loads before the first screen. */
  initial: AssetSize[];
  /** Every .js and .css file under assets/, initial ones included. */
  all: AssetSize[];
  /** The chunks loaded only when a screen asks for them, largest first. */
  lazy: AssetSize[];
}

function size(dir: string, file: string): AssetSize {
  const bytes = readFileSync(join(dir, file));
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** The asset paths (relative to the renderer folder) that an HTML page loads by itself. */
export function initialAssets(html: string): string[] {
  const found = new Set<string>();
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const isScript = tag.startsWith('<script');
    const rel = /\brel=["']?([^"'\s>]+)/.exec(tag)?.[1];
    if (!isScript && rel !== 'stylesheet' && rel !== 'modulepreload') continue;
    const url = /\b(?:src|href)=["']?([^"'\s>]+)/.exec(tag)?.[1];
    if (url) found.add(url.replace(/^\.?\//, ''));
  }
  return [...found];
}

/** Reads out/renderer (or another built renderer folder). */
export function measureRendererBundle(rendererDir: string): RendererBundle {
  const dir = resolve(rendererDir);
  const initialFiles = initialAssets(readFileSync(join(dir, 'index.html'), 'utf8'));
  const initial = initialFiles.map((file) => size(dir, file));
  const all = readdirSync(join(dir, 'assets'))
    .filter((f) => /\.(js|css)$/.test(f))
    .map((f) => size(dir, join('assets', f)));
  const initialNames = new Set(initialFiles.map((f) => basename(f)));
  const lazy = all.filter((a) => !initialNames.has(basename(a.file))).sort((a, b) => b.raw - a.raw);
  return { initial, all, lazy };
}

export const sum = (assets: AssetSize[], key: 'raw' | 'gzip'): number => assets.reduce((n, a) => n + a[key], 0);

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
