/**
 * What a program prints at start, as its stand-ins print it: the sandbox's simulated kubelet writes
 * these lines to the pod log, the Docker stand-in images to stdout and stderr. One wording for both,
 * so a test reads the same reason from `kubectl logs` and from `docker service logs`.
 */
import { effectiveSettings, type ContainerInputs, type ImageContract } from './upstream';

/** The lines a program refusing to start prints before it exits 1. */
export function problemLines(problems: readonly string[]): string[] {
  return problems.map((p) => `Error: ${p}`);
}

/**
 * The program's settings as it would log them at start: the known settings only, in the contract's
 * order, and a credential's value never (only whether it is set).
 */
export function settingLines(contract: ImageContract, inputs: ContainerInputs): string[] {
  const settings = effectiveSettings(contract.settings, inputs);
  const lines: string[] = [];
  for (const s of contract.settings.known) {
    const v = settings.get(s.key);
    if (v === undefined) continue;
    lines.push(`setting ${s.key}=${s.secret ? (v === '' ? '(empty)' : '(secret)') : v}`);
  }
  return lines;
}
