#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# malloc/free benchmark of `memtrace leak`: ns per malloc(64)+free pair of
# a loop (tests/workloads/leaker loop N, which times itself), in one run:
#   untraced
#   no-op probes at the symbols: uprobe + uretprobe on malloc, uprobe on
#       free, each at the function's address (what bcc memleak and
#       bpftrace pay); BPF programs that return 0 (tests/helpers/noprobe)
#   no-op probes where memtrace puts its own (the first instruction the
#       kernel emulates): the floor of memtrace's placement, a perf-event
#       link each (noop_sites) and through multi-uprobe links, as memtrace
#       attaches them on 6.6+ (noop_multi)
#   memtrace leak -- leaker loop N   (every allocator entry point traced)
#   heaptrack leaker loop N
#   valgrind --tool=memcheck leaker loop N
# Each round runs every configuration once; the medians are compared as
# ratios. Targets: memtrace's added cost at most 1/3 of the no-op probes'
# at the symbols; at most 500 ns above the floor of its own sites, linked
# as it links them ("memtrace - floor": what its BPF programs cost beyond
# the probes themselves).
#
# Then attach and exit: 'memtrace leak -- /bin/true', median wall time of
# BENCH_LEAK_ROUNDS runs, to "ready" (-v) and after it, with multi-uprobe
# links and with a link per probe (MEMTRACE_DISABLE=uprobe_multi, what
# kernels before 6.6 get). Target: under 0.3 s with the method this kernel
# gives.
#
#   BENCH_LEAK_METHODS  attach methods timed (default "default uprobe":
#                       this kernel's, and a link per probe)
#
#   BENCH_LEAK_COUNT   pairs per run (default 200000)
#   BENCH_LEAK_ROUNDS  rounds (default 3)
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.bash
. tests/bench/lib.bash

bench_count COUNT BENCH_LEAK_COUNT 200000
bench_count R BENCH_LEAK_ROUNDS 3
LEAKER=$BENCH_WL/leaker
NOPROBE=$BENCH_ROOT/.output/tests/helpers/noprobe
bench_need_root || exit 1
bench_need_built "$MEMTRACE" "$LEAKER" "$NOPROBE" || exit 1
for c in heaptrack valgrind; do
	command -v "$c" >/dev/null || bench_die "$c not found: install the Debian package $c"
done
TMP=$(mktemp -d) || exit 1
NP=
trap '[ -z "$NP" ] || kill "$NP" 2>/dev/null; rm -rf "$TMP"' EXIT

# Where memtrace puts its probes, from its -v lines, e.g.
# "memtrace leak: free: libc.so.6+0x98ef0: uprobe at +3: jcc, ..."
"$MEMTRACE" leak -v -i 0 -- "$LEAKER" loop 1 >/dev/null 2>"$TMP/sites" ||
	bench_die "memtrace leak failed: $(cat "$TMP/sites")"
site() {
	sed -n "s/^memtrace leak: $1: [^+]*+\(0x[0-9a-f]*\): [a-z ]* at +\([0-9]*\):.*/\1 \2/p" \
		"$TMP/sites"
}
read -r MALLOC MALLOC_AT <<<"$(site malloc)"
read -r FREE FREE_AT <<<"$(site free)"
[ -n "$MALLOC" ] && [ -n "$FREE" ] || bench_die "no probe sites in: $(cat "$TMP/sites")"
LIBC=$(awk '$NF ~ /\/libc\.so/ { print $NF; exit }' /proc/self/maps)
hex() { printf '0x%x' $(($1 + $2)); }
SYMBOLS="u:$LIBC:$MALLOC r:$LIBC:$MALLOC u:$LIBC:$FREE"
SITES="u:$LIBC:$(hex "$MALLOC" "$MALLOC_AT") r:$LIBC:$(hex "$MALLOC" "$MALLOC_AT") u:$LIBC:$(hex "$FREE" "$FREE_AT")"
MULTI="R:$LIBC:$(hex "$MALLOC" "$MALLOC_AT") U:$LIBC:$(hex "$MALLOC" "$MALLOC_AT"),$(hex "$FREE" "$FREE_AT")"
# The floor of the method memtrace takes here.
if grep -q "allocator functions via uprobe_multi" "$TMP/sites"; then
	FLOOR=noop_multi
else
	FLOOR=noop_sites
fi

