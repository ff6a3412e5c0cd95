#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks memtrace leak reports against what the workload is known to do.

  leak_check.py stack REPORT.json SOURCE FUNC MARKER BYTES ALLOCS
      the final report has a stack whose first frame is FUNC at the line of
      the "LEAK:MARKER" comment in SOURCE, with BYTES in ALLOCS allocations
      (MARKER "-": any line); and no stack was lost
  leak_check.py explained REPORT.json
      every row without frames says why its stack was not kept, and the
      allocations in such rows are at most what the loss counters counted
  leak_check.py paths REPORT.json NMID NLEAF
      tests/workloads/paths: every mid_J -> leaf_I path is a stack of its
      own, first frames leaf_I then mid_J, with exactly the one block of
      1000 + 100 * J + I bytes it made; nothing lost
  leak_check.py total REPORT.json BYTES [FUNC]
      outstanding bytes in the final report (only stacks through FUNC)
  leak_check.py agree TEXT JSON FOLDED
      the three formats give every stack the same bytes
  leak_check.py kstacks REPORT.json SUBSTR ge|lt N
      allocations of the stacks with a frame whose function contains SUBSTR
  leak_check.py same REPORT1.json REPORT2.json SUBSTR N
      the stacks through SUBSTR are the same in both, with >= N allocations
  leak_check.py cache REPORT.json NAME ge|lt N
      objects of --by-cache rows named NAME (NAME* : a prefix)
