#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scrapes memtrace serve N times over one keep-alive connection, as
Prometheus would, and prints what a long run must keep bounded:

  rss_kb_at_100 R1
  rss_kb_at_end R2
  max_series S      (sample lines of the largest scrape)

  scrape_loop.py HOST PORT PID N

Every scrape must answer 200 with the whole text (ending with the last
family); exits 1 at the first that does not."""
import http.client
import sys


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    host, port, pid, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    conn = http.client.HTTPConnection(host, port, timeout=30)
    max_series = 0
    for i in range(1, n + 1):
        try:
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            body = r.read()
        except (OSError, http.client.HTTPException):
            # serve closes a connection idle for 5 s: open another.
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            body = r.read()
        if r.status != 200 or b"memtrace_scrape_duration_seconds " not in body:
            print("scrape %d: status %d, %d bytes" % (i, r.status, len(body)))
            return 1
        series = sum(1 for l in body.split(b"\n") if l and not l.startswith(b"#"))
        max_series = max(max_series, series)
        if i == 100:
            print("rss_kb_at_100 %d" % rss_kb(pid))
    print("rss_kb_at_end %d" % rss_kb(pid))
    print("max_series %d" % max_series)
    return 0


if __name__ == "__main__":
    sys.exit(main())
