#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads `go tool pprof -raw` output (stdin) and prints, for every function
found in a sample's innermost frame, the sum of each sample type:

  FUNCTION FILE:LINE TYPE=VALUE ... kind=KIND

one line per (function, line, kind), then the mappings' files and build
IDs as "mapping FILE BUILD_ID". What go tool pprof itself decoded, in a
form a test can grep."""
import re
import sys


def main():
    types, samples, locs, maps = [], [], {}, []
    section = None
    cur = None
    for line in sys.stdin:
        s = line.strip()
        if s in ("Samples:", "Locations", "Mappings"):
            section = s
            continue
        if section == "Samples:":
            if "/" in s and not types and ":" not in s.split()[0]:
                types = [t.split("/")[0] for t in s.split()]
                types = [t.replace("[dflt]", "") for t in types]
                continue
            m = re.match(r"^([\d\s]+):\s*([\d\s]*)$", s)
            if m:
                cur = {"v": [int(x) for x in m.group(1).split()],
                       "locs": [int(x) for x in m.group(2).split()], "kind": ""}
                samples.append(cur)
                continue
            m = re.match(r"^kind:\[(.*)\]$", s)
            if m and cur:
                cur["kind"] = m.group(1)
        elif section == "Locations":
            m = re.match(r"^(\d+): (0x[0-9a-f]+) M=(\d+) (\S+) (\S+)", s)
            if m:
                locs[int(m.group(1))] = (m.group(4), m.group(5))
        elif section == "Mappings" and s:
            maps.append(s)
    out = {}
    for smp in samples:
        fn = locs.get(smp["locs"][0], ("?", "?")) if smp["locs"] else ("?", "?")
        key = (fn[0], fn[1], smp["kind"])
        acc = out.setdefault(key, [0] * len(types))
        for i, v in enumerate(smp["v"]):
            acc[i] += v
    for (fn, where, kind), v in sorted(out.items()):
        vals = " ".join("%s=%d" % (t, x) for t, x in zip(types, v))
        print("%s %s %s kind=%s" % (fn, where, vals, kind))
    for m in maps:
        print("mapping " + m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
