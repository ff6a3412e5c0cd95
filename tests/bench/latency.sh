#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Time to a lone event's line, memtrace next to execsnoop and bpftrace
# (tests/bench/latency.py says how). The other end, every event at the
# machine's full rate with 0 lost, is the kmalloc and procs benchmarks'.
#
#   BENCH_LATENCY_EVENTS  events per tool (default 10)
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.bash
. tests/bench/lib.bash
bench_check || exit 1
BPFTRACE=${BPFTRACE:-$(command -v bpftrace)}
bench_need_peer BPFTRACE bpftrace bpftrace || exit 1
exec python3 tests/bench/latency.py "$MEMTRACE" "$BENCH_WL" "$EXECSNOOP" "$BPFTRACE" \
	"${BENCH_LATENCY_EVENTS:-10}"
