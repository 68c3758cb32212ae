import { join, normalize, sep } from 'node:path';

/** Maps an app:// URL to a file inside the built renderer, or undefined if it points outside. */
export function resolveRendererFile(rendererDir: string, url: string): string | undefined {
  const { pathname, host } = new URL(url);
  if (host !== 'homeport') return undefined;
  const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '') || 'index.html';
  const file = join(rendererDir, rel);
  return file.startsWith(rendererDir + sep) ? file : undefined;
}
