import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { ExecStart } from '@shared/exec-schemas';
import { describeSessionEnd, type SessionEnd } from './terminal-end';
import { openTerminalSession, type SessionPlace, type TerminalSessionControl } from './terminal-session';

export type TerminalStatus =
  | { state: 'connecting' }
  | { state: 'running'; place: SessionPlace }
  | { state: 'ended'; end: SessionEnd }
  | { state: 'failed'; message: string };

export type TerminalRequest = Omit<ExecStart, 'size'>;

/**
 * Ctrl+Shift+C copies the selection (Ctrl+C stays the terminal's interrupt); Ctrl+Shift+V is left to
 * the browser, whose paste-as-plain-text reaches xterm's input and is sent like typing. Neither
 * needs a clipboard permission.
 */
function clipboardKeys(event: KeyboardEvent, term: Terminal): boolean {
  if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey || event.altKey) return true;
  if (event.code === 'KeyC') {
    event.preventDefault();
    // The copy event goes to xterm's focused input, which fills the clipboard with the selection.
    if (term.hasSelection() && !document.execCommand('copy')) {
      void navigator.clipboard?.writeText(term.getSelection()).catch(() => {});
    }
    return false;
  }
  return event.code !== 'KeyV';
}

/**
 * A terminal drawn in `host` running `request` (a shell by default) until the component unmounts or
 * the request changes: sized to its element, resized with it, the session told every new size.
 */
export function useTerminal(host: RefObject<HTMLDivElement | null>, request: TerminalRequest | undefined) {
  const key = request ? JSON.stringify(request) : '';
  const [state, setState] = useState<{ key: string; status: TerminalStatus }>({
    key: '',
    status: { state: 'connecting' },
  });
  const control = useRef<TerminalSessionControl | undefined>(undefined);

  useEffect(() => {
    const el = host.current;
    if (!key || !el) return;
    const params = JSON.parse(key) as TerminalRequest;
    const program = params.command?.[0] ?? '/bin/sh';
    const set = (status: TerminalStatus) => setState({ key, status });
    const term = new Terminal({
      cursorBlink: true,
      scrollback: 5000,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
      fontSize: 13,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    fit.fit();
    const session = openTerminalSession(
      { ...params, size: { cols: Math.min(term.cols, 1000), rows: Math.min(term.rows, 500) } },
      {
        session: (again) => {
          if (again) term.write('\r\n\x1b[33m[The connection to Homeport was lost; this is a new session]\x1b[0m\r\n');
          set({ state: 'connecting' });
        },
        started: (place) => set({ state: 'running', place }),
        output: (bytes, drawn) => term.write(bytes, drawn),
        ended: (result, asked) => {
          term.options.cursorBlink = false;
          set({ state: 'ended', end: describeSessionEnd(result, program, asked) });
        },
        failed: (message) => set({ state: 'failed', message }),
      },
    );
    control.current = session;
    const typed = term.onData((data) => session.write(data));
    const binary = term.onBinary((data) => session.writeBytes(data));
    const resized = term.onResize(({ cols, rows }) =>
      session.resize({ cols: Math.min(cols, 1000), rows: Math.min(rows, 500) }),
    );
    term.attachCustomKeyEventHandler((event) => clipboardKeys(event, term));
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(el);
    term.focus();
    return () => {
      observer.disconnect();
      typed.dispose();
      binary.dispose();
      resized.dispose();
      control.current = undefined;
      session.dispose();
      term.dispose();
    };
  }, [host, key]);

  return {
    status: state.key === key ? state.status : ({ state: 'connecting' } as TerminalStatus),
    /** Ends the command; the status then says the session closed. */
    close: () => control.current?.close(),
  };
}
