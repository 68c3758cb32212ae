"""Runs a command on a new pseudo-terminal, as a user's terminal would: the e2e tests' terminal.

Usage: pty-run.py ROWS COLS -- COMMAND [ARGS...]
Its stdout is everything the terminal shows; its stdin takes lines that drive the terminal:
  resize ROWS COLS   change the terminal's size (the kernel sends SIGWINCH to the command)
  keys TEXT          type TEXT (\\r for Enter, as a terminal sends it)
It exits with the command's exit code.
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    rows, cols, dashes, *command = sys.argv[1:]
    assert dashes == "--" and command, __doc__
    pid, master = pty.fork()
    if pid == 0:
        set_size(0, int(rows), int(cols))
        os.execvp(command[0], command)
    control = sys.stdin.fileno()
    pending = b""
    while True:
        ready, _, _ = select.select([master] + ([control] if control >= 0 else []), [], [])
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        if control >= 0 and control in ready:
            chunk = os.read(control, 4096)
            if not chunk:
                control = -1
                continue
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                verb, _, rest = line.decode().partition(" ")
                if verb == "resize":
                    r, c = rest.split()
                    set_size(master, int(r), int(c))
                elif verb == "keys":
                    os.write(master, rest.encode().decode("unicode_escape").encode())
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)


if __name__ == "__main__":
    main()
