/**
 * Real kubectl (and the pty that drives `kubectl exec -it`) against a sandbox, for the tests of
 * the Docker runtime: commands are argument arrays, results carry the exit code and both streams.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KubectlResult {
  code: number;
  out: string;
  err: string;
}

export function kubectlHarness(kubeconfig: string) {
  /** kubectl's exit code, stdout and stderr, whatever the code; `input` goes to its stdin. */
  function result(args: string[], input = '', env: Record<string, string> = {}): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=30s', ...args], {
        env: { ...process.env, ...env },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
      child.stdin.end(input);
    });
  }

  /** kubectl's stdout; a non-zero exit throws with its stderr. */
  async function kubectl(...args: string[]): Promise<string> {
    const r = await result(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.err}`);
    return r.out;
  }

  /**
   * `kubectl exec -it POD -- sh` on a pseudo-terminal (python3's pty module): waits for the
   * prompt, types each line and waits for what it should print, then the shell's exit code.
   */
  function interactive(dir: string, pod: string, steps: [line: string, expect: string][]) {
    const script = [
      'import json, os, pty, sys, time',
      'kubeconfig, pod, steps = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])',
      'pid, fd = pty.fork()',
      'if pid == 0:',
      '    os.execvp("kubectl", ["kubectl", "--kubeconfig", kubeconfig, "exec", "-it", pod, "--", "sh"])',
      'out = b""',
      'def pump(until, secs):',
      '    global out',
      '    end = time.time() + secs',
      '    while until.encode() not in out and time.time() < end:',
      '        try:',
      '            out += os.read(fd, 4096)',
      '        except OSError:',
      '            break',
      'pump("# ", 20)',
      'for line, expect in steps:',
      '    os.write(fd, (line + "\\n").encode())',
      '    pump(expect, 20)',
      'pump("\\x00", 5)',
      '_, status = os.waitpid(pid, 0)',
      'sys.stdout.write(out.decode("utf8", "replace"))',
      'sys.exit(os.WEXITSTATUS(status))',
    ].join('\n');
    // Not pty.py: a script named like the module would import itself.
    const file = join(dir, 'drive-tty.py');
    writeFileSync(file, script);
    return new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn('python3', [file, kubeconfig, pod, JSON.stringify(steps)]);
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, out }));
    });
  }

  /** `kubectl port-forward` until stopped: `local` resolves with the local port once it forwards. */
  function portForward(target: string, ports: string, env: Record<string, string> = {}) {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', target, ports], {
      env: { ...process.env, ...env },
    });
    let out = '';
    const local = new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', () => reject(new Error(`kubectl port-forward ${target} ended: ${out}`)));
    });
    local.catch(() => undefined);
    return { local, output: () => out, stop: () => child.kill() };
  }

  return { result, kubectl, interactive, portForward };
}

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch((err: unknown) => err as T);
    if (ok(v)) return v;
    if (Date.now() > end)
      throw new Error(
        `condition not met in ${timeoutMs} ms; last value: ${v instanceof Error ? v.message : JSON.stringify(v)}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}
