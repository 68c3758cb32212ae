/**
 * One rule per kind of name. Every entry point (the contract, core services, the CLI, the forms)
 * checks a name with the rule defined here, so a name one of them accepts, every other accepts.
 *
 * Each rule is a predicate returning why a value breaks it (or undefined), and a zod schema built
 * from that predicate. Messages say what is wrong and how to fix it, never which field it is: the
 * caller names the field ("'name': ...").
 */
import { z } from 'zod';

/** Why a value breaks a rule; undefined when it follows it. */
export type Problem = string | undefined;

/** The value as a message shows it: quoted, and cut short when long. */
export const shown = (v: string) => JSON.stringify(v.length > 70 ? `${v.slice(0, 60)}…` : v);

/** A string schema whose only issue is the predicate's message. */
export function ruled(problem: (v: string) => Problem) {
  return z.string().superRefine((v, ctx) => {
    const message = problem(v);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
}

// ---- DNS (RFC 1123) ----------------------------------------------------------------------------

/** RFC 1123 label: lower-case letters, digits and -, starting and ending alphanumeric. */
export const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A DNS label of at most `max` characters (63 in DNS). Names in Homeport follow it because they
 * become file names, secret ids, Kubernetes names and command-line arguments.
 */
export function labelProblem(v: string, example: string, max = 63): Problem {
  const rule = `use 1 to ${max} lowercase letters, digits and '-', starting and ending with a letter or digit (for example ${example})`;
  if (v === '') return `is empty: ${rule}`;
  if (v.length > max) return `${shown(v)} has ${v.length} characters: ${rule}`;
  if (/[A-Z]/.test(v)) return `${shown(v)} has upper-case letters: ${rule}`;
  const bad = /[^a-z0-9-]/u.exec(v);
  if (bad) return `${shown(v)} contains ${shown(bad[0])}: ${rule}`;
  if (v.startsWith('-') || v.endsWith('-')) return `${shown(v)} starts or ends with '-': ${rule}`;
  return undefined;
}

/**
 * A DNS subdomain: dot-separated labels, at most 253 characters. `labelMax` is 63 for host names;
 * Kubernetes object names check only the whole length, so they pass Infinity.
 */
export function subdomainProblem(v: string, example: string, labelMax = 63, what = 'a DNS name'): Problem {
  const rule = `${what} has lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit (for example ${example})`;
  if (v === '') return `is empty: ${rule}`;
  if (v.length > 253) return `${shown(v)} has ${v.length} characters: use at most 253`;
  if (/[A-Z]/.test(v)) return `${shown(v)} has upper-case letters: ${rule}`;
  const bad = /[^a-z0-9.-]/u.exec(v);
  if (bad) return `${shown(v)} contains ${shown(bad[0])}: ${rule}`;
  for (const part of v.split('.')) {
    if (part === '') return `${shown(v)} has an empty part between dots: ${rule}`;
    if (part.startsWith('-') || part.endsWith('-'))
      return `${shown(v)} has a part starting or ending with '-': ${rule}`;
    if (part.length > labelMax) return `${shown(v)} has a part longer than ${labelMax} characters: ${rule}`;
  }
  return undefined;
}

/** A DNS host name in any case (DNS ignores case): labels of letters, digits and '-', not all digits. */
export function hostNameProblem(v: string): Problem {
  const rule = `use letters, digits, '-' and '.' (for example nas.lan)`;
  if (v === '') return `is empty: ${rule}`;
  if (v.length > 253) return `${shown(v)} has ${v.length} characters: a host name has at most 253`;
  const bad = /[^A-Za-z0-9.-]/u.exec(v);
  if (bad) return `${shown(v)} contains ${shown(bad[0])}: ${rule}`;
  const label = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  if (!v.split('.').every((l) => label.test(l))) {
    return `${shown(v)} is not a host name: each dot-separated part has 1 to 63 letters, digits or '-', not starting or ending with '-'`;
  }
  if (/^[0-9.]+$/.test(v)) return `${shown(v)} is not an IP address (each part is 0 to 255) nor a host name`;
  return undefined;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** A dotted-quad IPv4 address, without leading zeros. */
export const isIPv4 = (v: string) => IPV4.test(v);

/** An IPv6 address (no brackets, no zone). Uses the URL parser, which the renderer and Node share. */
export function isIPv6(v: string): boolean {
  if (!v.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(v)) return false;
  try {
    return new URL(`http://[${v}]/`).hostname !== '';
  } catch {
    return false;
  }
}

/** An IPv4 or IPv6 address, or a host name; IPv6 may come in brackets. */
export function hostAddressProblem(v: string): Problem {
  const text = v.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(text) || isIPv6(text)) return undefined;
  if (hostNameProblem(text) === undefined) return undefined;
  if (text === '') return `is empty: enter a host name or an IP address (for example nas.lan or 192.168.1.20)`;
  return `${shown(v)} is neither a host name nor an IP address: use letters, digits, '-' and '.' (nas.lan), an IPv4 address (192.168.1.20) or an IPv6 address (fd00::20)`;
}

// ---- names Homeport and Kubernetes use -------------------------------------------------------------

/** A kubeconfig context name: whatever the kubeconfig says, within sane bounds. */
export const contextName = z.string().min(1, 'context name is required').max(253);

/** A Kubernetes object name (RFC 1123 subdomain, as Kubernetes checks it: no limit per part). */
export const k8sName = ruled((v) => subdomainProblem(v, 'local-path', Infinity, 'a Kubernetes name'));

/** A Kubernetes namespace (RFC 1123 label). */
export const namespaceName = ruled((v) => labelProblem(v, 'media'));

/** A stack name as deployed on Kubernetes (the catalog's name, or the name of a copy of it). */
export const stackName = ruled((v) => labelProblem(v, 'revenge'));

/**
 * A stack name on Docker Swarm: a label of at most 32 characters, so that `<stack>_<component>`
 * service names and `<stack>_<secret>_<key>` secret names stay within Docker's 63.
 */
export const swarmStackName = ruled((v) => labelProblem(v, 'revenge', 32));

/**
 * The name of something saved in Homeport: a Docker endpoint, a NAS host, an S3 profile, an NFS
 * export. A DNS label, because the name becomes a file name (/etc/exports.d/homeport-<name>.exports),
 * a secret id (s3/<name>/secret-key), a command-line argument, and a reference in stack values.
 */
export const savedNameProblem = (v: string) => labelProblem(v, 'nas-1');
export const savedName = ruled(savedNameProblem);

/**
 * A name already saved, as remove takes it: entries saved under an older, looser rule (such as
 * "-garage-") can still be removed everywhere. It only has to be a safe key.
 */
export const storedName = ruled((v) => {
  if (v === '') return 'is empty: give the name as the list shows it';
  if (v.length > 253) return `${shown(v)} has ${v.length} characters; no saved name is that long`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(v)) return `${shown(v)} contains '/', '\\' or a control character`;
  return undefined;
});

/** A DNS name in lower case, as Kubernetes wants host names (an Ingress host, for example). */
export const dnsName = ruled((v) => subdomainProblem(v, 'revenge.home.lan', 63, 'a host name in Kubernetes'));

/** A host name in any case. */
export const hostName = ruled(hostNameProblem);

/** What a server address field takes: a host name or an IP address; IPv6 brackets are removed. */
export const hostAddress = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const message = hostAddressProblem(v);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  })
  .transform((v) => v.replace(/^\[(.*)\]$/, '$1'));

