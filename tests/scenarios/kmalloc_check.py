#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks memtrace kmalloc output against the kernel's own accounting.

  kmalloc_check.py xattr DIR     the kmalloc_xattr scenario's directory
  kmalloc_check.py filters DIR   the kmalloc_filters scenario's directory

Exits 1 and prints every mismatch when a check fails.
"""
import os
import re
import sys

from mtcheck import fmt_size, load_json, run

# __GFP_FS (bit 7, on every kernel): in GFP_KERNEL and GFP_USER, so in the
# copy setxattr(2) makes on every kernel (vmemdup_user's GFP_USER, before
# 5.13 kvmalloc's GFP_KERNEL). __GFP_DMA (bit 0): in nothing it allocates.
GFP_FS = 0x80
GFP_DMA = 0x1
KERNEL_TEXT = 0xffff800000000000


def workload(path):
    """xattr's own line: pid P tid T size N count K ns_per_call X."""
    with open(path) as f:
        words = f.read().split()
    return {words[i]: float(words[i + 1]) if "." in words[i + 1] else int(words[i + 1])
            for i in range(0, len(words) - 1, 2)}


def tracefs_events(path, pid):
    """The kmem:kmalloc lines of pid in a tracefs trace file."""
    events = []
    line_re = re.compile(r"-(\d+)\s+\[\d+\].*kmalloc(?:_node)?: (.*)")
    with open(path, errors="replace") as f:
        for line in f:
            m = line_re.search(line)
            if not m or int(m.group(1)) != pid:
                continue
            fields = dict(kv.split("=", 1) for kv in m.group(2).split())
            events.append({
                # %pS prints "sym+0xoff/0xsize"
                "call_site_sym": fields["call_site"].split("/")[0],
                "bytes_req": int(fields["bytes_req"]),
                "bytes_alloc": int(fields["bytes_alloc"]),
                "gfp": fields["gfp_flags"],
                "node": int(fields.get("node", "-1")),
            })
    return events


def only_row(rows, what, **match):
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    if len(found) != 1:
        return None, ["%s: %d rows match %s, expected 1: %s" % (what, len(found), match, rows)]
    return found[0], []


def check_row(row, what, calls, req, alloc=None):
    errors = []
    if row["calls"] != calls or row["bytes_req"] != req:
        errors.append("%s: %d calls, %d bytes requested; expected %d and %d"
                      % (what, row["calls"], row["bytes_req"], calls, req))
    if alloc is not None and row["bytes_alloc"] != alloc:
        errors.append("%s: %d bytes allocated, expected %d" % (what, row["bytes_alloc"], alloc))
    return errors


def xattr(d):
    n, k = (int(x) for x in open(os.path.join(d, "params")).read().split())
    wl = workload(os.path.join(d, "wl"))
    pid, tid = wl["pid"], wl["tid"]
    truth = tracefs_events(os.path.join(d, "trace"), pid)
    if len(truth) != k:
        return ["ground truth: tracefs saw %d kmallocs of %d bytes, expected %d"
                % (len(truth), n, k)]
    t = truth[0]
    if any(e != t for e in truth):
        return ["ground truth: the allocations differ: %s" % truth]
    errors = []
    if t["bytes_alloc"] != 4096 and n == 3001:
        errors.append("ground truth: %d bytes went to a %d-byte object, not 4096"
                      % (n, t["bytes_alloc"]))

    # The stream: exactly K events of N bytes from the workload.
    ev = [e for e in load_json(os.path.join(d, "stream"))
          if e["type"] == "kmalloc" and e["pid"] == pid and e["bytes_req"] == n]
    if len(ev) != k:
        errors.append("stream: %d events of %d bytes from pid %d, expected %d"
                      % (len(ev), n, pid, k))
    for e in ev[:1] + ev[-1:]:
        want = {"tid": tid, "comm": "mt-xattr", "bytes_alloc": t["bytes_alloc"],
                "gfp": t["gfp"], "call_site_sym": t["call_site_sym"], "node": t["node"]}
        got = {key: e[key] for key in want}
        if got != want:
            errors.append("stream event %s, the kernel says %s" % (got, want))
        if int(e["ptr"], 16) < KERNEL_TEXT or int(e["call_site"], 16) < KERNEL_TEXT:
            errors.append("stream event pointers: %s" % e)

    # The text stream (filtered on N in the kernel) says the same.
    txt = [line.split() for line in open(os.path.join(d, "stream.txt"))
           if len(line.split()) == 11 and line.split()[1] == str(pid)]
    if len(txt) != k:
        errors.append("text stream: %d lines from pid %d, expected %d" % (len(txt), pid, k))
    elif ev:
        e = ev[0]
        want = [str(pid), str(tid), "mt-xattr", str(n), str(e["bytes_alloc"]), e["gfp"],
                "any" if e["node"] < 0 else str(e["node"]), str(e["cpu_node"])]
        if txt[0][1:9] != want or txt[0][10] != e["call_site_sym"]:
            errors.append("text line %s, json says %s ... %s" % (txt[0], want, e["call_site_sym"]))

    # --top by size: the row of N holds exactly the workload's K.
    tops = [r for r in load_json(os.path.join(d, "size")) if r["type"] == "top"]
    if not tops:
        return errors + ["--by size: no report"]
    row, err = only_row(tops[-1]["rows"], "--by size", size=n)
    errors += err or check_row(row, "--by size row", k, k * n, k * t["bytes_alloc"])

    # --top by call site, sizes N..N: the kernel's call site, K calls.
    site = [r for r in load_json(os.path.join(d, "site")) if r["type"] == "top"]
    row, err = only_row(site[-1]["rows"] if site else [], "--by callsite",
                        call_site_sym=t["call_site_sym"])
    errors += err or check_row(row, "--by callsite row", k, k * n, k * t["bytes_alloc"])
    if row and abs(row["waste_pct"] - 100.0 * (t["bytes_alloc"] - n) / t["bytes_alloc"]) > 0.001:
        errors.append("--by callsite waste_pct %s" % row["waste_pct"])
    summary = [r for r in load_json(os.path.join(d, "site")) if r["type"] == "summary"]
    if not summary or summary[-1]["calls"] != k:
        errors.append("--by callsite summary: %s" % summary)

    # ... and as text.
    lines = [line.split() for line in open(os.path.join(d, "site.txt"))]
    rows = [p for p in lines if p and p[0] == t["call_site_sym"]]
    want = [t["call_site_sym"], str(k), fmt_size(k * n), fmt_size(k * t["bytes_alloc"]),
            fmt_size(k * (t["bytes_alloc"] - n))]
    if len(rows) != 1 or rows[0][:5] != want:
        errors.append("text --top row %s, expected %s" % (rows, want))

    # --top by pid, sizes N..N: the workload's row, K calls.
    pids = [r for r in load_json(os.path.join(d, "pid")) if r["type"] == "top"]
    row, err = only_row(pids[-1]["rows"] if pids else [], "--by pid", pid=pid)
    errors += err or check_row(row, "--by pid row", k, k * n)
    if row and row.get("comm") != "mt-xattr":
        errors.append("--by pid row comm %r" % row.get("comm"))
    return errors


