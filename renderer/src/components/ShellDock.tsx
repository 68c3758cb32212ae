import { useState } from 'react';
import { DEFAULT_SHELL } from '@shared/exec-schemas';
import type { TerminalRequest } from '../lib/use-terminal';
import { TerminalView } from './TerminalView';

interface ShellDockProps {
  /** "pod web-0", "task media_web.1": what the dock's title names. */
  title: string;
  target: TerminalRequest['target'];
  workload: TerminalRequest['workload'];
  /** A pod's containers to choose from; the pod's default container when none is picked. */
  containers?: string[];
  onClose(): void;
}

/** A shell in a workload's container, docked at the bottom of the window: pick the shell, then a terminal. */
export function ShellDock({ title, target, workload, containers, onClose }: ShellDockProps) {
  const [shell, setShell] = useState(DEFAULT_SHELL);
  const [container, setContainer] = useState('');
  const [request, setRequest] = useState<TerminalRequest>();
  const [opened, setOpened] = useState(0);
  const argv = shell.trim().split(/\s+/).filter(Boolean);

  return (
    <section className="terminal-dock" role="dialog" aria-label={`Shell in ${title}`} data-testid="shell-dock">
      <header className="toolbar">
        <h3>Shell in {title}</h3>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            if (argv.length === 0) return;
            setRequest({ target, workload, command: argv, ...(container ? { container } : {}) });
            setOpened((n) => n + 1);
          }}
        >
          {containers && containers.length > 1 ? (
            <label className="small">
              Container{' '}
              <select value={container} onChange={(e) => setContainer(e.target.value)} data-testid="shell-container">
                <option value="">default</option>
                {containers.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label className="small">
            Shell{' '}
            <input
              value={shell}
              onChange={(e) => setShell(e.target.value)}
              placeholder={DEFAULT_SHELL}
              spellCheck={false}
              data-testid="shell-command"
              aria-label="Shell"
            />
          </label>
          <button type="submit" disabled={argv.length === 0} data-testid="shell-open">
            {request ? 'Open again' : 'Open'}
          </button>
        </form>
        <button type="button" onClick={onClose} aria-label="Close shell" data-testid="shell-dock-close">
          ✕
        </button>
      </header>
      {request ? (
        // A new request (another shell, Open again) is a new terminal and a new session.
        <TerminalView key={opened} request={request} onClose={() => setRequest(undefined)} />
      ) : (
        <p className="muted small">
          Runs {DEFAULT_SHELL} unless you name another shell (for example /bin/bash) and its arguments.
        </p>
      )}
    </section>
  );
}
