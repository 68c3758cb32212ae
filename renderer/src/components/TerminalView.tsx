import '@xterm/xterm/css/xterm.css';
import { useRef } from 'react';
import { useTerminal, type TerminalRequest } from '../lib/use-terminal';

/** A terminal running `request` in a container, with where it runs and how it ended. */
export function TerminalView({ request, onClose }: { request: TerminalRequest; onClose(): void }) {
  const host = useRef<HTMLDivElement>(null);
  const { status, close } = useTerminal(host, request);
  const running = status.state === 'running' || status.state === 'connecting';
  return (
    <div className="terminal" data-testid="terminal" data-state={status.state}>
      <div className="toolbar small">
        <span data-testid="terminal-place" className="muted">
          {status.state === 'running'
            ? `${status.place.workload}, container ${status.place.container}`
            : status.state === 'connecting'
              ? 'Connecting…'
              : ''}
        </span>
        <span className="muted">Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes</span>
        <button type="button" onClick={() => (running ? close() : onClose())} data-testid="terminal-close">
          {running ? 'End session' : 'Close'}
        </button>
      </div>
      <div ref={host} className="terminal-screen" data-testid="terminal-screen" />
      {status.state === 'ended' ? (
        <div
          role={status.end.tone === 'error' ? 'alert' : 'status'}
          className={`small ${status.end.tone === 'error' ? 'error' : status.end.tone === 'warn' ? 'warning' : 'muted'}`}
          data-testid="terminal-end"
        >
          {status.end.text}
        </div>
      ) : null}
      {status.state === 'failed' ? (
        <div role="alert" className="error small" data-testid="terminal-end">
          {status.message}
        </div>
      ) : null}
    </div>
  );
}
