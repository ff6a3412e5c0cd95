#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# memtrace serve: how long a scrape takes with every collector loaded on a
# busy machine, and what serve costs, next to `memtrace kmalloc --top`
# alone (serve should cost no more than the collectors it runs).
#
#   scrape latency  median and p99 of BENCH_SERVE_SCRAPES scrapes of
#                   /metrics, one keep-alive connection as Prometheus
#                   keeps, while a setxattr loop, a leaking process traced
#                   with --leak and a churn of short processes run
#   CPU per second  memtrace's own (user + system time of its process)
#                   at idle, and under the kmalloc benchmark's load (the
#                   setxattr loop), scraped once a second; for
#                   kmalloc --top, its report once a second (-i 1)
#   added ns        what each costs the workload: its BPF programs run in
#                   the workload's context, not memtrace's, so the
#                   setxattr loop's ns per call is the other half
#
#   BENCH_SERVE_SCRAPES   scrapes for the latency (default 300)
#   BENCH_SERVE_SECONDS   seconds per CPU measurement (default 10)
#   BENCH_KMALLOC_COUNT   setxattr calls per workload run (default 300000)
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.bash
. tests/bench/lib.bash

SCRAPES=${BENCH_SERVE_SCRAPES:-300}
SECS=${BENCH_SERVE_SECONDS:-10}
COUNT=${BENCH_KMALLOC_COUNT:-300000}
PROBE="python3 tests/bench/serve_probe.py"
bench_need_root || exit 1
bench_need_built "$MEMTRACE" "$BENCH_WL/xattr" "$BENCH_WL/leaker" "$BENCH_WL/comms" || exit 1

bench_setup
OUT=$TMP
LOOPS=()
# kill_loop PID: a background loop and the workload it runs now (killed
# alone, the loop would leave its child running, holding the tmpfs).
kill_loop() {
	local kids
	kids=$(pgrep -P "$1")
	kill -TERM "$1" 2>/dev/null
	[ -z "$kids" ] || kill -TERM $kids 2>/dev/null
	wait "$1" 2>/dev/null
}
bench_cleanup_hook() {
	for p in "${LOOPS[@]}"; do kill_loop "$p"; done
	wait 2>/dev/null
	umount "$TMP/mnt" 2>/dev/null
}
mkdir "$TMP/mnt" && mount -t tmpfs -o size=1m none "$TMP/mnt" && : >"$TMP/mnt/f" ||
	bench_die "cannot mount a tmpfs"

# stop PID: one of the tracers, as systemd stops serve (SIGTERM).
stop() {
	local p kept=()
	kill -TERM "$1"
	wait "$1" 2>/dev/null
	for p in "${TRACERS[@]}"; do
		[ "$p" = "$1" ] || kept+=("$p")
	done
	TRACERS=("${kept[@]}")
}

# ns per setxattr of one workload run.
workload() {
	"$BENCH_WL/xattr" --comm mtbench "$TMP/mnt/f" 3001 "$COUNT" |
		sed -n 's/.*ns_per_call \([0-9.]*\).*/\1/p'
}

# The busy machine: setxattr and short processes, until killed.
busy_start() {
	(while :; do "$BENCH_WL/xattr" --comm mtbusy "$TMP/mnt/f" 3001 100000 >/dev/null; done) &
	BUSY1=$!
	(i=0; while :; do "$BENCH_WL/comms" "mtb$((i++ % 500))-" 50 >/dev/null; done) &
	BUSY2=$!
	LOOPS+=("$BUSY1" "$BUSY2")
}

busy_stop() {
	kill_loop "$BUSY1"
	kill_loop "$BUSY2"
}

echo "serve bench: kernel $(uname -r), $(getconf _NPROCESSORS_ONLN) CPUs; $("$MEMTRACE" --version)"
echo "Ratios matter, not absolute numbers: they vary between machines."
echo