"""
import json
import re
import sys


def fail(msg):
    print("leak_check: " + msg, file=sys.stderr)
    sys.exit(1)


def final_report(path):
    reports = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            obj = json.loads(line)
            if obj.get("type") == "report":
                reports.append(obj)
    if not reports:
        fail("no report in " + path)
    return reports[-1]


def marker_line(source, marker):
    with open(source, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if re.search(r"LEAK:%s\b" % re.escape(marker), line):
                return n
    fail("no marker LEAK:%s in %s" % (marker, source))


def describe(stack):
    frames = ", ".join("%s:%s" % (f.get("function", hex(f["addr"])), f.get("line", "?"))
                       for f in stack["frames"][:3])
    return "%d bytes/%d allocs [%s]" % (stack["bytes"], stack["allocs"], frames)


def lost_allocs(rep):
    """Allocations counted in rows whose stack was not kept."""
    return sum(s["allocs"] for s in rep["stacks"] if not s["frames"])


def stacks_lost(rep):
    lost = rep["lost"]
    return lost["stack_full"] + lost["stack_missing"] + lost["stack_collision"]


def cmd_stack(report, source, func, marker, want_bytes, want_allocs):
    rep = final_report(report)
    want_bytes, want_allocs = int(want_bytes), int(want_allocs)
    line = None if marker == "-" else marker_line(source, marker)
    got_bytes = got_allocs = 0
    found = None
    for s in rep["stacks"]:
        if not s["frames"]:
            continue
        top = s["frames"][0]
        if top.get("function") != func:
            continue
        if line is not None and top.get("line") != line:
            continue
        if line is not None and not top.get("file"):
            fail("%s: no source file in %s" % (func, top))
        found = s
        got_bytes, got_allocs = s["bytes"], s["allocs"]
        break
    if stacks_lost(rep):
        fail("stacks lost: %s" % rep["lost"])
    if (got_bytes, got_allocs) == (want_bytes, want_allocs):
        return
    if found:
        fail("%s (line %s): want %s bytes in %s allocations, got %s"
             % (func, line, want_bytes, want_allocs, describe(found)))
    fail("no stack from %s at line %s; stacks: %s"
         % (func, line, "; ".join(describe(s) for s in rep["stacks"])))


def cmd_explained(report):
    rep = final_report(report)
    for s in rep["stacks"]:
        if not s["frames"] and not s.get("stack", "").startswith("not kept ("):
            fail("a row without frames and without a reason: %s" % s)
    if lost_allocs(rep) > stacks_lost(rep):
        fail("%d allocations under stacks not kept, %d counted as lost"
             % (lost_allocs(rep), stacks_lost(rep)))


def cmd_paths(report, nmid, nleaf):
    rep = final_report(report)
    nmid, nleaf = int(nmid), int(nleaf)
    if stacks_lost(rep):
        fail("stacks lost: %s" % rep["lost"])
    seen = {}
    for s in rep["stacks"]:
        names = [f.get("function", "") for f in s["frames"][:2]]
        if not names or not names[0].startswith("leaf_"):
            continue
        if len(names) < 2 or not names[1].startswith("mid_"):
            fail("a leaf's stack without its mid: %s" % describe(s))
        i, j = int(names[0][5:]), int(names[1][4:])
        if (j, i) in seen:
            fail("mid_%d -> leaf_%d is two stacks" % (j, i))
        seen[(j, i)] = True
        if (s["bytes"], s["allocs"]) != (1000 + 100 * j + i, 1):
            fail("mid_%d -> leaf_%d: %s" % (j, i, describe(s)))
    if len(seen) != nmid * nleaf:
        fail("%d of %d paths found as stacks" % (len(seen), nmid * nleaf))


def cmd_total(report, want_bytes, func=None):
    rep = final_report(report)
    if func is None:
        got = rep["outstanding_bytes"]
    else:
        got = sum(s["bytes"] for s in rep["stacks"]
                  if any(f.get("function") == func for f in s["frames"]))
    if got != int(want_bytes):
        fail("want %s bytes outstanding%s, got %d; stacks: %s"
             % (want_bytes, " through " + func if func else "", got,
                "; ".join(describe(s) for s in rep["stacks"])))


def first_func(frame_text):
    m = re.match(r"\s*([^\s(+\[]+)", frame_text)
    return m.group(1) if m else frame_text


def cmd_agree(text, js, folded):
    # text: "\tB bytes in K allocations from stack" then "\t\tframe" lines
    from_text = {}
    cur = None
    with open(text, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            m = re.match(r"^\t(\d+) bytes in (\d+) allocations from stack", line)
            if m:
                cur = int(m.group(1))
                continue
            if cur is not None and line.startswith("\t\t"):
                from_text.setdefault(first_func(line[2:]), []).append(cur)
                cur = None
    rep = final_report(js)
    from_json = {}
    for s in rep["stacks"]:
        name = s["frames"][0].get("function", "?") if s["frames"] else "?"
        from_json.setdefault(name, []).append(s["bytes"])
    from_folded = {}
    with open(folded, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            leaf = stack.split(";")[-1]
            from_folded.setdefault(leaf, []).append(int(count))
    for d in (from_text, from_json, from_folded):
        for k in d:
            d[k] = sorted(d[k])
    # Text and JSON show the top N, folded every stack: compare on JSON's.
    for name, sizes in from_json.items():
        if from_text.get(name) != sizes:
            fail("%s: json %s, text %s" % (name, sizes, from_text.get(name)))
        if from_folded.get(name) != sizes:
            fail("%s: json %s, folded %s" % (name, sizes, from_folded.get(name)))
    if not from_json:
        fail("no stacks to compare")


def compare(what, got, op, want):
    if op not in ("ge", "lt"):
        fail("unknown comparison " + op)
    ok = got >= int(want) if op == "ge" else got < int(want)
    if not ok:
        fail("%s: %d, want %s %s" % (what, got, {"ge": ">=", "lt": "<"}[op], want))


def cmd_kstacks(report, substr, op, want):
    rep = final_report(report)
    got = sum(s["allocs"] for s in rep["stacks"]
              if any(substr in f.get("function", "") for f in s["frames"]))
    compare("allocations through %s (stacks: %s)" % (
        substr, "; ".join(describe(s) for s in rep["stacks"][:5])), got, op, want)


def cmd_cache(report, name, op, want):
    rep = final_report(report)
    match = (lambda c: c.startswith(name[:-1])) if name.endswith("*") else \
        (lambda c: c == name)
    got = sum(c["objects"] for c in rep.get("caches", []) if match(c["cache"]))
    compare("objects in cache %s (caches: %s)" % (
        name, rep.get("caches", [])[:6]), got, op, want)


def cmd_same(report1, report2, substr, at_least):
    got = []
    for r in (report1, report2):
        rep = final_report(r)
        got.append(sorted((s["bytes"], s["allocs"]) for s in rep["stacks"]
                          if any(substr in f.get("function", "") for f in s["frames"])))
    if got[0] != got[1]:
        fail("stacks through %s differ: %s vs %s" % (substr, got[0], got[1]))
    total = sum(a for _, a in got[0])
    if total < int(at_least):
        fail("only %d allocations through %s, want >= %s" % (total, substr, at_least))


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "stack" and len(args) == 6:
        cmd_stack(*args)
    elif cmd == "explained" and len(args) == 1:
        cmd_explained(*args)
    elif cmd == "paths" and len(args) == 3:
        cmd_paths(*args)
    elif cmd == "total" and len(args) in (2, 3):
        cmd_total(*args)
    elif cmd == "agree" and len(args) == 3:
        cmd_agree(*args)
    elif cmd == "kstacks" and len(args) == 4:
        cmd_kstacks(*args)
    elif cmd == "same" and len(args) == 4:
        cmd_same(*args)
    elif cmd == "cache" and len(args) == 4:
        cmd_cache(*args)
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv)
