/**
 * Refused input in the words of the screen: each field by the label the user sees next to it
 * ("SSH key file", not 'sshKeyFile'), and never the channel's internal name. The transports' dispatch
 * and the forms' own check use this; the CLI keeps naming its flags (electron/cli/check-args.ts).
 */
import type { Issues } from './issues';

/** Labels shown on every screen for a field of this name, whatever the form. */
const common: Record<string, string> = {
  name: 'Name',
  url: 'URL',
  sshKeyFile: 'SSH key file',
  'tls.caFile': 'CA certificate file',
  'tls.certFile': 'Client certificate file',
  'tls.keyFile': 'Client key file',
  context: 'Cluster',
  namespace: 'Namespace',
  stack: 'Stack',
  endpoint: 'Endpoint',
  fingerprint: 'Host key fingerprint',
  address: 'Address',
  port: 'Port',
  user: 'User',
  username: 'User',
  keyFile: 'Private key file',
  secret: 'Password or passphrase',
  caFile: 'CA file',
  region: 'Region',
  accessKeyId: 'Access key id',
  secretAccessKey: 'Secret access key',
  bucket: 'Bucket',
  profile: 'S3 profile',
  host: 'Host',
  path: 'Path',
  clients: 'Clients',
  squash: 'Squash',
  replicas: 'Replicas',
  forceUpdate: 'Restart',
  service: 'Service',
  serviceId: 'Service',
  revision: 'Revision',
  passphrase: 'Passphrase',
  at: 'Time',
  keepDaily: 'Keep daily',
  keepWeekly: 'Keep weekly',
  registry: 'Registry',
  localPort: 'Local port',
  remotePort: 'Remote port',
  'target.context': 'Cluster',
  'target.namespace': 'Namespace',
  'target.endpoint': 'Swarm endpoint',
  auth: 'Authentication',
  'destination.dir': 'Directory or export',
  'destination.host': 'NAS host',
  'destination.profile': 'S3 profile',
  'destination.bucket': 'Bucket',
  'destination.prefix': 'Prefix',
};

/** Where a form labels a field unlike the others, by channel. */
const byChannel: Record<string, Record<string, string>> = {
  'nas:add': { name: 'Name', address: 'Address or ~/.ssh/config host', port: 'SSH port', keyFile: 'Private key file' },
  's3:add': { endpoint: 'Endpoint', caFile: 'CA certificate file' },
  'docker:addEndpoint': { url: 'Docker endpoint URL', sshKeyFile: 'SSH key file' },
  'metrics:setSettings': { url: 'Prometheus URL', username: 'User', secret: 'Password or token', caFile: 'CA file' },
  'metrics:testSettings': { url: 'Prometheus URL', username: 'User', secret: 'Password or token', caFile: 'CA file' },
  'backups:setKey': { passphrase: 'Passphrase' },
  'clusters:addKubeconfig': { path: 'Kubeconfig file' },
  'docker:addRegistry': { host: 'Registry', username: 'User', secret: 'Password or token' },
};

const acronyms: Record<string, string> = {
  ssh: 'SSH',
  url: 'URL',
  tls: 'TLS',
  ca: 'CA',
  id: 'ID',
  s3: 'S3',
  nfs: 'NFS',
  nas: 'NAS',
  pvc: 'PVC',
};

/** 'sshKeyFile' → 'SSH key file': for a field no screen labels, still words rather than code. */
function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => acronyms[w.toLowerCase()] ?? w.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The on-screen label of a field path of a channel's input: 'SSH key file', 'Clients (item 2)'. */
export function fieldLabel(channel: string, path: readonly PropertyKey[]): string {
  const keys = path.filter((p): p is string => typeof p === 'string');
  const index = path.find((p): p is number => typeof p === 'number');
  const dotted = keys.join('.');
  const own = byChannel[channel] ?? {};
  const last = keys[keys.length - 1] ?? '';
  const known = own[dotted] ?? common[dotted] ?? own[last] ?? common[last];
  // A nested field no screen labels keeps where it is: "Kind (mapping › volumes › media)".
  const label =
    known ?? (keys.length > 1 ? `${humanize(last)} (${keys.slice(0, -1).join(' › ')})` : humanize(last || 'value'));
  return index !== undefined ? `${label} (item ${index + 1})` : label;
}

/** zod's own words ("Invalid input: expected string, received undefined") as the user reads them. */
function plainMessage(issue: Issues['issues'][number], key: string, label: string): string {
  // Some schemas already start their message with the field's name: 'revision: revisions start at 1'.
  const named = /^([A-Za-z][\w ]*): /.exec(issue.message)?.[1]?.toLowerCase();
  const message =
    named !== undefined && (named === key.toLowerCase() || named === label.toLowerCase())
      ? issue.message.slice(named.length + 2)
      : issue.message;
  // A schema's own message says it best; only zod's defaults ("Invalid input: …") are reworded.
  if (!/^(Invalid|Too small)/.test(issue.message)) return message;
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined/.test(issue.message)) return 'is required';
      return `must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1 && /Too small/.test(issue.message)) {
        return 'must not be empty';
      }
      return message;
    default:
      return message;
  }
}

/** Every issue as "Label: what is wrong", joined by '; '. */
export function describeForScreen(error: Issues, channel: string): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `${issue.keys.map((k) => fieldLabel(channel, [...issue.path, k])).join(', ')}: not a field of this form`;
      }
      const last = issue.path.filter((p): p is string => typeof p === 'string').pop() ?? '';
      const label = fieldLabel(channel, issue.path);
      return `${label}: ${plainMessage(issue, last, label)}`;
    })
    .join('; ');
}
