#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks memtrace filecache --watch against mincore(2) and cachestat(2).

  fcwatch_check.py read DIR | write DIR | delete DIR | names DIR | filters DIR
                   | agree DIR

DIR is the scenario's directory (tests/scenarios/filecache.sh). Exits 1 and
prints every mismatch when a check fails; exits 3 (MOVED) when the page
cache moved by itself during the run (reclaim took pages before the ground
truth was counted): that run cannot be judged, and the tests run the
scenario again.
"""
import glob
import os
import sys

from filecache_check import truth
from mtcheck import load_json, run

MOVED = 3
unjudged = []


def final(path):
    """The report of the whole run (span "total"), the last line."""
    reports = [r for r in load_json(path) if r.get("type") == "report"]
    if not reports or reports[-1]["span"] != "total":
        return None
    return reports[-1]


def rows(report):
    return {r["path"]: r for r in report["files"] if r["path"]} if report else {}


def status(d, want=0):
    got = open(os.path.join(d, "status")).read().strip()
    return [] if got == str(want) else ["memtrace exited %s, expected %d" % (got, want)]


def comm_of(d):
    """The command names the scenario gave its programs."""
    return [os.path.basename(p)[len("comm."):] for p in glob.glob(os.path.join(d, "comm.*"))]


def cached(t):
    """The kernel's count of a file's cached pages, both ways, which must agree."""
    if t["cachestat"] is not None and t["cachestat"] != t["mincore"]:
        unjudged.append("mincore %d and cachestat %d differ" % (t["mincore"], t["cachestat"]))
    return t["mincore"]


def no_losses(report, name="report"):
    s = report["summary"] if report else {}
    return [] if s.get("lost") == 0 else ["%s: events lost: %s" % (name, s)]


def tasks_are(row, comm, pages):
    want = [{"comm": comm, "pages": pages}]
    got = [{"comm": t["comm"], "pages": t["pages"]} for t in row["tasks"]]
    return [] if got == want else ["%s: processes %s, expected %s" % (row["path"], got, want)]


def the_file(d, *counts):
    """The scenario's file, its row in the final report (or None), the
    errors found so far, and the kernel's counts of the file in each of
    the files named counts."""
    f = open(os.path.join(d, "file")).read().strip()
    rep = final(os.path.join(d, "out"))
    errors = status(d) + no_losses(rep)
    row = rows(rep).get(f)
    if not row:
        errors.append("no row for %s in %s" % (f, rep))
    return [f, row, errors] + [truth(os.path.join(d, n))[f] for n in counts]


def read(d):
    f, row, errors, ev, rd, dr = the_file(d, "evicted", "read", "dropped")
    comm = comm_of(d)[0]
    if cached(ev) != 0:
        return errors + ["the file was not evicted first: %s" % ev]
    if not row:
        return errors
    n_read, n_left = cached(rd), cached(dr)
    # Reclaim took some of the pages read before they were counted.
    if row["added_pages"] > n_read and \
            row["added_pages"] - row["removed_pages"] == n_left:
        unjudged.append("pages reclaimed before they were counted: %s" % row)
        return errors + ["%d pages added, %d counted after the read"
                         % (row["added_pages"], n_read)]
    if n_read == 0:
        errors.append("the reader left nothing cached: %s" % rd)
    if row["added_pages"] != n_read:
        errors.append("%d pages added, the kernel has %d cached after the read"
                      % (row["added_pages"], n_read))
    if row["removed_pages"] != n_read - n_left:
        errors.append("%d pages removed, the eviction took %d"
                      % (row["removed_pages"], n_read - n_left))
    if row["cached_pages"] != n_left:
        errors.append("%d cached at the end, the kernel says %d" % (row["cached_pages"], n_left))
    if row["path_kind"] != "mount" or row["deleted"]:
        errors.append("the row's name: %s" % row)
    return errors + tasks_are(row, comm, n_read)


def write(d):
    f, row, errors, after = the_file(d, "after")
    if not row:
        return errors
    k = after["pages"]
    if row["removed_pages"] and row["added_pages"] - row["removed_pages"] == cached(after):
        unjudged.append("pages of the new file reclaimed during the run: %s" % row)
    if row["added_pages"] != k:
        errors.append("%d pages added by writing %d" % (row["added_pages"], k))
    if row["cached_pages"] != cached(after):
        errors.append("%d cached, the kernel says %d" % (row["cached_pages"], cached(after)))
    return errors + tasks_are(row, comm_of(d)[0], k)


def delete(d):
    f, row, errors, before = the_file(d, "before")
    if not row:
        return errors
    k = before["pages"]
    # Every page added went when the file did, whenever each went.
    if (row["added_pages"], row["removed_pages"], row["cached_pages"]) != (k, k, 0):
        errors.append("added, removed, cached %s, expected %d, %d, 0 (%d cached before rm)"
                      % ((row["added_pages"], row["removed_pages"], row["cached_pages"]),
                         k, k, cached(before)))
    if not row["deleted"]:
        errors.append("not shown as deleted: %s" % row)
    text = open(os.path.join(d, "text")).read().splitlines()
    total = text[max(i for i, line in enumerate(text) if "since the start" in line):] \
        if any("since the start" in line for line in text) else []
    want = [line for line in total if line.endswith(" (deleted) " + f)]
    if len(want) != 1 or want[0].split()[:3] != [str(k), str(k), "0"]:
        errors.append("text: no row '%d %d 0 ... (deleted) %s' in %s" % (k, k, f, total))
    return errors


def names(d):
    tmpfs_f, img_f, lower_f, upper_g = open(os.path.join(d, "files")).read().split()
    t_before = truth(os.path.join(d, "tmpfs.before"))[tmpfs_f]
    after = truth(os.path.join(d, "after"))
    rep = final(os.path.join(d, "out"))
    errors = status(d) + no_losses(rep)
    r = rows(rep)
    want = {
        # tmpfs: no additions seen; the truncation's removals are.
        tmpfs_f: (0, cached(t_before), 0),
        img_f: (after[img_f]["pages"], 0, cached(after[img_f])),
        lower_f: (cached(after[lower_f]), 0, cached(after[lower_f])),
        upper_g: (after[upper_g]["pages"], 0, cached(after[upper_g])),
    }
    for path, (added, removed, now) in want.items():
        row = r.get(path)
        if not row:
            errors.append("no row named %s (rows: %s)" % (path, sorted(r)))
            continue
        got = (row["added_pages"], row["removed_pages"], row["cached_pages"])
        if got != (added, removed, now) or row["path_kind"] != "mount":
            errors.append("%s: added, removed, cached %s, expected %s (%s)"
                          % (path, got, (added, removed, now), row["path_kind"]))
    if any("/merged/" in p for p in r):
        errors.append("a row names the overlay, not the real file: %s" % sorted(r))
    return errors


def filters(d):
    base = open(os.path.join(d, "dir")).read().strip()
    after = truth(os.path.join(d, "after"))
    pid = int(open(os.path.join(d, "pid")).read())
    cgpid = int(open(os.path.join(d, "cgpid")).read())
    comm_a = [c for c in comm_of(d) if c.startswith("mtA")][0]
    errors = []
    # (output, file it must show, files it must not, what each process
    # row must be)
    cases = (("comm", "fa", ("fb", "fc", "fd"), lambda t: t["comm"] == comm_a),
             ("bypid", "fc", ("fa", "fb", "fd"), lambda t: t["pid"] == pid),
             ("cgroup", "fd", ("fa", "fb", "fc"), lambda t: t["pid"] == cgpid),
             ("path", "fa", ("fb", "fc", "fd"), lambda t: True))
    for out, want, others, task_ok in cases:
        rep = final(os.path.join(d, out))
        errors += no_losses(rep, out)
        r = rows(rep)
        f = base + "/" + want
        row = r.get(f)
        if not row or row["added_pages"] != cached(after[f]) or not row["tasks"]:
            errors.append("%s: the row of %s: %s, the kernel has %d cached"
                          % (out, f, row, cached(after[f])))
        for o in others:
            if base + "/" + o in r:
                errors.append("%s: a row for %s, which it must leave out" % (out, o))
        bad = [(p, t) for p, row in r.items() for t in row["tasks"] if not task_ok(t)]
        if bad:
            errors.append("%s: pages of other processes: %s" % (out, bad[:5]))
        if out == "path" and len(r) != 1:
            errors.append("path: rows of other files: %s" % sorted(r))
    return errors


def agree(d):
    errors = []
    got = {}
    for name in ("btf", "tp"):
        rep = final(os.path.join(d, name))
        errors += no_losses(rep, name)
        # cached_pages and size are read at each tracer's own final
        # snapshot: for a deleted file, whose inode the kernel may free in
        # between (ext4 then sets its size to 0), they are not the same
        # moment's. The counts, from the events, must be identical.
        got[name] = {p: (r["added_pages"], r["removed_pages"], r["deleted"],
                         None if r["deleted"] else (r["cached_pages"], r["size"]),
                         [(t["pid"], t["comm"], t["pages"]) for t in r["tasks"]])
                     for p, r in rows(rep).items()}
    if not got["btf"]:
        errors.append("no rows")
    if got["btf"] != got["tp"]:
        for p in sorted(set(got["btf"]) | set(got["tp"])):
            if got["btf"].get(p) != got["tp"].get(p):
                errors.append("%s: tp_btf %s, tracepoint %s" % (p, got["btf"].get(p),
                                                                got["tp"].get(p)))
    return errors


if __name__ == "__main__":
    s = run({"read": read, "write": write, "delete": delete, "names": names,
             "filters": filters, "agree": agree}, sys.argv)
    for u in unjudged:
        print("unjudged:", u)
    sys.exit(MOVED if s and unjudged else s)
