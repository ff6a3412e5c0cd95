#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# memtrace kmalloc through the real kernel, against the kernel's own
# kmem:kmalloc records. tests/run runs this file once per hook path; the
# scenarios (tests/scenarios/kmalloc.sh) also run on the test kernels.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	TRACER_PID=
	_pids=
}

teardown() {
	for p in $TRACER_PID $_pids; do
		kill -KILL "$p" 2>/dev/null || true
	done
	umount "$T/tmpfs" 2>/dev/null || true
	[ -z "${PARANOID:-}" ] || sysctl -q kernel.perf_event_paranoid="$PARANOID"
}

@test "kmalloc: K setxattr of N bytes: K events, size class, GFP, call site, tables" {
	scenario_kmalloc_xattr "$T"
	check_kmalloc_xattr "$T"
}

@test "kmalloc: each filter (-p, -s, --max-size, -f, --gfp, --tid) excludes in the kernel" {
	scenario_kmalloc_filters "$T"
	check_kmalloc_filters "$T"
}

@test "kmalloc: --hist counts requested and allocated sizes in log2 buckets" {
	mkdir "$T/tmpfs"
	mount -t tmpfs -o size=1m none "$T/tmpfs"
	touch "$T/tmpfs/f"
	start_tracer "$T/out" "$T/err" kmalloc -f mt-xattr -s 3001 --max-size 3001 --hist --json
	"$WL/xattr" "$T/tmpfs/f" 3001 300 >/dev/null
	stop_tracer
	run python3 - "$T/out" <<'PY'
import json, sys
h = [json.loads(l) for l in open(sys.argv[1]) if '"hist"' in l][-1]
assert h["bytes_req"] == [{"low": 2048, "high": 4095, "count": 300}], h
assert h["bytes_alloc"] == [{"low": 4096, "high": 8191, "count": 300}], h
PY
	echo "$output"
	[ "$status" = 0 ]
}

@test "kmalloc: -i prints a report every interval, and the last at the end" {
	run timeout 20 "$MEMTRACE" kmalloc --top 3 -i 0.3 --duration 1.1
	[ "$status" = 0 ]
	[ "$(grep -c '^\[..:..:..\] top ' <<<"$output")" = 4 ]
	[[ ${lines[-1]} == *"asked for a NUMA node"* ]]
}

@test "kmalloc: -p of a process that exits ends the trace with the summary" {
	sleep 1 &
	local pid=$!
	run timeout 20 "$MEMTRACE" kmalloc -p "$pid" --top 5
	[ "$status" = 0 ]
	[[ $output == *"memtrace kmalloc: process $pid has exited"* ]]
	[[ $output == *"Summary: "* ]]
}

@test "kmalloc: when the kernel hides its addresses: one warning, call sites in hex" {
	mkdir "$T/tmpfs"
	mount -t tmpfs -o size=1m none "$T/tmpfs"
	touch "$T/tmpfs/f"
	# Root without CAP_SYSLOG: /proc/kallsyms reads as zeros when
	# perf_event_paranoid > 1 (or kptr_restrict is set).
	TRACER_WRAP="setpriv --inh-caps=-syslog --bounding-set=-syslog"
	PARANOID=$(sysctl -n kernel.perf_event_paranoid)
	sysctl -q kernel.perf_event_paranoid=2
	start_tracer "$T/out" "$T/err" kmalloc -f mt-xattr -s 3001 --max-size 3001
	"$WL/xattr" "$T/tmpfs/f" 3001 5 >/dev/null
	stop_tracer
	[ "$(grep -c "warning: the kernel hides its addresses" "$T/err")" = 1 ]
	[ "$(grep -c ' mt-xattr ' "$T/out")" = 5 ]
	[ "$(grep ' mt-xattr ' "$T/out" | grep -Ec ' 0xffff[0-9a-f]{12}$')" = 5 ]
}

@test "kmalloc: errors: missing PID, bad sizes, --top 0, unknown keys and flags" {
	local pid=4194303
	while [ -e /proc/$pid ]; do pid=$((pid - 1)); done
	run "$MEMTRACE" kmalloc -p $pid
	[ "$status" = 1 ]
	[ "$output" = "memtrace kmalloc: no process with PID $pid" ]
	run "$MEMTRACE" kmalloc -s 12x
	[ "$status" = 2 ]
	[[ $output == "memtrace kmalloc: invalid value '12x' for -s: expected a size"* ]]
	run "$MEMTRACE" kmalloc --max-size -1
	[ "$status" = 2 ]
	[[ $output == *"invalid value '-1' for --max-size"* ]]
	run "$MEMTRACE" kmalloc -s 2K --max-size 1K
	[ "$status" = 2 ]
	[[ $output == *"-s (2048) is larger than --max-size (1024)"* ]]
	run "$MEMTRACE" kmalloc --top 0
	[ "$status" = 2 ]
	[[ $output == *"invalid value '0' for --top: out of range"* ]]
	run "$MEMTRACE" kmalloc --top 5 --by bogus
	[ "$status" = 2 ]
	[[ $output == *"invalid value 'bogus' for --by: expected callsite, pid, comm or size"* ]]
	run "$MEMTRACE" kmalloc --top 5 --sort bogus
	[ "$status" = 2 ]
	run "$MEMTRACE" kmalloc --gfp __GFP_BOGUS
	[ "$status" = 2 ]
	[[ $output == *"--gfp: this kernel has no GFP flag '__GFP_BOGUS'"* ]]
	run "$MEMTRACE" kmalloc -i 1
	[ "$status" = 2 ]
	[[ $output == *"-i applies to the --top and --hist reports"* ]]
}

