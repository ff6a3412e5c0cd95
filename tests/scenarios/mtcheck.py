# SPDX-License-Identifier: GPL-2.0
"""What the Python checks of every command share."""
import json
import math


def load_json(path):
    """memtrace --json output: one object per line (any bytes in strings)."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt_size(n):
    """The text output's human-readable size (src/util/fmt.c fmt_size)."""
    if n < 1024:
        return "%dB" % n
    v, u = float(n), -1
    while u < 5 and v >= 1024:
        v /= 1024
        u += 1
    shown = math.floor(v * 10 + 0.5) / 10 if v < 9.95 else math.floor(v + 0.5)
    if u < 5 and shown >= 1024:
        v /= 1024
        u += 1
        shown = math.floor(v * 10 + 0.5) / 10
    return ("%.1f" % shown if shown < 10 else "%.0f" % shown) + "KMGTPE"[u]


def run(checks, argv):
    """Runs checks[argv[1]](*argv[2:]); prints each mismatch; exit status."""
    errors = checks[argv[1]](*argv[2:])
    for e in errors:
        print("mismatch:", e)
    return 1 if errors else 0
