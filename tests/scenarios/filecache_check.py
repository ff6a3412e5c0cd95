#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks memtrace filecache output against mincore(2) and cachestat(2).

  filecache_check.py files DIR | tree DIR | touch DIR | errors DIR | overlay DIR
                     | symlinks DIR | libs DIR

DIR is the scenario's directory (tests/scenarios/filecache.sh). Exits 1 and
prints every mismatch when a check fails; exits 3 (MOVED) instead when the
kernel's own count moved while memtrace looked, as the page cache may at
any time on a busy machine: that run cannot be judged, and the tests run
the scenario again.
"""
import os
import re
import sys

from mtcheck import fmt_size, load_json, run


def truth(path):
    """tests/workloads/pages count: {file: {size, pages, mincore, cachestat}}."""
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"(.*) size=(\d+) pages=(\d+) mincore=(\d+) cachestat=(\d+|none)$",
                         line.rstrip("\n"))
            if m:
                out[m.group(1)] = {"size": int(m.group(2)), "pages": int(m.group(3)),
                                   "mincore": int(m.group(4)),
                                   "cachestat": None if m.group(5) == "none"
                                   else int(m.group(5))}
    return out


MOVED = 3
unjudged = []


def stable(d, name="before", later="after"):
    """The ground truth, which must not have moved while memtrace looked."""
    a, b = truth(os.path.join(d, name)), truth(os.path.join(d, later))
    moved = ["page cache changed while memtrace looked: %s: %s -> %s"
             % (p, a[p], b.get(p)) for p in a if a[p] != b.get(p)]
    unjudged.extend(moved)
    return a, moved


def agrees(row, t, path):
    """A row of memtrace against the kernel's counts for path."""
    errors = []
    if row["cached_pages"] != t["mincore"]:
        errors.append("%s: %d pages cached, mincore says %d" % (path, row["cached_pages"], t["mincore"]))
    if t["cachestat"] is not None and row["cached_pages"] != t["cachestat"]:
        errors.append("%s: %d pages cached, cachestat says %d" % (path, row["cached_pages"], t["cachestat"]))
    if row["pages"] != t["pages"] or row["size"] != t["size"]:
        errors.append("%s: %d pages of %d bytes, expected %d of %d"
                      % (path, row["pages"], row["size"], t["pages"], t["size"]))
    return errors


def status(d, name, want):
    got = open(os.path.join(d, name + ".status")).read().strip()
    return [] if got == str(want) else ["%s: memtrace exited %s, expected %s" % (name, got, want)]


def summary_of(rows):
    s = [r for r in rows if r["type"] == "summary"]
    return s[-1] if s else None


def files(d):
    t, errors = stable(d)
    errors += status(d, "out", 0)
    rows = {r["path"]: r for r in load_json(os.path.join(d, "out")) if r["type"] == "file"}
    for path, want in t.items():
        if path not in rows:
            errors.append("%s: no row" % path)
            continue
        errors += agrees(rows[path], want, path)
    full = [p for p in t if p.endswith("/full")]
    if full and rows.get(full[0], {}).get("percent") != 100.0:
        errors.append("the tmpfs file is not 100%% cached: %s" % rows.get(full[0]))
    empty = [p for p in t if p.endswith("/empty")]
    if empty and rows.get(empty[0], {}).get("percent", 0) is not None:
        errors.append("the empty file's percent should be null: %s" % rows.get(empty[0]))
    sparse = [p for p in t if p.endswith("/sparse")]
    if sparse and not (0 < t[sparse[0]]["mincore"] < 100 and t[sparse[0]]["size"] == 4 << 30):
        errors.append("the sparse file is not what the scenario made: %s" % t[sparse[0]])
    s = summary_of(load_json(os.path.join(d, "out")))
    if not s or s["files"] != len(t) or s["cached_pages"] != sum(v["mincore"] for v in t.values()):
        errors.append("summary %s" % s)
    return errors