@test "kmalloc: options that would be ignored, masks that match nothing, long names, zombies" {
	run "$MEMTRACE" kmalloc --by comm
	[ "$status" = 2 ]
	[[ $output == *"--by chooses the rows of --top: give --top N too"* ]]
	run "$MEMTRACE" kmalloc --sort waste --hist
	[ "$status" = 2 ]
	[[ $output == *"--sort orders the rows of --top: give --top N too"* ]]
	# No flag, and bits that are no flag: both refused, alike.
	local mask
	for mask in 0 0xffffffff; do
		run "$MEMTRACE" kmalloc --gfp "$mask"
		[ "$status" = 2 ]
		[[ $output == *"--gfp: this kernel has no GFP flag '$mask'"* ]]
	done
	run "$MEMTRACE" kmalloc --top 0
	[[ $output == *"out of range (1 to 100000)"* ]]
	# The kernel keeps 15 bytes of a command name: said, then matched.
	run "$MEMTRACE" kmalloc -f systemd-journald --duration 0.1
	[ "$status" = 0 ]
	[[ ${lines[0]} == "memtrace kmalloc: warning: -f: the kernel keeps 15 bytes of a command name: matching 'systemd-journal'" ]]
	make_zombie
	run "$MEMTRACE" kmalloc -p "$ZOMBIE"
	kill "$ZOMBIE_PARENT" 2>/dev/null || true
	[ "$status" = 1 ]
	[ "$output" = "memtrace kmalloc: process $ZOMBIE has exited: a zombie its parent has not reaped yet" ]
}

@test "kmalloc: user space runs clean under valgrind, streaming and aggregating" {
	MEMTRACE=$MEMTRACE_GLIBC
	TRACER_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --suppressions=$ROOT/tests/valgrind.supp"
	START_SECONDS=120
	mkdir "$T/tmpfs"
	mount -t tmpfs -o size=1m none "$T/tmpfs"
	touch "$T/tmpfs/f"
	start_tracer "$T/stream" "$T/err1" kmalloc -f mt-xattr --json
	_pids=$TRACER_PID
	start_tracer "$T/top" "$T/err2" kmalloc -f mt-xattr --top 5 --hist
	"$WL/xattr" "$T/tmpfs/f" 3001 100 >/dev/null
	stop_tracer
	local top_status=$TRACER_STATUS
	TRACER_PID=$_pids
	stop_tracer
	[ "$TRACER_STATUS" = 0 ] && [ "$top_status" = 0 ]
	refute grep -q "^==" "$T/err1" "$T/err2"
	grep -q '"bytes_req":3001' "$T/stream"
	grep -q "vmemdup_user" "$T/top"
}

@test "kmalloc: a lone setxattr is on stdout within 1 s, while memtrace runs (-f, -p, --json)" {
	mkdir "$T/tmpfs"
	mount -t tmpfs -o size=1m none "$T/tmpfs"
	touch "$T/tmpfs/f"
	mkfifo "$T/go" "$T/hold"
	"$WL/xattr" --comm mt-live --wait "$T/go" --hold "$T/hold" \
		"$T/tmpfs/f" 3001 1 >"$T/wl" &
	local wl=$! comm pid json
	_pids=$wl
	# Filtered in the kernel: nothing else fills the ring buffer.
	start_tracer "$T/comm" "$T/comm.err" kmalloc -f mt-live
	comm=$TRACER_PID
	start_tracer "$T/pid" "$T/pid.err" kmalloc -p "$wl" -s 3001 --max-size 3001
	pid=$TRACER_PID
	start_tracer "$T/json" "$T/json.err" kmalloc -f mt-live --json
	json=$TRACER_PID
	_pids="$wl $comm $pid $json"
	echo go >"$T/go"
	local i=0
	until grep -q set "$T/wl"; do
		i=$((i + 1))
		[ $i -lt 200 ]
		sleep 0.05
	done
	TRACER_PID=$comm await_line "$T/comm" ' mt-live +3001 +4096 '
	TRACER_PID=$pid await_line "$T/pid" ' mt-live +3001 +4096 '
	TRACER_PID=$json await_line "$T/json" '"comm":"mt-live","bytes_req":3001,'
	echo done >"$T/hold"
	wait "$wl"
}

@test "kmalloc: a failing stdout: ENOSPC is an error in every format, a closed pipe ends quietly" {
	mkdir "$T/tmpfs"
	mount -t tmpfs -o size=1m none "$T/tmpfs"
	touch "$T/tmpfs/f"
	local fmt
	for fmt in "" "--json" "--top 5 --json" "--hist"; do
		# shellcheck disable=SC2086
		start_tracer /dev/full "$T/err" kmalloc -f mt-xattr --duration 2 $fmt
		"$WL/xattr" "$T/tmpfs/f" 3001 200 >/dev/null
		wait_tracer
		echo "format '$fmt': status $TRACER_STATUS: $(cat "$T/err")"
		[ "$TRACER_STATUS" = 1 ]
		[ "$(tail -n 1 "$T/err")" = "memtrace kmalloc: writing output: No space left on device" ]
		[ "$(grep -c "writing output" "$T/err")" = 1 ]
	done
	for fmt in "" "--json"; do
		rm -f "$T/pipe"
		mkfifo "$T/pipe"
		head -n 1 <"$T/pipe" >/dev/null &
		# shellcheck disable=SC2086
		start_tracer "$T/pipe" "$T/err" kmalloc -f mt-xattr $fmt
		"$WL/xattr" "$T/tmpfs/f" 3001 200 >/dev/null
		wait_tracer
		echo "format '$fmt': status $TRACER_STATUS: $(cat "$T/err")"
		[ "$TRACER_STATUS" = 0 ]
		refute grep -q -e "writing output" -e "reading events" "$T/err"
	done
}
