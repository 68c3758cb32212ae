/**
 * What `homeport nas` and `homeport docker` print about a host key: an unknown key is a question
 * (compare, then trust), a changed key is a warning naming the recorded and the presented keys,
 * with the one command that replaces it after the user has checked the new fingerprint.
 */
import type { HostKey, SshFailureReason } from '@shared/ssh-schemas';

export interface HostKeyCommands {
  /** `homeport nas probe box`: how to connect again, to which ` --trust FP` is added. */
  test: string;
  /** `homeport nas replace-host-key box`: to which ` --fingerprint FP` is added. */
  replace: string;
  /** Whose key: "the NAS", "the host". */
  what: string;
}

export function hostKeyAdvice(
  failure: { reason: SshFailureReason | string; hostKey?: HostKey },
  cmd: HostKeyCommands,
): string[] {
  const key = failure.hostKey;
  if (!key) return [];
  if (failure.reason === 'host-key-unknown') {
    return [
      `Host key ${key.keyType} ${key.fingerprint}`,
      `Compare it with ${cmd.what}'s own (ssh-keygen -lf), then: ${cmd.test} --trust ${key.fingerprint}`,
    ];
  }
  if (failure.reason !== 'host-key-changed') return [];
  const lines = [
    `WARNING: HOST KEY CHANGED. Unless ${cmd.what} was reinstalled or its keys regenerated, someone may be intercepting the connection.`,
    `  Trusted until now: ${key.keyType} ${(key.previous ?? []).join(' or ') || '(see the message above)'}`,
    `  Presented now:     ${key.keyType} ${key.fingerprint}`,
  ];
  if (key.replaceable) {
    lines.push(
      `Only if you expected the change: check the new fingerprint on ${cmd.what} itself (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then:`,
      `  ${cmd.replace} --fingerprint ${key.fingerprint}`,
    );
  }
  return lines;
}

/** The fingerprints a replacement removed and the one it trusts now. */
export function replacedLine(name: string, removed: string[], now: string): string {
  return `Replaced the trusted host key of '${name}': ${removed.length > 0 ? `removed ${removed.join(', ')}; ` : ''}trusting ${now}.`;
}

/** Why `replace-host-key` without `--fingerprint` replaced nothing (after the probe was printed). */
export function notReplacedLine(
  name: string,
  result: { status: string; reason?: SshFailureReason | string; hostKey?: HostKey },
): string {
  if (result.status !== 'failed' || result.reason !== 'host-key-changed') {
    return `${name}: its host key has not changed; nothing to replace.`;
  }
  if (!result.hostKey?.replaceable)
    return `${name}: Homeport cannot replace this key (see above); nothing was replaced.`;
  return 'Nothing was replaced: confirm the new fingerprint with --fingerprint.';
}