// ---- S3 bucket names ------------------------------------------------------------------------------

/**
 * AWS's rules for general purpose buckets, which every S3-compatible server accepts: 3 to 63
 * lowercase letters, digits, '.' and '-'; starting and ending with a letter or digit; no '..'; not
 * shaped like an IPv4 address; none of the prefixes (xn--, sthree-, amzn-s3-demo-) or suffixes
 * (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3) AWS reserves. Homeport also refuses '-' next to
 * '.', so that every dot-separated part is a DNS label and virtual-host addressing works.
 */
export function bucketNameProblem(v: string): Problem {
  const why = (reason: string) =>
    `bucket name ${shown(v)} ${reason}. Bucket names are 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit (for example media-backups)`;
  if (v === '') return why('is empty');
  if (v.length < 3 || v.length > 63) return why(`has ${v.length} characters`);
  if (/[A-Z]/.test(v)) return why('has upper-case letters');
  const bad = /[^a-z0-9.-]/u.exec(v);
  if (bad) return why(`contains ${shown(bad[0])}`);
  if (!/^[a-z0-9]/.test(v) || !/[a-z0-9]$/.test(v)) return why('must start and end with a letter or digit');
  if (v.includes('..')) return why('has two dots in a row');
  if (v.includes('.-') || v.includes('-.')) return why('has a hyphen next to a dot');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return why('looks like an IP address');
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => v.startsWith(p));
  if (prefix) return why(`starts with "${prefix}", which is reserved`);
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((s) => v.endsWith(s));
  if (suffix) return why(`ends with "${suffix}", which is reserved`);
  return undefined;
}