def tree(d):
    t, errors = stable(d)
    root = open(os.path.join(d, "root")).read().strip()
    for name in ("total", "rows", "text"):
        errors += status(d, name, 0)
    want_cached = sum(v["mincore"] for v in t.values())
    want_pages = sum(v["pages"] for v in t.values())
    if len(t) != 1000:
        errors.append("ground truth: %d files, expected 1000" % len(t))

    total = load_json(os.path.join(d, "total"))
    dirs = [r for r in total if r["type"] == "directory"]
    if len(dirs) != 1 or dirs[0]["path"] != root:
        errors.append("-r: directory rows %s" % dirs)
    elif dirs[0]["cached_pages"] != want_cached or dirs[0]["pages"] != want_pages:
        errors.append("-r: %d/%d pages, mincore says %d/%d"
                      % (dirs[0]["cached_pages"], dirs[0]["pages"], want_cached, want_pages))
    s = summary_of(total)
    # 1000 files (the hard link counted once, the symbolic link not
    # followed), 11 directories with the top one.
    if not s or (s["files"], s["directories"], s["cached_pages"]) != (1000, 11, want_cached):
        errors.append("-r summary %s, expected 1000 files, 11 directories, %d pages"
                      % (s, want_cached))

    rows = [r for r in load_json(os.path.join(d, "rows")) if r["type"] == "file"]
    if len(rows) != 1000:
        errors.append("-r -v: %d file rows, expected 1000" % len(rows))
    for r in rows:
        # The hard link's row may carry either of its two names.
        path = r["path"].replace("/d01/hardlink", "/d00/f000")
        if path not in t:
            errors.append("-r -v: a row for %s" % r["path"])
            continue
        errors += agrees(r, t[path], r["path"])
        if len(errors) > 10:
            break

    lines = open(os.path.join(d, "text")).read().splitlines()
    want = "Files: 1000  Directories: 11  Resident Pages: %d/%d  %s/%s  %.1f%%" % (
        want_cached, want_pages, fmt_size(want_cached * 4096),
        fmt_size(sum(v["size"] for v in t.values())), 100.0 * want_cached / want_pages)
    if not lines or lines[-1] != want:
        errors.append("text summary %r, expected %r" % (lines[-1:], want))
    return errors


def touch(d):
    errors = []
    for step in ("evict1", "touch", "evict2"):
        errors += status(d, step, 0)
        rows = [r for r in load_json(os.path.join(d, step)) if r["type"] == "file"]
        t = list(truth(os.path.join(d, step + ".truth")).values())
        if len(rows) != 1 or len(t) != 1:
            errors.append("%s: rows %s truth %s" % (step, rows, t))
            continue
        r, t = rows[0], t[0]
        errors += agrees(r, t, step)
        if step == "touch" and (r["cached_pages"] != r["pages"] or r["percent"] != 100.0):
            errors.append("--touch: %s, expected 100%%" % r)
        if step.startswith("evict") and r["cached_pages"] > r["pages"] // 100:
            errors.append("--evict: %s, expected near 0%%" % r)
        if step == "evict2" and r["cached_pages_before"] != r["pages"]:
            errors.append("--evict after --touch: before %s, expected %d"
                          % (r["cached_pages_before"], r["pages"]))
    return errors


def errors_(d):
    base = open(os.path.join(d, "dir")).read().strip()
    errors = status(d, "out", 1)
    err = open(os.path.join(d, "out.err")).read()
    for want in ("memtrace filecache: %s/missing: No such file or directory" % base,
                 "memtrace filecache: %s/fifo: a FIFO, not a regular file or directory" % base,
                 "memtrace filecache: /dev/null: a character device, not a regular file or directory",
                 "memtrace filecache: %s/f: already counted (the same file as an earlier path)" % base):
        if want not in err.splitlines():
            errors.append("stderr lacks %r: %r" % (want, err))
    out = open(os.path.join(d, "out")).read().splitlines()
    rows = [line for line in out if line.endswith(" %s/f" % base)]
    if len(rows) != 1 or not out[-1].startswith("Files: 1  "):
        errors.append("output %r" % out)
    return errors


def overlay(d):
    t, errors = stable(d)
    errors += status(d, "out", 0)
    rows = [r for r in load_json(os.path.join(d, "out")) if r["type"] == "file"]
    real = sorted(t)          # lower/f, upper/g
    if len(rows) != 2:
        return errors + ["rows %s" % rows]
    for r in rows:
        path = [p for p in real if os.path.basename(p) == os.path.basename(r["path"])]
        if len(path) != 1:
            errors.append("row %s" % r)
            continue
        errors += agrees(r, t[path[0]], r["path"])
        if r["cached_pages"] == 0:
            errors.append("%s: 0 pages: the overlay inode's, not the real file's" % r["path"])
    return errors


