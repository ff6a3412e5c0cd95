#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Asks a Prometheus server, through its HTTP query API, until an answer
holds: the value of an instant query compared with an expected one.

  promq.py URL QUERY [OP VALUE] [--timeout SECONDS]

OP is one of == >= <= > <. Without OP, waits for any value. Prints the
last value (or "none"); exits 0 when the condition held within the
timeout (default 60 s), 1 otherwise. The wait ends as soon as the value
is there: nothing depends on how fast the machine is, only on a bound."""
import json
import operator
import sys
import time
import urllib.parse
import urllib.request

OPS = {"==": operator.eq, ">=": operator.ge, "<=": operator.le,
       ">": operator.gt, "<": operator.lt}


def query(url, q):
    req = url.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = json.load(r)
    res = body["data"]["result"]
    if not res:
        return None
    if len(res) > 1:
        raise SystemExit("query %r gave %d series, not 1" % (q, len(res)))
    return float(res[0]["value"][1])


def main():
    args = sys.argv[1:]
    timeout = 60.0
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = float(args[i + 1])
        del args[i:i + 2]
    url, q = args[0], args[1]
    op, want = (OPS[args[2]], float(args[3])) if len(args) > 2 else (None, None)
    deadline = time.monotonic() + timeout
    v = None
    while True:
        try:
            v = query(url, q)
        except OSError:
            v = None
        if v is not None and (op is None or op(v, want)):
            print("%g" % v)
            return 0
        if time.monotonic() > deadline:
            print("none" if v is None else "%g" % v)
            return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
