import { main } from './index';

/** Commands that run until a signal: once they have stopped, nothing left open may keep them alive. */
const UNTIL_SIGNAL = new Set(['serve', 'sandbox']);

const args = process.argv.slice(2);
void main(args).then((code) => {
  process.exitCode = code;
  // A server stopped by a signal has closed what it owns; a connection something else still holds
  // (a NAS host's SSH session, a keep-alive socket) must not keep the process running.
  if (UNTIL_SIGNAL.has(args[0] ?? '')) process.exit(code);
});
