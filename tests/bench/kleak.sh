#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel-mode benchmark of `memtrace leak` (no -p, no command): ns per
# operation of syscall loops that make the kernel allocate and free
# (tests/workloads/kchurn: setxattr+removexattr of 3001 bytes on tmpfs;
# write+read of 4 KiB through a pipe), in one run:
#   untraced
#   memtrace kmalloc --top 10          (kmalloc counted in the kernel)
#   memtrace leak                      (every kmalloc, kmem_cache_alloc and
#                                       free tracked by address, with stacks)
#   memtrace leak --pages              (and every page)
# Each round runs every configuration once; medians compared as ratios.
#
#   BENCH_KLEAK_COUNT   operations per run (default 200000)
#   BENCH_KLEAK_ROUNDS  rounds (default 3)
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.bash
. tests/bench/lib.bash

bench_count COUNT BENCH_KLEAK_COUNT 200000
bench_count R BENCH_KLEAK_ROUNDS 3
CHURN=$BENCH_WL/kchurn
bench_need_root || exit 1
bench_need_built "$CHURN" "$MEMTRACE" || exit 1
TMP=$(mktemp -d) || exit 1
TR=
trap '[ -z "$TR" ] || kill "$TR" 2>/dev/null; umount "$TMP/tmpfs" 2>/dev/null; rm -rf "$TMP"' EXIT
mkdir "$TMP/tmpfs" && mount -t tmpfs -o size=16m none "$TMP/tmpfs" && touch "$TMP/tmpfs/f" ||
	bench_die "cannot mount a tmpfs"

# traced ARGS... -- WORKLOAD...: the workload's ns_per_op under memtrace ARGS.
traced() {
	local args=() out
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	"$MEMTRACE" "${args[@]}" -v >/dev/null 2>"$TMP/tr.err" &
	TR=$!
	bench_wait_for "$TMP/tr.err" ": ready$" || bench_die "memtrace ${args[*]}: $(cat "$TMP/tr.err")"
	out=$("$@")
	kill -INT "$TR"
	wait "$TR"
	TR=
	echo "$out"
}

ns() { sed -n 's/^ns_per_op //p' | tail -1; }

declare -A runs
names=(untraced kmalloc_top leak leak_pages)
for w in xattr pipe; do
	if [ "$w" = xattr ]; then wl=("$CHURN" xattr "$TMP/tmpfs/f" "$COUNT"); else wl=("$CHURN" pipe "$COUNT"); fi
	for ((i = 1; i <= R; i++)); do
		runs[$w.untraced]+=" $("${wl[@]}" | ns)"
		runs[$w.kmalloc_top]+=" $(traced kmalloc --top 10 -- "${wl[@]}" | ns)"
		runs[$w.leak]+=" $(traced leak -i 0 -- "${wl[@]}" | ns)"
		runs[$w.leak_pages]+=" $(traced leak -i 0 --pages -- "${wl[@]}" | ns)"
	done
	echo "kleak: $w loop, $COUNT operations, median of $R rounds"
	printf '  %-14s %10s %10s\n' config ns/op x_untraced
	u=$(bench_median_list <<<"${runs[$w.untraced]}")
	for n in "${names[@]}"; do
		m=$(bench_median_list <<<"${runs[$w.$n]}")
		[ -n "$m" ] || bench_die "$w $n: no measurement"
		awk -v n="$n" -v v="$m" -v u="$u" 'BEGIN { printf "  %-14s %10.1f %9.2fx\n", n, v, v / u }'
	done
done
