# SPDX-License-Identifier: GPL-2.0
# procs scenarios: each runs memtrace against a workload whose behaviour is
# known and leaves what happened in a directory; check_* in procs.check.bash
# judges it. POSIX sh: the host's bats suite and the test kernel's busybox
# guest (tests/kernel) run the same scenarios. Needs tests/lib/tracer.sh,
# MEMTRACE and WL (the workloads' directory). Bats runs them under errexit,
# the guest does not: a command that may fail records its status itself.

# Run on every kernel of tests/kernel/kernels, on both hook paths.
GUEST_SCENARIOS="${GUEST_SCENARIOS:-} procs_lifecycle procs_agree
	procs_min_lifetime procs_storm procs_descendants procs_comm procs_args
	procs_execveat procs_tracefs procs_duration procs_pipe"

# Children with known exit codes, signals, lifetimes and memory, reaped with
# wait4(): gt holds wait4's view, out memtrace's.
scenario_procs_lifecycle() {
	start_tracer "$1/out" "$1/err" procs --exit --json || return 1
	"$WL/lifecycle" code3 killed touch200 threads >"$1/gt"
	stop_tracer
	echo "$TRACER_STATUS" >"$1/status"
}

# The same children seen by a --json and a text tracer at once.
scenario_procs_agree() {
	start_tracer "$1/json" "$1/err" procs --exit --json || return 1
	_json_pid=$TRACER_PID
	start_tracer "$1/text" "$1/err2" procs --exit || return 1
	"$WL/lifecycle" code3 killed touch200 threads short >"$1/gt"
	stop_tracer
	TRACER_PID=$_json_pid
	stop_tracer
}

# -d 20 against a child that lives 1 ms and one that lives 50 ms.
scenario_procs_min_lifetime() {
	start_tracer "$1/out" "$1/err" procs -d 20 --json || return 1
	"$WL/lifecycle" short long50 >"$1/gt"
	stop_tracer
}

# 500 children exec'ing a program with a command name of their own, as fast
# as the machine forks.
scenario_procs_storm() {
	_comm=mtstorm$$
	echo "$_comm" >"$1/comm"
	cp "$WL/noop" "$1/$_comm"
	start_tracer "$1/out" "$1/err" procs -c "$_comm" --json || return 1
	"$WL/execstorm" 500 "$1/$_comm" >"$1/storm"
	stop_tracer
}

# -p on a shell that waits, then runs a few children; memtrace must follow
# them and stop by itself when all have exited. /bin/true runs outside it.
scenario_procs_descendants() {
	mkfifo "$1/go"
	# shellcheck disable=SC2016
	sh -c 'read -r x <"$1"; "$2/lifecycle" code3 >/dev/null; sh -c "exit 4"; exit 6' \
		_ "$1/go" "$WL" &
	_root=$!
	echo "$_root" >"$1/root"
	start_tracer "$1/out" "$1/err" procs -p "$_root" --json || return 1
	/bin/true
	echo go >"$1/go"
	wait_tracer
	echo "$TRACER_STATUS" >"$1/status"
}

# -c takes an exact name: lc-code3 matches, lc-code does not.
scenario_procs_comm() {
	start_tracer "$1/exact" "$1/err" procs -c lc-code3 --json || return 1
	_exact=$TRACER_PID
	start_tracer "$1/prefix" "$1/err2" procs -c lc-code --json || return 1
	"$WL/lifecycle" code3 long50 >"$1/gt"
	stop_tracer
	TRACER_PID=$_exact
	stop_tracer
}

# Exec arguments with a space and a quote, and one too long to keep.
scenario_procs_args() {
	cp "$WL/noop" "$1/mtargs"
	start_tracer "$1/json" "$1/err" procs --exec -c mtargs --json || return 1
	_json_pid=$TRACER_PID
	start_tracer "$1/text" "$1/err2" procs --exec -c mtargs || return 1
	"$1/mtargs" 'a b' "it's"
	"$1/mtargs" "$(head -c 3000 /dev/zero | tr '\0' x)"
	stop_tracer
	TRACER_PID=$_json_pid
	stop_tracer
	echo "$1/mtargs" >"$1/prog"
}

# execveat(2) with a directory fd and a relative name.
scenario_procs_execveat() {
	cp "$WL/noop" "$1/mtexecat"
	start_tracer "$1/out" "$1/err" procs -c mtexecat --json || return 1
	"$WL/execveat" "$1" mtexecat one two
	stop_tracer
}

# With tracefs unmounted: the classic tracepoint path must mount it, tp_btf
# must not need it. Where debugfs provides tracing/, there is nothing to
# mount and the scenario says so.
scenario_procs_tracefs() {
	if [ -d /sys/kernel/debug/tracing/events ]; then
		echo debugfs >"$1/skip"
		return 0
	fi
	umount -l /sys/kernel/tracing 2>/dev/null || :
	if [ -d /sys/kernel/tracing/events ]; then
		echo mounted-before >"$1/before"
	fi
	_s=0
	"$MEMTRACE" procs --duration 0.3 -v >"$1/out" 2>"$1/err" || _s=$?
	echo $_s >"$1/status"
	if [ -d /sys/kernel/tracing/events ]; then
		echo mounted >"$1/after"
	fi
}

# --duration 1 stops by itself, with the summary.
scenario_procs_duration() {
	_t0=$(date +%s)
	_s=0
	timeout 20 "$MEMTRACE" procs --duration 1 >"$1/out" 2>"$1/err" || _s=$?
	echo $_s >"$1/status"
	echo $(($(date +%s) - _t0)) >"$1/seconds"
}

# Reading end closed after two lines (| head): memtrace ends, status 0.
scenario_procs_pipe() {
	(
		_i=0
		while [ $_i -lt 2000 ]; do
			/bin/true
			_i=$((_i + 1))
		done
	) &
	_load=$!
	_s=0
	# shellcheck disable=SC2016
	timeout 30 sh -c '{ "$1" procs; echo $? >"$2/status"; } | head -n 2 >/dev/null' \
		_ "$MEMTRACE" "$1" || _s=$?
	echo $_s >"$1/pipeline"
	kill "$_load" 2>/dev/null || :
	wait "$_load" 2>/dev/null || :
}
