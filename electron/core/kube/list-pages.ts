/**
 * Paging through a collection (limit + continue), asking for each next page as early as its
 * continue token is known.
 */
export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface PagingOptions {
  pageSize?: number;
  onPage?: (items: unknown[]) => void;
}

/** What a list of any kind looks like on the wire, as far as paging needs. */
interface KubeList<T> {
  items?: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** One page asked for: its answer, and its continue token as soon as the first bytes tell it. */
interface PageFetch<T> {
  page: Promise<KubeList<T>>;
  /** The token (empty on the last page), or null when the first bytes do not say. */
  head: Promise<string | null>;
  /** The continue token this page was asked for with. */
  cont: string;
}

/** GETs one page; `onFirstChunk` sees the first bytes of a successful answer's body. */
export type PageRequest = (path: string, onFirstChunk: (chunk: Buffer) => void) => Promise<unknown>;

/**
 * A list page's continue token read from the first bytes of its answer. The API server writes a
 * list's metadata before its items: Go's encoding/json writes struct fields in order, and every
 * list type declares ListMeta before Items (kubernetes/api core/v1/types.go:5816-5826, PodList).
 * So the token is known long before the page has arrived. Gives the token, '' on the last page,
 * or null when these bytes do not say (metadata after the items, or not in them).
 */
export function continueFromHead(head: Buffer): string | null {
  const text = head.toString('latin1', 0, Math.min(head.length, 64 * 1024));
  const items = text.indexOf('"items":');
  if (items < 0) return null;
  try {
    const list = JSON.parse(`${text.slice(0, items)}"items":[]}`) as { metadata?: { continue?: unknown } } | null;
    if (typeof list?.metadata !== 'object' || list.metadata === null) return null;
    const token = list.metadata.continue;
    return typeof token === 'string' ? token : token === undefined ? '' : null;
  } catch {
    return null;
  }
}

/**
 * Lists every item of a collection in pages (limit + continue), so a 5,000-pod cluster never
 * arrives as one giant response. An expired continue token surfaces as HTTP 410. With onPage,
 * each page goes to it as it arrives and is not kept (the result's items stay empty).
 * The next page is asked for as soon as this one's continue token is known: from its first
 * bytes when the server writes the list's metadata before its items, as the API server does,
 * else once the page is whole. The server prepares the next page while this one is still on
 * the wire and being worked through.
 */
export async function listPages<T>(
  request: PageRequest,
  path: string,
  opts: PagingOptions = {},
): Promise<ListResult<T>> {
  const items: T[] = [];
  let resourceVersion = '';
  const sep = path.includes('?') ? '&' : '?';
  const fetchPage = (cont: string): PageFetch<T> => {
    let early!: (token: string | null) => void;
    const head = new Promise<string | null>((r) => (early = r));
    const page = request(
      `${path}${sep}limit=${opts.pageSize ?? 500}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      (first) => early(continueFromHead(first)),
    ) as Promise<KubeList<T>>;
    // Settled either way, so nobody waits on a head that never came.
    page.then(
      () => early(null),
      () => early(null),
    );
    return { page, head, cont };
  };
  let current: PageFetch<T> | undefined = fetchPage('');
  let next: PageFetch<T> | undefined;
  try {
    while (current) {
      const token = await current.head;
      next = token ? fetchPage(token) : undefined;
      const page: KubeList<T> = await current.page;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      const cont = page.metadata?.continue ?? '';
      if (next?.cont !== (cont || undefined)) {
        // The head said nothing (or, against all sense, something else): follow the page itself.
        next?.page.catch(() => undefined);
        next = cont ? fetchPage(cont) : undefined;
      }
      if (opts.onPage) {
        // Let the next request go out before this page is worked through.
        if (next) await new Promise((r) => setImmediate(r));
        opts.onPage(page.items ?? []);
      } else for (const item of page.items ?? []) items.push(item);
      current = next;
      next = undefined;
    }
  } catch (err) {
    // A page asked for ahead is not needed once this one failed: its own failure is not reported.
    next?.page.catch(() => undefined);
    throw err;
  }
  return { items, resourceVersion };
}
