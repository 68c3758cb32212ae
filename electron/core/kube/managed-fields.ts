/**
 * Cutting `metadata.managedFields` out of an API server's JSON before it is parsed. The API server
 * records, for every field of every object, which writer set it last (server-side apply); on a
 * pod that record is often a third of its JSON or more, one entry for the controller that created
 * it and one for the kubelet that reports its status. Homeport's live summaries never read it, so
 * parsing it is pure cost: in time, and in the objects the garbage collector then has to clear.
 */

const KEY_TEXT = '"managedFields":';
const KEY = Buffer.from(KEY_TEXT);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Where the JSON array or object starting at `from` ends (the index after its closing bracket), or
 * -1 when it does not end before `size`. Brackets inside strings do not count; a string ends at
 * the first quote not escaped by a backslash. UTF-8 is read byte by byte: every byte of a
 * multi-byte character is 0x80 or above, so none of them is taken for a quote or a bracket.
 */
function endOfValue(buf: Uint8Array, from: number, size: number): number {
  let depth = 0;
  for (let i = from; i < size; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      for (i++; i < size; i++) {
        const s = buf[i];
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
    else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Removes every `"managedFields": [...]` member, and the comma that separated it from its
 * neighbour, from the JSON text in `buf[0, size)`, in place; gives the text's new length. The
 * text stays valid JSON with every other member as it was.
 *
 * In valid JSON the bytes `"managedFields":` can only be an object's key: inside a string, both
 * quotes would have to be escaped, and the escape would sit between `managedFields` and `":`. A
 * member whose value is not an array (no object the API server sends has one) is left alone, and
 * so is a text that ends inside the array (it is parsed as it came, and fails as it would have).
 */
export function cutManagedFields(buf: Buffer, size: number): number {
  // Only the text is searched: a pooled buffer holds stale bytes past it, often megabytes.
  const text = buf.subarray(0, size);
  let read = 0;
  let write = 0;
  let search = 0;
  for (;;) {
    const at = text.indexOf(KEY, search);
    if (at === -1) break;
    let value = at + KEY.length;
    while (value < size && isSpace(buf[value])) value++;
    search = value;
    // Not an array: kept, and the search goes on after it.
    if (value >= size || buf[value] !== OPEN_ARRAY) continue;
    const end = endOfValue(buf, value, size);
    // The text ends inside the array: the rest is kept as it came.
    if (end === -1) break;
    // The member goes with the comma before it, or else (the first member) with the one after it.
    let from = at;
    let to = end;
    let before = at - 1;
    while (before > read && isSpace(buf[before])) before--;
    if (buf[before] === COMMA && before >= read) from = before;
    else {
      let after = end;
      while (after < size && isSpace(buf[after])) after++;
      if (buf[after] === COMMA) to = after + 1;
    }
    buf.copyWithin(write, read, from);
    write += from - read;
    read = search = to;
  }
  buf.copyWithin(write, read, size);
  return write + (size - read);
}

/**
 * The same for a text already decoded (a watch event's line); a text without managedFields is
 * returned as it is.
 */
export function cutManagedFieldsText(text: string): string {
  if (!text.includes(KEY_TEXT)) return text;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.toString('utf8', 0, cutManagedFields(bytes, bytes.length));
}
