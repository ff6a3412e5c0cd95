#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks memtrace procs output against ground truth.

  procs_check.py lifecycle GROUND_TRUTH JSON   wait4() lines vs exit events
  procs_check.py agree GT JSON TEXT            --json and text say the same
  procs_check.py descendants JSON ROOT_PID     -p saw the tree and only it
  procs_check.py args JSON PROGRAM             exec arguments, truncation
  procs_check.py execveat JSON                 an execveat(2) exec event
  procs_check.py losses JSON COMM EXPECTED     printed + lost == expected
  procs_check.py count JSON TYPE COMM          prints the number of events

Exits 1 and prints every mismatch when a check fails.
"""
import re
import sys

from mtcheck import fmt_size, load_json, run


def ground_truth(path):
    kids = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"child (\S+) (.*)", line)
            if m:
                kv = dict(p.split("=") for p in m.group(2).split())
                kids[m.group(1)] = {k: int(v) for k, v in kv.items()}
    return kids


def lifecycle(gt_path, json_path, expected="code3,killed,touch200,threads,segv"):
    gt, events = ground_truth(gt_path), load_json(json_path)
    errors = []
    if sorted(gt) != sorted(expected.split(",")):
        errors.append("ground truth has %s, expected %s" % (sorted(gt), expected))
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
        # Its life lies between just before its fork and just after its
        # reaping, on the clock the tracer reads (CLOCK_MONOTONIC).
        if not 0 <= e["lifetime_ns"] <= kid["reaped_ns"] - kid["forked_ns"]:
            errors.append("%s: lifetime %d ns, fork to reaping %d ns"
                          % (name, e["lifetime_ns"], kid["reaped_ns"] - kid["forked_ns"]))
        if name == "code3" and (e["exit_code"] != 3 or e["lifetime_ms"] < 50):
            errors.append("code3: exit_code %s lifetime %s ms" % (e["exit_code"], e["lifetime_ms"]))
        if name == "killed" and (e["signal"] != "SIGKILL" or e["exit_code"] is not None):
            errors.append("killed: signal %s exit_code %s" % (e["signal"], e["exit_code"]))
        if name == "touch200" and rss_kb < 200 * 1024:
            errors.append("touch200: peak RSS %d KiB < 200 MiB" % rss_kb)
        if name == "threads" and e["exit_code"] != 7:
            errors.append("threads: exit_code %s" % e["exit_code"])
        if name == "segv" and (e["signal"] != "SIGSEGV" or e["signal_number"] != 11 or
                               e["core_dumped"] != bool(kid["status"] & 0x80)):
            errors.append("segv: signal %s core_dumped %s, wait4 status %#x"
                          % (e["signal"], e["core_dumped"], kid["status"]))
    return errors


def hms(t):
    h, m, s = (int(x) for x in t.split(":"))
    return h * 3600 + m * 60 + s


def agree(gt_path, json_path, text_path):
    gt, events = ground_truth(gt_path), load_json(json_path)
    window = {k["pid"]: (k["reaped_ns"] - k["forked_ns"]) // 1000000 for k in gt.values()}
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
        if e["core_dumped"]:
            status += " (core)"
        want = ["EXIT", str(e["pid"]), str(e["ppid"]), e["comm"], None,
                fmt_size(e["peak_rss_bytes"]), str(e["min_faults"]),
                str(e["maj_faults"])] + status.split()
        # Two tracers read the clock each at its own moment, one program
        # after the other on the same event: under emulation (the test
        # kernel runs in QEMU TCG, its vCPU descheduled by a busy host)
        # that can be milliseconds apart. So each lifetime is judged
        # against the child's own: no longer than from just before its
        # fork to just after its reaping (wait4), on the same clock; and
        # the time of day may differ by a second.
        life_ms = e["lifetime_ns"] // 1000000
        bound = window.get(e["pid"])
        same = (p[1:5] == want[:4] and p[6:] == want[5:] and
                bound is not None and 0 <= int(p[5]) <= bound and
                0 <= life_ms <= bound and
                (hms(p[0]) - hms(e["time"])) % 86400 in (0, 1, 86399))
        if not same:
            errors.append("pid %d: text %s, json says %s (lifetime %d ms; "
                          "fork to reaping %s ms)"
                          % (e["pid"], p, [e["time"]] + want, life_ms, bound))
    if not compared:
        errors.append("no lc-* exit events to compare")
    return errors


def descendants(json_path, root):
    ev, root, errors = load_json(json_path), int(root), []
    exits = [e for e in ev if e["type"] == "exit"]
    pids = {root} | {e["pid"] for e in ev if e["type"] in ("exec", "exit")}
    for e in ev:
        if "ppid" in e and e["pid"] != root and e["ppid"] not in pids:
            errors.append("event outside the traced tree: %s" % e)
    # lifecycle (0), its children lc-code3 (3), lc-threads (7) and
    # lc-threadexec (exec'd true: 0), sh -c "exit 4" (4), the root (6)
    codes = sorted(e["exit_code"] for e in exits)
    if codes != [0, 0, 3, 4, 6, 7]:
        errors.append("exit codes %s, expected [0, 0, 3, 4, 6, 7]" % codes)
    if [e["exit_code"] for e in exits if e["pid"] == root] != [6]:
        errors.append("the root's exit is missing or wrong: %s" % exits)
    if [e for e in ev if e.get("comm") == "mtoutside"]:
        errors.append("mtoutside, outside the tree, was reported")
    if not ev or ev[-1]["type"] != "summary":
        errors.append("no summary at the end")
    return errors


def args(json_path, prog):
    ev, errors = load_json(json_path), []
    ex = [e for e in ev if e["type"] == "exec"]
    if [e for e in ev if e["type"] == "exit"]:
        errors.append("exit events with --exec")
    if len(ex) != 2:
        return errors + ["%d exec events, expected 2" % len(ex)]
    if ex[0]["filename"] != prog or ex[0]["args"] != [prog, "a b", "it's"]:
        errors.append("first exec: %s" % ex[0])
    if ex[0]["args_truncated"]:
        errors.append("first exec marked truncated")
    cut = ex[1]["args"]
    if not ex[1]["args_truncated"] or len(cut) != 2 or cut[1] != "x" * len(cut[1]):
        errors.append("second exec: %s" % ex[1])
    # argv[0] NUL argv[1] ... exactly the 1 KiB the kernel side copies
    if len("\0".join(cut)) != 1024:
        errors.append("%d argument bytes kept, expected 1024" % len("\0".join(cut)))
    return errors


def execveat(json_path):
    ev = load_json(json_path)
    ex = [e for e in ev if e["type"] == "exec"]
    if len(ex) != 1:
        return ["%d exec events, expected 1" % len(ex)]
    errors = []
    # the kernel names a file reached through a directory fd /dev/fd/N/NAME
    if not ex[0]["filename"].endswith("/mtexecat"):
        errors.append("filename %r" % ex[0]["filename"])
    if ex[0]["args"] != ["mtexecat", "one", "two"]:
        errors.append("args %s" % ex[0]["args"])
    if [e["exit_code"] for e in ev if e["type"] == "exit"] != [0]:
        errors.append("exit events: %s" % [e for e in ev if e["type"] == "exit"])
    return errors


def losses(json_path, comm, expected):
    ev = load_json(json_path)
    shown = sum(1 for e in ev if e["type"] in ("exec", "exit") and e["comm"] == comm)
    summary = [e for e in ev if e["type"] == "summary"]
    if not summary:
        return ["no summary"]
    lost = summary[0]["lost"]
    errors = []
    if not lost:
        errors.append("nothing was lost: the test did not overflow the ring buffer")
    if shown + lost != int(expected):
        errors.append("%d shown + %d lost != %s" % (shown, lost, expected))
    if summary[0]["lost_ringbuf_full"] != lost:
        errors.append("losses not all counted as ring buffer full: %s" % summary[0])
    return errors


def count(json_path, kind, comm):
    return sum(1 for e in load_json(json_path)
               if e["type"] == kind and e.get("comm") == comm)


def main():
    if sys.argv[1] == "count":
        print(count(*sys.argv[2:5]))
        return 0
    return run({"lifecycle": lifecycle, "agree": agree, "descendants": descendants,
                "args": args, "execveat": execveat, "losses": losses}, sys.argv)


if __name__ == "__main__":
    sys.exit(main())
