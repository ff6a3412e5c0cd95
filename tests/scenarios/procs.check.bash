# SPDX-License-Identifier: GPL-2.0
# Judges what the procs scenarios (procs.sh) left in their directory, on
# the host, whichever kernel ran them. Each check is a list of assertions
# that must run under errexit (a bats test body, or bash -e).

PROCS_CHECK=${MEMTRACE_ROOT:-.}/tests/scenarios/procs_check.py

check_procs_lifecycle() {
	[ "$(cat "$1/status")" = 0 ]
	assert_hook "$1/err" sched_process_exit
	python3 "$PROCS_CHECK" lifecycle "$1/gt" "$1/out"
}

check_procs_agree() {
	python3 "$PROCS_CHECK" agree "$1/gt" "$1/json" "$1/text"
	tail -n 1 "$1/text" | grep -Eq '^Summary: 0 exec, [0-9]+ exit events, 0 lost$'
	tail -n 1 "$1/json" | grep -q '"type":"summary"'
}

check_procs_min_lifetime() {
	local short long
	short=$(gt_pid short "$1/gt")
	long=$(gt_pid long50 "$1/gt")
	[ -n "$short" ] && [ -n "$long" ]
	refute grep -q '"type":"exec"' "$1/out"
	refute grep -q "\"pid\":$short," "$1/out"
	[ "$(grep -c "\"type\":\"exit\",.*\"pid\":$long," "$1/out")" = 1 ]
}

check_procs_storm() {
	local comm
	comm=$(cat "$1/comm")
	grep -q "^spawned 500 failed 0 " "$1/storm"
	[ "$(python3 "$PROCS_CHECK" count "$1/out" exec "$comm")" = 500 ]
	[ "$(python3 "$PROCS_CHECK" count "$1/out" exit "$comm")" = 500 ]
	tail -n 1 "$1/out" | grep -q '"exec":500,"exit":500,"lost":0,'
	# Unfiltered, among everything else the machine did.
	[ "$(python3 "$PROCS_CHECK" count "$1/all" exec "$comm")" = 500 ]
	[ "$(python3 "$PROCS_CHECK" count "$1/all" exit "$comm")" = 500 ]
	tail -n 1 "$1/all" | grep -q '"lost":0,'
}

check_procs_losses() {
	grep -q "^spawned 500 failed 0 " "$1/storm"
	python3 "$PROCS_CHECK" losses "$1/out" "$(cat "$1/comm")" 1000
	grep -Eq "^memtrace procs: warning: [0-9]+ events lost \(ring buffer full: [0-9]+, map full: 0\)$" "$1/err"
}

check_procs_descendants() {
	[ "$(cat "$1/status")" = 0 ]
	assert_hook "$1/err" sched_process_fork
	python3 "$PROCS_CHECK" descendants "$1/out" "$(cat "$1/root")"
}

check_procs_comm() {
	[ "$(python3 "$PROCS_CHECK" count "$1/exact" exit lc-code3)" = 1 ]
	[ "$(grep -c '"type":"exit"' "$1/exact")" = 1 ]
	refute grep -q '"type":"exit"' "$1/prefix"
	grep -q '"type":"summary"' "$1/prefix"
}

check_procs_args() {
	local prog
	prog=$(cat "$1/prog")
	python3 "$PROCS_CHECK" args "$1/json" "$prog"
	grep -q " EXEC .* $prog 'a b' 'it'\\\\''s'\$" "$1/text"
	grep -q " EXEC .* $prog x*x \.\.\.\$" "$1/text"
}

check_procs_execveat() {
	python3 "$PROCS_CHECK" execveat "$1/out"
}

check_procs_tracefs() {
	if [ -f "$1/skip" ]; then
		echo "# debugfs provides tracefs here: nothing to mount"
		return 0
	fi
	[ ! -f "$1/before" ]
	[ "$(cat "$1/status")" = 0 ]
	if [ "$HOOK" = tracepoint ]; then
		grep -q "mounted tracefs at /sys/kernel/tracing" "$1/err"
		[ -f "$1/after" ]
	else
		refute grep -q "mounted tracefs" "$1/err"
		[ ! -f "$1/after" ]
	fi
}

check_procs_duration() {
	[ "$(cat "$1/status")" = 0 ]
	[ "$(cat "$1/seconds")" -lt 10 ]
	tail -n 1 "$1/out" | grep -Eq '^Summary: .* lost$'
}

check_procs_pipe() {
	[ "$(cat "$1/pipeline")" = 0 ]
	[ "$(cat "$1/status")" = 0 ]
}