/** The name of a bucket to create (or to reference in stack values). */
export const bucketName = ruled(bucketNameProblem);

/**
 * The name of a bucket that exists already: it may predate today's rules (upper case,
 * underscores), so only what cannot be addressed in a request path is refused.
 */
export const existingBucketName = ruled((v) =>
  v === '' || v.length > 255 || /[/\s\\?#]/.test(v) ? `${shown(v)} is not a bucket name` : undefined,
);

// ---- images, environment, users ------------------------------------------------------------------------

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*';
const IMAGE_NAME = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/**
 * A container image reference as Docker and containerd parse it (distribution/reference):
 * [registry[:port]/]repository[:tag][@digest], the repository in lower case, at most 255
 * characters before the tag.
 */
export function imageRefProblem(v: string): Problem {
  const not = (why: string) =>
    `${shown(v)} is not an image reference (${why}): write [registry/]repository[:tag][@sha256:digest], like ghcr.io/team/app:1.2.3`;
  if (v === '') return not('it is empty');
  if (/\s/.test(v)) return not('it contains whitespace');
  const at = v.indexOf('@');
  const named = at === -1 ? v : v.slice(0, at);
  if (at !== -1 && !DIGEST.test(v.slice(at + 1))) return not('the digest is not sha256:<64 hex digits>');
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? named.slice(0, colon) : named;
  if (hasTag && !TAG.test(named.slice(colon + 1)))
    return not("the tag is not 1 to 128 letters, digits, '_', '.' or '-'");
  if (name.length > 255) return not('the name is longer than 255 characters');
  if (!IMAGE_NAME.test(name)) {
    const repository = name.slice(name.indexOf('/') + 1);
    return not(
      /[A-Z]/.test(repository)
        ? 'repositories are lowercase'
        : "a repository is lowercase letters and digits, separated by '.', '_', '-' or '/'",
    );
  }
  return undefined;
}
export const imageRef = ruled(imageRefProblem);

/** An environment variable name, as POSIX shells and Docker take them. */
export const envNameProblem = (v: string): Problem =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(v)
    ? undefined
    : `${shown(v)} is not an environment variable name: use letters, digits and '_', not starting with a digit (for example APP_TOKEN)`;
export const envName = ruled(envNameProblem);

/** A portable POSIX user name (useradd's default rule): the SSH user on a NAS, an export's owner. */
export const posixUserProblem = (v: string): Problem =>
  /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/.test(v)
    ? undefined
    : `${shown(v)} is not a user name: use up to 32 letters, digits, '.', '_' or '-', starting with a letter or '_' (for example admin)`;
export const posixUserName = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const message = posixUserProblem(v);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });

// ---- paths --------------------------------------------------------------------------------------------

/** A full path on this machine: /... (or C:\... on Windows), without a NUL byte. */
export function absolutePathProblem(v: string): Problem {
  if (v === '') return 'is empty: give the full path of the file';
  if (v.length > 4096) return 'is longer than 4096 characters';
  if (v.includes('\0')) return 'must not contain a NUL byte';
  if (!v.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(v)) {
    return `'${v}' is relative: give the full path of the file, starting with / (or a drive letter on Windows)`;
  }
  return undefined;
}

/** A full path of a file on this machine, trimmed. */
export const absolutePath = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const message = absolutePathProblem(v);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });

/**
 * An exported directory on a NAS as far as syntax goes: absolute, normalized, no control
 * characters, no trailing whitespace, at most 1024 bytes. Which directories may be exported is the
 * NAS service's decision (it refuses system directories).
 */
export function exportPathProblem(v: string): Problem {
  if (v === '') return 'enter the absolute directory to export on the NAS (for example /srv/media)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) {
    return 'contains a control character (a newline, tab or NUL); NFS export paths cannot carry them. Rename the directory without them';
  }
  if (!v.startsWith('/')) return `"${v}" is relative; enter an absolute path starting with '/' (for example /srv/${v})`;
  if (v.split('/').some((part) => part === '..' || part === '.')) {
    return `"${v}" contains '.' or '..'; enter the directory's plain absolute path`;
  }
  const normalized = v.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
  if (normalized !== v) return `"${v}" is not normalized; use "${normalized}"`;
  if (/\s$/.test(v)) return `"${v}" ends with whitespace, which exportfs output cannot show; rename the directory`;
  if (new TextEncoder().encode(v).length > 1024) return 'is longer than 1024 bytes; use a shorter path';
  return undefined;
}
export const exportPath = ruled(exportPathProblem);
