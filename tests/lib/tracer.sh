# SPDX-License-Identifier: GPL-2.0
# Running memtrace in the background around a workload. POSIX sh, so that
# the bats suites on the host and busybox sh in the test kernel's guest
# (tests/kernel) share it.
#
# Needs MEMTRACE (the binary). HOOK names the hook path under test
# (tp_btf or tracepoint); with HOOK=tracepoint, MEMTRACE_DISABLE=tp_btf
# is expected in the environment.

HOOK=${MEMTRACE_TEST_HOOK:-tp_btf}

# start_tracer OUT ERR ARGS...: runs "memtrace ARGS -v" in the background
# and returns once it is tracing (the -v line "ready", printed when every
# hook is attached and -p's processes are followed), so that nothing done
# afterwards can be missed. TRACER_WRAP (e.g. valgrind ...)
# goes in front of the command; START_SECONDS bounds the wait (20).
start_tracer() {
	_out=$1
	_err=$2
	shift 2
	# Emptied first: the wait below must not find an earlier run's
	# "ready" there before the new run's redirection truncates it (it
	# opens stdout first, which for a FIFO waits for its reader).
	: >"$_err"
	# shellcheck disable=SC2086
	${TRACER_WRAP:-} "$MEMTRACE" "$@" -v >"$_out" 2>"$_err" &
	TRACER_PID=$!
	_i=0
	while [ "$_i" -lt $((${START_SECONDS:-20} * 20)) ]; do
		grep -q "^memtrace [a-z]*: ready$" "$_err" 2>/dev/null && return 0
		kill -0 "$TRACER_PID" 2>/dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "memtrace did not start: $(cat "$_err")" >&2
	return 1
}

# wait_tracer: waits at most 20 s for it to end, then kills it; its exit
# status goes to TRACER_STATUS.
wait_tracer() {
	_i=0
	while [ "$_i" -lt 400 ] && kill -0 "$TRACER_PID" 2>/dev/null; do
		sleep 0.05
		_i=$((_i + 1))
	done
	if kill -0 "$TRACER_PID" 2>/dev/null; then
		kill -KILL "$TRACER_PID"
		echo "memtrace did not stop" >&2
	fi
	TRACER_STATUS=0
	wait "$TRACER_PID" || TRACER_STATUS=$?
}

# stop_tracer: SIGINT, as Ctrl-C, then wait_tracer.
stop_tracer() {
	kill -INT "$TRACER_PID" 2>/dev/null || :
	wait_tracer
}

# await_line FILE PATTERN: waits at most 1 s for a line matching PATTERN
# (grep -E) in FILE, the stdout of the tracer TRACER_PID, which must still
# be running when it appears: a stream shows each event while it runs, not
# at exit.
await_line() {
	_i=0
	while [ "$_i" -lt 20 ]; do
		if grep -Eq -- "$2" "$1" 2>/dev/null; then
			kill -0 "$TRACER_PID" 2>/dev/null && return 0
			echo "'$2' appeared only once memtrace had stopped" >&2
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "no line '$2' on stdout 1 s after the event; stdout was: $(cat "$1")" >&2
	return 1
}
