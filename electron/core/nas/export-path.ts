/**
 * An export path is checked as text first (validateExportPath), but the NAS decides what it names:
 * a symlink such as /srv/media -> /etc would make root's mkdir, chown and chmod, and exportfs,
 * act on /etc. So the path is resolved on the NAS, as root, before anything is created or changed:
 * every existing part of it must be exactly what it says (no symlink anywhere), and what is missing
 * is created below a real directory.
 */
import { posix } from 'node:path';
import { HomeportError } from '../errors';
import type { RootRunner } from './remote';

const invalid = (message: string) => new HomeportError('INVALID_INPUT', `'path': ${message}`);

/** The path with every symlink resolved, as the NAS sees it (`realpath -e`, or `readlink -f` where realpath lacks -e). */
export async function resolveOnNas(run: RootRunner, path: string): Promise<string | undefined> {
  for (const argv of [
    ['realpath', '-e', '--', path],
    ['readlink', '-f', '--', path],
  ]) {
    const r = await run.exec(argv, { timeoutMs: 10_000 });
    const out = r.stdout.replace(/\n$/, '');
    if (r.code === 0 && out.startsWith('/')) return out;
  }
  return undefined;
}

/** Whether something (a file, a directory, or a symlink, even a dangling one) is at the path. */
async function present(run: RootRunner, path: string): Promise<boolean> {
  if ((await run.exec(['test', '-e', path])).code === 0) return true;
  return (await run.exec(['test', '-L', path])).code === 0;
}

function refusal(path: string, part: string, resolved: string | undefined, isSystem: (p: string) => boolean): Error {
  const at = part === path ? path : `${part} (part of ${path})`;
  if (resolved === undefined) {
    return invalid(`${at} is a symlink on the NAS that leads nowhere; export a real directory`);
  }
  const where = `${at} is a symlink on the NAS to ${resolved}`;
  if (isSystem(resolved)) return invalid(`${where}, a system directory; Homeport will not create, change or export it`);
  return invalid(
    `${where}; Homeport exports and changes only directories that are what their path says. Export ${posix.join(resolved, path.slice(part.length))} instead`,
  );
}

/**
 * Refuses the path unless its existing part is free of symlinks, before anything is created:
 * returns whether the whole path exists already.
 */
export async function checkExportPathOnNas(
  run: RootRunner,
  path: string,
  isSystem: (p: string) => boolean,
): Promise<{ exists: boolean }> {
  let existing = path;
  while (existing !== '/' && !(await present(run, existing))) existing = posix.dirname(existing);
  const resolved = await resolveOnNas(run, existing);
  if (resolved !== existing) {
    // Name the outermost symlink: that is what the user can fix.
    let part = existing;
    for (let p = existing; p !== '/'; p = posix.dirname(p)) {
      if ((await run.exec(['test', '-L', p])).code === 0) part = p;
    }
    throw refusal(path, part, part === existing ? resolved : await resolveOnNas(run, part), isSystem);
  }
  return { exists: existing === path };
}

/** After mkdir: the path must still be itself (nothing swapped in on the way). */
export async function confirmExportPathOnNas(run: RootRunner, path: string, isSystem: (p: string) => boolean) {
  const resolved = await resolveOnNas(run, path);
  if (resolved !== path) throw refusal(path, path, resolved, isSystem);
}
