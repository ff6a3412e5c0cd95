#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Runs a command on a terminal of its own and presses Ctrl-C, as a person.

  tty_interrupt.py [--after SHELL-CMD] FILE PATTERN [FILE PATTERN]... -- CMD...

CMD runs in the foreground process group of a new pseudo-terminal, whose
session leader (a shell would be) stays: the terminal's ^C sends SIGINT to
CMD's whole process group (memtrace and the command it started), as
Ctrl-C does. For each FILE PATTERN pair in turn, waits (at most 30 s)
until a line of FILE contains PATTERN, then types ^C. Then waits (at most
60 s) for CMD to exit and prints "status N" (N: the exit status, or 128 +
the signal). With --after, SHELL-CMD then runs while the terminal is still
open (what CMD left running has not been hung up yet). The terminal's
output is discarded. Exits 1 if a wait timed out (CMD is then killed).
"""
import os
import pty
import signal
import subprocess
import sys
import time


def wait_for(path, pattern, deadline):
    while time.monotonic() < deadline:
        try:
            with open(path, errors="replace") as f:
                if any(pattern in line for line in f):
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    return False


def drain(fd):
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass


def session_leader(cmd, status_w, hold_r):
    """The terminal's session leader: runs CMD in the foreground, reports
    its status, and keeps the terminal until told to let go."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    child = os.fork()
    if child == 0:
        os.setpgid(0, 0)
        os.tcsetpgrp(0, os.getpgrp())
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        os.execvp(cmd[0], cmd)
    try:
        os.setpgid(child, child)
        os.tcsetpgrp(0, child)
    except OSError:
        pass
    os.write(status_w, b"started\n")
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    os.write(status_w, b"%d\n" % (code if code >= 0 else 128 - code))
    os.read(hold_r, 1)
    os._exit(0)


def main(argv):
    after = None
    args = argv[1:]
    if args[:1] == ["--after"]:
        after, args = args[1], args[2:]
    if "--" not in args:
        sys.exit(__doc__)
    sep = args.index("--")
    steps, cmd = args[:sep], args[sep + 1:]
    if len(steps) % 2 or not cmd:
        sys.exit(__doc__)
    status_r, status_w = os.pipe()
    hold_r, hold_w = os.pipe()
    pid, fd = pty.fork()
    if pid == 0:
        os.close(status_r)
        os.close(hold_w)
        session_leader(cmd, status_w, hold_r)
    os.close(status_w)
    os.close(hold_r)
    os.set_blocking(fd, False)
    os.set_blocking(status_r, False)
    got = b""

    def read_status(deadline):
        nonlocal got
        while time.monotonic() < deadline:
            drain(fd)
            try:
                got += os.read(status_r, 64)
            except BlockingIOError:
                pass
            lines = got.decode().split()
            if len(lines) >= 2:
                return lines[1]
            time.sleep(0.05)
        return None

    def give_up(why):
        print(why, file=sys.stderr)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.exit(1)

    for path, pattern in zip(steps[::2], steps[1::2]):
        if not wait_for(path, pattern, time.monotonic() + 30):
            give_up("no '%s' in %s after 30 s" % (pattern, path))
        os.write(fd, b"\x03")
    status = read_status(time.monotonic() + 60)
    if status is None:
        give_up("the command did not exit within 60 s")
    print("status " + status)
    sys.stdout.flush()
    if after:
        subprocess.run(after, shell=True, check=False)
    os.close(hold_w)
    drain(fd)
    os.waitpid(pid, 0)


if __name__ == "__main__":
    main(sys.argv)
