/**
 * A URL's password hidden the way Go's url.Redacted (and so kubectl) shows it:
 * `https://user:xxxxx@host`. Kubeconfig server URLs may carry one; lists and error messages show
 * the URL, never the password. The text is otherwise left as written (no normalizing).
 */
export function redactUrl(text: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)/.exec(text);
  if (!m) return text;
  const [whole, scheme = '', authority = ''] = m;
  const at = authority.lastIndexOf('@');
  const colon = authority.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return text;
  return `${scheme}${authority.slice(0, colon)}:xxxxx${authority.slice(at)}${text.slice(whole.length)}`;
}

/** Every URL password in a message hidden (for messages built by libraries around a URL). */
export function redactUrlsIn(message: string): string {
  return message.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s/?#]*@/g, '$1:xxxxx@');
}