# 1. Scrape latency, everything loaded, machine busy.
"$BENCH_WL/leaker" -w kinds >"$TMP/leaker.out" 2>&1 &
LEAKER=$!
LOOPS+=("$LEAKER")
bench_start_memtrace serve serve --listen 127.0.0.1:0 --leak "$LEAKER"
SERVE=$LAST_PID
kill -USR1 "$LEAKER"
PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/serve.err")
busy_start
sleep 2
read -r _ med _ p99 _ bytes < <($PROBE scrape 127.0.0.1 "$PORT" "$SCRAPES")
busy_stop
echo "scrape latency (kmalloc, procs, leak of 1 process; busy machine): median $med ms, p99 $p99 ms, $bytes bytes, $SCRAPES scrapes"

# 2. CPU per second, idle.
read -r _ serve_idle < <($PROBE cpu "$SERVE" "$SECS" 127.0.0.1 "$PORT")
stop "$SERVE"
bench_start_memtrace top kmalloc --top 10 -i 1
TOP=$LAST_PID
read -r _ top_idle < <($PROBE cpu "$TOP" "$SECS")
stop "$TOP"

# 3. Under the kmalloc benchmark's load: the setxattr loop, run after run.
load_cpu() {	# PID [PORT]: CPU/s of PID while the workload runs SECS
	local pid=$1 port=${2:-}
	(while :; do workload >/dev/null; done) &
	local wl=$!
	if [ -n "$port" ]; then
		$PROBE cpu "$pid" "$SECS" 127.0.0.1 "$port"
	else
		$PROBE cpu "$pid" "$SECS"
	fi | awk '{print $2}'
	kill_loop "$wl"
}
ns_untraced=$(workload)
bench_start_memtrace top2 kmalloc --top 10 -i 1
TOP=$LAST_PID
ns_top=$(workload)
top_load=$(load_cpu "$TOP")
stop "$TOP"
# The collectors serve runs, as separate commands at once: kmalloc by call
# site and by comm, procs (the page cache's and leak's cost nothing here).
bench_start_memtrace sum1 kmalloc --top 10 -i 1
SUM1=$LAST_PID
bench_start_memtrace sum2 kmalloc --top 10 --by comm -i 1
SUM2=$LAST_PID
bench_start_memtrace sum3 procs
SUM3=$LAST_PID
ns_sum=$(workload)
stop "$SUM1"
stop "$SUM2"
stop "$SUM3"
bench_start_memtrace serve2 serve --listen 127.0.0.1:0
SERVE=$LAST_PID
PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/serve2.err")
ns_serve=$(workload)
serve_load=$(load_cpu "$SERVE" "$PORT")
stop "$SERVE"

printf '\n%-34s %14s %14s %16s\n' configuration "CPU ms/s idle" "CPU ms/s load" "setxattr ns/call"
printf '%-34s %14s %14s %16.0f\n' "untraced" - - "$ns_untraced"
printf '%-34s %14.2f %14.2f %16.0f\n' "memtrace kmalloc --top 10 -i 1" "$top_idle" "$top_load" "$ns_top"
printf '%-34s %14s %14s %16.0f\n' "kmalloc x2 (site, comm) + procs" - - "$ns_sum"
printf '%-34s %14.2f %14.2f %16.0f\n' "memtrace serve (scraped 1/s)" "$serve_idle" "$serve_load" "$ns_serve"
added_top=$(awk -v a="$ns_top" -v b="$ns_untraced" 'BEGIN { printf "%.0f", a - b }')
added_sum=$(awk -v a="$ns_sum" -v b="$ns_untraced" 'BEGIN { printf "%.0f", a - b }')
added_serve=$(awk -v a="$ns_serve" -v b="$ns_untraced" 'BEGIN { printf "%.0f", a - b }')
echo
echo "serve bench: scrape latency median $med ms, p99 $p99 ms (busy machine, every collector)"
echo "serve bench: added to each setxattr (~3 kmallocs): kmalloc --top +$added_top ns; the collectors serve runs, as separate commands at once (kmalloc by site and by comm, procs) +$added_sum ns; serve +$added_serve ns (target: no more than that sum)"
echo "serve bench: memtrace's own CPU under load: kmalloc --top $top_load ms/s, serve $serve_load ms/s"
