/**
 * The model's variable references follow Kubernetes' expansion of a container's command, args and
 * env values (kubernetes third_party/forked/golang/expansion/expand.go, and the cases of its
 * expand_test.go): `$(NAME)` is replaced by the value of NAME when NAME is defined, and kept as
 * written when it is not; `$$` is one literal `$`; any other `$` is kept. The Kubernetes renderer
 * passes values through for the kubelet to expand; the Swarm renderer expands them itself, since
 * Docker does not.
 */

/**
 * Expands `$(NAME)` references with `lookup` (undefined: NAME is not defined, the reference stays)
 * and turns `$$` into `$`, as the kubelet does.
 */
export function expandReferences(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i += 1;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        // An unterminated reference is text.
        out += '$(';
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += lookup(name) ?? `$(${name})`;
      i = close + 1;
    } else {
      out += '$';
      i += 1;
    }
  }
  return out;
}

/** Text that must reach the program exactly as written (a compose file's values): every `$` doubled. */
export function escapeReferences(literal: string): string {
  return literal.replaceAll('$', '$$$$');
}
