# Shared by the integration suites (bats). Runs the real binary as root.

ROOT=${MEMTRACE_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
MEMTRACE=${MEMTRACE:-$ROOT/memtrace}
WL=$ROOT/.output/tests/workloads
HELPERS=$ROOT/.output/tests/helpers
# The hook path the suite is run for (tests/run runs procs on both).
HOOK=${MEMTRACE_TEST_HOOK:-tp_btf}

# start_tracer OUT ERR ARGS...: runs "memtrace ARGS -v" in the background and
# returns once its hooks are attached (the -v "via" lines), so that nothing
# a test does afterwards can be missed. TRACER_WRAP (e.g. valgrind ...) is
# put in front of the command; START_SECONDS bounds the wait (20).
start_tracer() {
	local out=$1 err=$2 i
	shift 2
	# shellcheck disable=SC2086
	${TRACER_WRAP:-} "$MEMTRACE" "$@" -v >"$out" 2>"$err" &
	TRACER_PID=$!
	for i in $(seq $((${START_SECONDS:-20} * 20))); do
		grep -q " via " "$err" 2>/dev/null && return 0
		kill -0 "$TRACER_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "memtrace did not start: $(cat "$err")" >&2
	return 1
}

# stop_tracer: SIGINT (as Ctrl-C) and wait at most 20 s; the status of
# memtrace is in TRACER_STATUS.
stop_tracer() {
	kill -INT "$TRACER_PID" 2>/dev/null
	wait_tracer
}

wait_tracer() {
	local i
	for i in $(seq 400); do
		kill -0 "$TRACER_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$TRACER_PID" 2>/dev/null; then
		kill -KILL "$TRACER_PID"
		echo "memtrace did not stop" >&2
	fi
	TRACER_STATUS=0
	wait "$TRACER_PID" || TRACER_STATUS=$?
}

# The -v output must name the hook this suite runs on.
assert_hook() {
	local err=$1 event=$2
	grep -q "$event via $HOOK" "$err" || {
		echo "expected '$event via $HOOK' in: $(cat "$err")" >&2
		return 1
	}
}