def symlinks(d):
    """Links named on the command line count as their target; walks follow
    links only with -L."""
    t, errors = stable(d)
    base = open(os.path.join(d, "dir")).read().strip()
    f, g = t[base + "/real/f"], t[base + "/other/g"]
    if not 0 < f["mincore"] < f["pages"]:
        errors.append("the file is not partly cached as the scenario made it: %s" % f)
    # --detail needs cachestat(2), 6.5+: before, the documented error.
    names = ["rel", "abs", "chain", "detail"]
    if f["cachestat"] is None:
        names.remove("detail")
        errors += status(d, "detail", 1)
        err = open(os.path.join(d, "detail.err")).read()
        if "--detail needs cachestat(2), Linux 6.5 or later" not in err:
            errors.append("--detail without cachestat: %r" % err)
    for name in names:
        errors += status(d, name, 0)
        rows = [r for r in load_json(os.path.join(d, name)) if r["type"] == "file"]
        if len(rows) != 1:
            errors.append("%s: rows %s" % (name, rows))
            continue
        want = base + "/" + ("chain" if name == "detail" else name)
        if rows[0]["path"] != want:
            errors.append("%s: the row names %s, not the path given" % (name, rows[0]["path"]))
        errors += agrees(rows[0], f, want)
    detail = [r for r in load_json(os.path.join(d, "detail")) if r["type"] == "file"] \
        if "detail" in names else []
    if detail and "dirty_pages" not in detail[0]:
        errors.append("--detail on a link: no cachestat counts in %s" % detail[0])
    # dirlink: followed as a named path; real/out -> ../other/g only with -L.
    for name, want in (("walk", [f]), ("walkL", [f, g])):
        errors += status(d, name, 0)
        rows = load_json(os.path.join(d, name))
        s = summary_of(rows)
        cached = sum(v["mincore"] for v in want)
        if not s or (s["files"], s["cached_pages"]) != (len(want), cached):
            errors.append("%s: summary %s, expected %d files, %d pages"
                          % (name, s, len(want), cached))
        dirs = [r for r in rows if r["type"] == "directory"]
        if [r["path"] for r in dirs] != [base + "/dirlink"]:
            errors.append("%s: directory rows %s" % (name, dirs))
    for name, after in (("evict", "evict.truth"), ("touch", "touch.truth")):
        errors += status(d, name, 0)
        rows = [r for r in load_json(os.path.join(d, name)) if r["type"] == "file"]
        now = list(truth(os.path.join(d, after)).values())
        if len(rows) != 1 or len(now) != 1:
            errors.append("--%s on a link: rows %s" % (name, rows))
            continue
        errors += agrees(rows[0], now[0], "--%s" % name)
        if name == "evict" and rows[0]["cached_pages_before"] != f["mincore"]:
            errors.append("--evict on a link: before %s, mincore said %d"
                          % (rows[0]["cached_pages_before"], f["mincore"]))
        if name == "touch" and rows[0]["cached_pages"] != f["pages"]:
            errors.append("--touch on a link: %s, expected all %d pages"
                          % (rows[0], f["pages"]))
    return errors


def fincore(path):
    """fincore --raw --noheadings -o PAGES,FILE: {file: resident pages}."""
    with open(path) as f:
        return {line.split(" ", 1)[1].rstrip("\n"): int(line.split(" ", 1)[0])
                for line in f if line.strip()}


def libs(d):
    """Links of a system directory (DIR/pairs: "LINK TARGET" lines) against
    their targets, in two runs of memtrace between two of fincore: a file
    whose count fincore saw move is not compared."""
    pairs = [line.split() for line in open(os.path.join(d, "pairs"))]
    before, after = fincore(os.path.join(d, "before")), fincore(os.path.join(d, "after"))
    errors = status(d, "links", 0) + status(d, "targets", 0)
    links = {r["path"]: r["cached_pages"] for r in load_json(os.path.join(d, "links"))
             if r["type"] == "file"}
    targets = {r["path"]: r["cached_pages"] for r in load_json(os.path.join(d, "targets"))
               if r["type"] == "file"}
    compared = cached = 0
    for link, target in pairs:
        if before.get(target) is None or before.get(target) != after.get(target):
            continue
        compared += 1
        cached += before[target] > 0
        if (links.get(link), targets.get(target)) != (before[target], before[target]):
            errors.append("%s: %s pages cached, its target %s: %s, fincore: %d"
                          % (link, links.get(link), target, targets.get(target),
                             before[target]))
    if not cached:
        unjudged.append("of %d links, %d compared, none with cached pages"
                        % (len(pairs), compared))
    return errors + unjudged


if __name__ == "__main__":
    status = run({"files": files, "tree": tree, "touch": touch, "errors": errors_,
                  "overlay": overlay, "symlinks": symlinks,
                  "libs": libs}, sys.argv)
    sys.exit(MOVED if status and unjudged else status)
