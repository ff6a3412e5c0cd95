#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Time from a lone event to its line on a terminal, memtrace and its peers.

  latency.py MEMTRACE WORKLOADS EXECSNOOP BPFTRACE [EVENTS]

Each tool runs on a pseudo-terminal of its own, as a person watching it
would run it. Once it is ready, EVENTS times (default 10), 0.3 s apart,
one event happens: an exec of a program with a name nothing else has
(procs, execsnoop, bpftrace on sched_process_exec), or one setxattr(2)
of 3001 bytes by a process of such a name (kmalloc, bpftrace on
kmem:kmalloc). The latency is from just before the exec to the moment
the tool's line for it is read from the terminal. A line that never
comes (5 s) counts as 5 s and as missed.
"""
import os
import pty
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TIMEOUT = 5.0


class Tool:
    """A command on a terminal of its own, read line by line."""

    def __init__(self, argv, ready):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp(argv[0], argv)
        self.buf = b""
        self.lines = []
        if not self.wait_for(ready.encode(), time.monotonic() + 60):
            self.stop()
            raise RuntimeError("%s: not ready (%r)" % (argv[0], self.buf[-300:]))

    def pump(self, until):
        """Reads what the terminal has until the deadline; each complete
        line is kept with the time it was read."""
        left = until - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([self.fd], [], [], left)
        if not r:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        now = time.time()
        self.buf += data
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            self.lines.append((now, line))

    def wait_for(self, needle, deadline, since=0.0):
        while time.monotonic() < deadline:
            for t, line in self.lines:
                if t >= since and needle in line:
                    self.lines = []
                    return t
            if needle in self.buf and since == 0.0:
                return time.time()
            self.pump(deadline)
        return None

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            got, _ = os.waitpid(self.pid, os.WNOHANG)
            if got:
                break
            self.pump(time.monotonic() + 0.1)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def measure(tool, fire, needle, events):
    lat, missed = [], 0
    for _ in range(events):
        time.sleep(0.3)
        t0 = time.time()
        fire()
        t = tool.wait_for(needle, time.monotonic() + TIMEOUT, since=t0)
        if t is None:
            missed += 1
            lat.append(TIMEOUT)
        else:
            lat.append(t - t0)
    return lat, missed


def main(argv):
    if len(argv) < 5:
        sys.exit(__doc__)
    memtrace, wl, execsnoop, bpftrace = argv[1:5]
    events = int(argv[5]) if len(argv) > 5 else 10
    tmp = tempfile.mkdtemp(prefix="memtrace-latency.")
    comm = "mtl%d" % os.getpid()
    prog = os.path.join(tmp, comm)
    shutil.copy(os.path.join(wl, "noop"), prog)
    tmpfs = os.path.join(tmp, "tmpfs")
    os.mkdir(tmpfs)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "none", tmpfs], check=True)
    xfile = os.path.join(tmpfs, "f")
    open(xfile, "w").close()

    def exec_one():
        subprocess.run([prog], check=True)

    def setxattr_one():
        subprocess.run([os.path.join(wl, "xattr"), "--comm", comm, xfile, "3001", "1"],
                       check=True, stdout=subprocess.DEVNULL)

    ready_mt = "ready"
    configs = [
        ("exec", "memtrace procs -c COMM", [memtrace, "procs", "-c", comm, "-v"],
         ready_mt, exec_one, comm.encode()),
        ("exec", "memtrace procs", [memtrace, "procs", "-v"], ready_mt, exec_one,
         comm.encode()),
        ("exec", "execsnoop -n COMM", [execsnoop, "-n", comm], "PCOMM", exec_one,
         comm.encode()),
        ("exec", "bpftrace sched_process_exec",
         [bpftrace, "-e", 'tracepoint:sched:sched_process_exec /comm == "%s"/ '
          '{ printf("exec %%s\\n", comm); }' % comm], "Attaching", exec_one,
         b"exec " + comm.encode()),
        ("setxattr", "memtrace kmalloc -f COMM",
         [memtrace, "kmalloc", "-f", comm, "-v"], ready_mt, setxattr_one,
         comm.encode()),
        ("setxattr", "bpftrace kmem:kmalloc",
         [bpftrace, "-e", 'tracepoint:kmem:kmalloc /comm == "%s"/ '
          '{ printf("kmalloc %%s %%d\\n", comm, args->bytes_req); }' % comm],
         "Attaching", setxattr_one, b"kmalloc " + comm.encode()),
    ]
    print("latency bench: time from one lone event to its line on a terminal, %d events "
          "each, 0.3 s apart" % events)
    print("%-9s %-30s %9s %9s %7s" % ("event", "tool", "median", "max", "missed"))
    results = {}
    try:
        for kind, label, cmd, ready, fire, needle in configs:
            tool = Tool(cmd, ready)
            try:
                lat, missed = measure(tool, fire, needle, events)
            finally:
                tool.stop()
            med = statistics.median(lat)
            results[label] = med
            print("%-9s %-30s %7.1fms %7.1fms %7d" % (kind, label, med * 1e3,
                                                      max(lat) * 1e3, missed))
    finally:
        subprocess.run(["umount", tmpfs], check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    base = results.get("execsnoop -n COMM")
    if base:
        print("\nlatency bench: memtrace procs -c COMM / execsnoop -n COMM = %.2f"
              % (results["memtrace procs -c COMM"] / base))
    base = results.get("bpftrace kmem:kmalloc")
    if base:
        print("latency bench: memtrace kmalloc -f COMM / bpftrace = %.2f"
              % (results["memtrace kmalloc -f COMM"] / base))


if __name__ == "__main__":
    main(sys.argv)