# with_noprobe SPECS: runs the loop while noprobe holds SPECS.
with_noprobe() {
	local fifo=$TMP/np.fifo out
	rm -f "$fifo"
	mkfifo "$fifo"
	# shellcheck disable=SC2086
	"$NOPROBE" $1 <"$fifo" >"$TMP/np.out" 2>&1 &
	NP=$!
	exec {w}>"$fifo"
	bench_wait_for "$TMP/np.out" ready || bench_die "noprobe: $(cat "$TMP/np.out")"
	out=$("$LEAKER" loop "$COUNT")
	exec {w}>&-
	wait "$NP"
	NP=
	echo "$out"
}

ns() { sed -n 's/^ns_per_pair //p' | tail -1; }

declare -A runs
names=(untraced noop_symbols noop_sites noop_multi memtrace heaptrack valgrind)
for ((i = 1; i <= R; i++)); do
	runs[untraced]+=" $("$LEAKER" loop "$COUNT" | ns)"
	runs[noop_symbols]+=" $(with_noprobe "$SYMBOLS" | ns)"
	runs[noop_sites]+=" $(with_noprobe "$SITES" | ns)"
	[ "$FLOOR" = noop_sites ] || runs[noop_multi]+=" $(with_noprobe "$MULTI" | ns)"
	runs[memtrace]+=" $("$MEMTRACE" leak -i 0 -- "$LEAKER" loop "$COUNT" 2>"$TMP/mt.err" | ns)"
	runs[heaptrack]+=" $(cd "$TMP" && heaptrack -o "$TMP/ht" "$LEAKER" loop "$COUNT" 2>/dev/null | ns)"
	rm -f "$TMP"/ht*
	runs[valgrind]+=" $(valgrind -q --tool=memcheck "$LEAKER" loop "$COUNT" 2>/dev/null | ns)"
done

declare -A med
[ "$FLOOR" = noop_multi ] || names=(untraced noop_symbols noop_sites memtrace heaptrack valgrind)
for n in "${names[@]}"; do
	med[$n]=$(bench_median_list <<<"${runs[$n]}")
	[ -n "${med[$n]}" ] || bench_die "$n: no measurement (runs: '${runs[$n]}')"
done

echo "leak: malloc(64)+free loop, $COUNT pairs, median of $R rounds"
printf '  %-14s %10s %10s %12s\n' config ns/pair x_untraced added_ns
for n in "${names[@]}"; do
	awk -v n="$n" -v v="${med[$n]}" -v u="${med[untraced]}" \
		'BEGIN { printf "  %-14s %10.1f %9.1fx %12.1f\n", n, v, v / u, v - u }'
done
awk -v m="${med[memtrace]}" -v s="${med[noop_symbols]}" -v f="${med[$FLOOR]}" \
	-v u="${med[untraced]}" -v fl="$FLOOR" 'BEGIN {
	a = m - u; b = s - u
	printf "  memtrace added / no-op probes at the symbols added: %.3f (target <= 0.333)\n", a / b
	printf "  memtrace - floor (%s): %.0f ns per pair (target <= 500): its BPF programs\n", fl, m - f
	exit !(a / b <= 1 / 3)
}'

# Attach and exit. attach_exit [ENV]: "TOTAL_S READY_S" of one run.
attach_exit() {
	local t0 t1 ready
	rm -f "$TMP/ready"
	t0=$EPOCHREALTIME
	env "$@" "$MEMTRACE" leak -v -i 0 -- /bin/true 2> >(while IFS= read -r l; do
		[[ $l == *": ready" ]] && echo "$EPOCHREALTIME" >"$TMP/ready"; done) >/dev/null
	t1=$EPOCHREALTIME
	# The reader may still be writing it.
	for _ in $(seq 100); do [ -s "$TMP/ready" ] && break; sleep 0.01; done
	ready=$(cat "$TMP/ready" 2>/dev/null) || bench_die "memtrace leak -- /bin/true: no ready"
	awk -v a="$t0" -v b="$t1" -v r="$ready" 'BEGIN { printf "%.4f %.4f\n", b - a, r - a }'
}
echo "leak: memtrace leak -- /bin/true, median of $R runs (seconds)"
printf '  %-34s %8s %8s %8s\n' method total attach exit
for m in ${BENCH_LEAK_METHODS:-default uprobe}; do
	dis=
	[ "$m" = uprobe ] && dis=MEMTRACE_DISABLE=uprobe_multi
	tot= att=
	for ((i = 1; i <= R; i++)); do
		read -r t a <<<"$(attach_exit $dis)"
		tot+=" $t" att+=" $a"
	done
	awk -v m="$m" -v t="$(bench_median_list <<<"$tot")" -v a="$(bench_median_list <<<"$att")" \
		'BEGIN { printf "  %-34s %8.3f %8.3f %8.3f\n", m, t, a, t - a }'
done
