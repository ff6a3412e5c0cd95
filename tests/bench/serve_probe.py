#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""For tests/bench/serve.sh: scrape latency, and a process's CPU time.

  serve_probe.py scrape HOST PORT N     N scrapes of /metrics, one
                                        connection: "median_ms M p99_ms P
                                        bytes B"
  serve_probe.py cpu PID SECONDS [HOST PORT]
                                        CPU time (user + system) PID used
                                        in SECONDS, scraping HOST:PORT
                                        once a second if given (as
                                        Prometheus would): "cpu_ms_per_s C"
"""
import http.client
import os
import sys
import time


def scrape(conn):
    conn.request("GET", "/metrics")
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit("scrape: status %d" % r.status)
    return len(body)


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])     # utime, stime


def main():
    if sys.argv[1] == "scrape":
        host, port, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        conn = http.client.HTTPConnection(host, port, timeout=30)
        times, size = [], 0
        for _ in range(n):
            t0 = time.monotonic()
            size = scrape(conn)
            times.append((time.monotonic() - t0) * 1000)
        times.sort()
        print("median_ms %.2f p99_ms %.2f bytes %d" %
              (times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))], size))
        return 0
    pid, secs = int(sys.argv[2]), float(sys.argv[3])
    conn = None
    if len(sys.argv) > 5:
        conn = http.client.HTTPConnection(sys.argv[4], int(sys.argv[5]), timeout=30)
    hz = os.sysconf("SC_CLK_TCK")
    t0, c0 = time.monotonic(), cpu_ticks(pid)
    while time.monotonic() - t0 < secs:
        if conn:
            scrape(conn)
        time.sleep(1.0)
    c1, t1 = cpu_ticks(pid), time.monotonic()
    print("cpu_ms_per_s %.2f" % ((c1 - c0) * 1000.0 / hz / (t1 - t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
