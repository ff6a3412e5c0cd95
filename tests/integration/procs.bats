#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# memtrace procs through the real kernel, against wait4()'s accounting.
# tests/run runs this file once per hook path: MEMTRACE_TEST_HOOK=tp_btf,
# and MEMTRACE_TEST_HOOK=tracepoint with MEMTRACE_DISABLE=tp_btf. The
# scenarios (tests/scenarios/procs.sh) also run on a second kernel
# (tests/kernel), judged by the same checks.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	TRACER_PID=
}

teardown() {
	for p in $TRACER_PID ${_pids:-}; do
		kill -KILL "$p" 2>/dev/null || true
	done
}

@test "procs: exit code, signal, lifetime, peak RSS and faults equal wait4()" {
	scenario_procs_lifecycle "$T"
	check_procs_lifecycle "$T"
}

@test "procs: the text output says what --json says, and ends with the summary" {
	scenario_procs_agree "$T"
	check_procs_agree "$T"
}

@test "procs: -d 20 hides a 1 ms child and exec lines, shows a 50 ms child" {
	scenario_procs_min_lifetime "$T"
	check_procs_min_lifetime "$T"
}

@test "procs: exec storm of 500 children: exactly 500 exec and 500 exit, 0 lost" {
	scenario_procs_storm "$T"
	check_procs_storm "$T"
}

@test "procs: nothing is lost silently: shown + counted as lost = all events" {
	scenario_procs_losses "$T"
	check_procs_losses "$T"
}

@test "procs: -p follows a process and its descendants, and stops when they exit" {
	scenario_procs_descendants "$T"
	check_procs_descendants "$T"
}

@test "procs: -c matches the command name exactly" {
	scenario_procs_comm "$T"
	check_procs_comm "$T"
}

@test "procs: --exec shows the file and its arguments, quoted and bounded" {
	scenario_procs_args "$T"
	check_procs_args "$T"
}

@test "procs: execveat(2) is seen like execve(2)" {
	scenario_procs_execveat "$T"
	check_procs_execveat "$T"
}

@test "procs: tracefs is mounted only by the classic tracepoint path" {
	scenario_procs_tracefs "$T"
	[ ! -f "$T/skip" ] || skip "debugfs provides tracefs on this host: nothing to mount"
	check_procs_tracefs "$T"
}

@test "procs: --duration stops by itself and prints the summary" {
	scenario_procs_duration "$T"
	check_procs_duration "$T"
}

@test "procs: a closed pipe (| head) ends memtrace quietly with status 0" {
	scenario_procs_pipe "$T"
	check_procs_pipe "$T"
}

# Host only: the builds and tools below exist on the build machine.

@test "procs: the static glibc build gives the same numbers" {
	MEMTRACE=$ROOT/.output/memtrace.static
	refute bash -c 'readelf -d "$1" | grep -q NEEDED' _ "$MEMTRACE"
	scenario_procs_lifecycle "$T"
	check_procs_lifecycle "$T"
}

@test "procs: a failing stdout (ENOSPC) is an error, not a quiet end" {
	run "$MEMTRACE" procs --duration 0.5
	[ "$status" = 0 ]
	run bash -c '"$1" procs --duration 0.5 >/dev/full' _ "$MEMTRACE"
	[ "$status" = 1 ]
	[ "$output" = "memtrace procs: writing output: No space left on device" ]
}

@test "procs --json: ENOSPC is an error naming it, a closed pipe ends quietly" {
	start_tracer /dev/full "$T/err" procs --json --duration 5
	/bin/true
	wait_tracer
	cat "$T/err"
	[ "$TRACER_STATUS" = 1 ]
	[ "$(tail -n 1 "$T/err")" = "memtrace procs: writing output: No space left on device" ]
	mkfifo "$T/pipe"
	head -n 1 <"$T/pipe" >/dev/null &
	start_tracer "$T/pipe" "$T/err" procs --json
	/bin/true
	/bin/true
	wait_tracer
	cat "$T/err"
	[ "$TRACER_STATUS" = 0 ]
	refute grep -q -e "writing output" -e "reading events" "$T/err"
}

@test "procs: a lone exec and its exit are on stdout within 1 s, while memtrace runs" {
	local comm=mtlive$$ text json
	cp "$WL/noop" "$T/$comm"
	start_tracer "$T/text" "$T/err" procs -c "$comm"
	text=$TRACER_PID
	start_tracer "$T/json" "$T/err2" procs -c "$comm" --exit --json
	json=$TRACER_PID
	_pids="$text $json"
	"$T/$comm"
	TRACER_PID=$text await_line "$T/text" " EXEC .* $comm "
	TRACER_PID=$text await_line "$T/text" " EXIT .* $comm .* code 0$"
	TRACER_PID=$json await_line "$T/json" '"type":"exit".*"comm":"'"$comm"'"'
	TRACER_PID=$json stop_tracer
	TRACER_PID=$text stop_tracer
}

@test "procs: user space runs clean under valgrind (no leaks, no invalid access)" {
	MEMTRACE=$MEMTRACE_GLIBC
	TRACER_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --suppressions=$ROOT/tests/valgrind.supp"
	START_SECONDS=120
	start_tracer "$T/out" "$T/err" procs --json
	"$WL/lifecycle" code3 killed >"$T/gt"
	stop_tracer
	refute grep -q "^==" "$T/err"
	[ "$TRACER_STATUS" = 0 ]
	grep -q '"comm":"lc-code3"' "$T/out"
}

@test "procs: user space runs clean under ASan and UBSan" {
	MEMTRACE=$ROOT/.output/memtrace.asan
	export ASAN_OPTIONS=detect_leaks=1:exitcode=98
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	start_tracer "$T/out" "$T/err" procs --exit
	"$WL/lifecycle" code3 killed threads >"$T/gt"
	stop_tracer
	[ "$TRACER_STATUS" = 0 ]
	refute grep -Eq "Sanitizer|runtime error" "$T/err"
	grep -q " lc-code3 .* code 3$" "$T/out"
}