def filters(d):
    a, b = workload(os.path.join(d, "wla")), workload(os.path.join(d, "wlb"))
    ev = {name: [e for e in load_json(os.path.join(d, name)) if e["type"] == "kmalloc"]
          for name in ("pid", "minsize", "comm", "maxsize", "gfp", "gfpdma", "tid")}
    errors = []

    def need(cond, what):
        if not cond:
            errors.append(what)

    def count(events, pid, size):
        return sum(1 for e in events if e["pid"] == pid and e["bytes_req"] == size)

    need(all(e["pid"] == a["pid"] for e in ev["pid"]), "-p: events from other processes")
    need(count(ev["pid"], a["pid"], 100) == 200, "-p: not A's 200 allocations of 100 bytes")
    need(all(e["bytes_req"] >= 1000 for e in ev["minsize"]), "-s 1000: smaller requests")
    need(count(ev["minsize"], b["pid"], 3001) == 200, "-s 1000: not B's 200 of 3001 bytes")
    need(count(ev["minsize"], a["pid"], 100) == 0, "-s 1000: A's 100-byte requests")
    need(all(e["comm"] == "mt-xb" for e in ev["comm"]), "-f mt-xb: other names")
    need(count(ev["comm"], b["pid"], 3001) == 200, "-f mt-xb: not B's 200 of 3001 bytes")
    need(all(e["bytes_req"] <= 100 for e in ev["maxsize"]), "--max-size 100: larger requests")
    need(count(ev["maxsize"], a["pid"], 100) == 200, "--max-size 100: not A's 200")
    # --gfp keeps exactly B's allocations with every bit of the flag, as the
    # unfiltered -f mt-xb stream shows them; one B never uses keeps none.
    with_bit = [e for e in ev["comm"] if e["gfp_flags"] & GFP_FS]
    need(all(e["gfp_flags"] & GFP_FS for e in ev["gfp"]), "--gfp: events without the flag")
    need(len(ev["gfp"]) == len(with_bit) >= 200,
         "--gfp __GFP_FS: %d events; B made %d with the flag of %d"
         % (len(ev["gfp"]), len(with_bit), len(ev["comm"])))
    need(count(ev["gfp"], b["pid"], 3001) == 200, "--gfp: not B's 200 copies of 3001 bytes")
    need(not [e for e in ev["comm"] if e["gfp_flags"] & GFP_DMA],
         "-f mt-xb: B made a __GFP_DMA allocation")
    need(not ev["gfpdma"] and len(ev["comm"]) >= 200,
         "--gfp __GFP_DMA: %d events, expected none of B's %d"
         % (len(ev["gfpdma"]), len(ev["comm"])))
    need(all(e["tid"] == b["tid"] for e in ev["tid"]), "--tid: other threads")
    need(count(ev["tid"], b["pid"], 3001) == 200, "--tid: not B's 200")
    return errors


if __name__ == "__main__":
    sys.exit(run({"xattr": xattr, "filters": filters}, sys.argv))
