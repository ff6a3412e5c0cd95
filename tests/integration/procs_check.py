#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks memtrace procs output against ground truth.

  procs_check.py lifecycle GROUND_TRUTH JSON   wait4() lines vs exit events
  procs_check.py agree JSON TEXT               --json and text say the same
  procs_check.py count JSON TYPE COMM          prints the number of events

Exits 1 and prints every mismatch when a check fails.
"""
import json
import math
import re
import sys


def load_json(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return [json.loads(line) for line in f if line.strip()]


def ground_truth(path):
    kids = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"child (\S+) (.*)", line)
            if m:
                kv = dict(p.split("=") for p in m.group(2).split())
                kids[m.group(1)] = {k: int(v) for k, v in kv.items()}
    return kids


def fmt_size(n):
    """The text output's human-readable size (src/output.c fmt_size)."""
    if n < 1024:
        return "%dB" % n
    v, u = float(n), -1
    while u < 5 and v >= 1024:
        v /= 1024
        u += 1
    r = round(v) if v >= 10 else round(v * 10) / 10
    if u < 5 and r >= 1024:
        v /= 1024
        u += 1
    return ("%.1f" % v if v < 10 else "%.0f" % v) + "KMGTPE"[u]


def lifecycle(gt_path, json_path):
    gt, events = ground_truth(gt_path), load_json(json_path)
    errors = []
    for name, kid in gt.items():
        exits = [e for e in events if e["type"] == "exit" and e["pid"] == kid["pid"]]
        if len(exits) != 1:
            errors.append("%s: %d exit events, expected 1" % (name, len(exits)))
            continue
        e = exits[0]
        if e["status"] != kid["status"]:
            errors.append("%s: status %d, wait4 says %d" % (name, e["status"], kid["status"]))
        if e["comm"] != "lc-" + name[:12]:
            errors.append("%s: comm %r" % (name, e["comm"]))
        rss_kb = e["peak_rss_bytes"] / 1024
        if abs(rss_kb - kid["maxrss_kb"]) > 0.05 * kid["maxrss_kb"]:
            errors.append("%s: peak RSS %d KiB, wait4 says %d KiB"
                          % (name, rss_kb, kid["maxrss_kb"]))
        # The few faults the exit path itself may take are the only slack.
        for mine, theirs in (("min_faults", "minflt"), ("maj_faults", "majflt")):
            if abs(e[mine] - kid[theirs]) > 2 + 0.01 * kid[theirs]:
                errors.append("%s: %s %d, wait4 says %d" % (name, mine, e[mine], kid[theirs]))
        if name == "code3" and (e["exit_code"] != 3 or e["lifetime_ms"] < 50):
            errors.append("code3: exit_code %s lifetime %s ms" % (e["exit_code"], e["lifetime_ms"]))
        if name == "killed" and (e["signal"] != "SIGKILL" or e["exit_code"] is not None):
            errors.append("killed: signal %s exit_code %s" % (e["signal"], e["exit_code"]))
        if name == "touch200" and rss_kb < 200 * 1024:
            errors.append("touch200: peak RSS %d KiB < 200 MiB" % rss_kb)
        if name == "threads" and e["exit_code"] != 7:
            errors.append("threads: exit_code %s" % e["exit_code"])
    return errors


def agree(json_path, text_path):
    events = load_json(json_path)
    text = {}
    with open(text_path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            p = line.split()
            if len(p) >= 10 and p[1] == "EXIT":
                text[int(p[2])] = p
    errors, compared = [], 0
    for e in events:
        if e["type"] != "exit" or not e["comm"].startswith("lc-"):
            continue
        p = text.get(e["pid"])
        if not p:
            errors.append("pid %d: in --json, not in text" % e["pid"])
            continue
        compared += 1
        status = ("code %d" % e["exit_code"]) if e["signal"] is None else e["signal"]
        want = [e["time"], "EXIT", str(e["pid"]), str(e["ppid"]), e["comm"],
                str(e["lifetime_ns"] // 1000000), fmt_size(e["peak_rss_bytes"]),
                str(e["min_faults"]), str(e["maj_faults"])] + status.split()
        if p != want:
            errors.append("pid %d: text %s, json says %s" % (e["pid"], p, want))
    if not compared:
        errors.append("no lc-* exit events to compare")
    return errors


def count(json_path, kind, comm):
    return sum(1 for e in load_json(json_path)
               if e["type"] == kind and e.get("comm") == comm)


def main():
    cmd = sys.argv[1]
    if cmd == "count":
        print(count(*sys.argv[2:5]))
        return 0
    errors = {"lifecycle": lifecycle, "agree": agree}[cmd](*sys.argv[2:4])
    for e in errors:
        print("mismatch:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
