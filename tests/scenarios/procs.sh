# SPDX-License-Identifier: GPL-2.0
# procs scenarios: each runs memtrace against a workload whose behaviour is
# known and leaves what happened in a directory; check_* in procs.check.bash
# judges it. POSIX sh: the host's bats suite and the test kernel's busybox
# guest (tests/kernel) run the same scenarios. Needs tests/lib/tracer.sh,
# MEMTRACE and WL (the workloads' directory). Bats runs them under errexit,
# the guest does not: a command that may fail records its status itself.

# Run on every kernel of tests/kernel/kernels, on both hook paths
# (METHOD:DISABLED: the method expected, with MEMTRACE_DISABLE=DISABLED).
PROFILES_procs="tp_btf: tracepoint:tp_btf"
GUEST_SCENARIOS="${GUEST_SCENARIOS:-} procs_lifecycle procs_agree
	procs_min_lifetime procs_storm procs_losses procs_descendants procs_comm
	procs_args procs_execveat procs_tracefs procs_duration procs_pipe"

# Children with known exit codes, signals, lifetimes and memory, reaped with
# wait4(): gt holds wait4's view, out memtrace's.
scenario_procs_lifecycle() {
	start_tracer "$1/out" "$1/err" procs --exit --json || return 1
	"$WL/lifecycle" code3 killed touch200 threads segv >"$1/gt"
	stop_tracer
	echo "$TRACER_STATUS" >"$1/status"
}

# The same children seen by a --json and a text tracer at once.
scenario_procs_agree() {
	start_tracer "$1/json" "$1/err" procs --exit --json || return 1
	_json_pid=$TRACER_PID
	start_tracer "$1/text" "$1/err2" procs --exit || return 1
	"$WL/lifecycle" code3 killed touch200 threads short segv >"$1/gt"
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
# as the machine forks, seen by a tracer filtering on that name in the
# kernel and by one that sees everything.
scenario_procs_storm() {
	_comm=mtstorm$$
	echo "$_comm" >"$1/comm"
	cp "$WL/noop" "$1/$_comm"
	start_tracer "$1/out" "$1/err" procs -c "$_comm" --json || return 1
	_filtered=$TRACER_PID
	start_tracer "$1/all" "$1/err2" procs --json || return 1
	"$WL/execstorm" 500 "$1/$_comm" >"$1/storm"
	stop_tracer
	TRACER_PID=$_filtered
	stop_tracer
}

# A 4 KiB ring buffer and a reader that stops reading for 3 s during a
# storm: events are lost, and every one of them must be counted.
scenario_procs_losses() {
	_comm=mtloss$$
	echo "$_comm" >"$1/comm"
	cp "$WL/noop" "$1/$_comm"
	# shellcheck disable=SC2016
	sh -c 'echo $$ >"$1/pid"; exec "$2" procs --ringbuf-size 4K -c "$3" --json -v 2>"$1/err"' \
		_ "$1" "$MEMTRACE" "$_comm" | { sleep 3; cat >"$1/out"; } &
	_reader=$!
	_i=0
	until grep -q "^memtrace procs: ready$" "$1/err" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 400 ] || return 1
		sleep 0.05
	done
	TRACER_PID=$(cat "$1/pid")
	"$WL/execstorm" 500 "$1/$_comm" >"$1/storm"
	sleep 4
	stop_tracer
	wait "$_reader" || :
}

# -p on a shell that waits, then runs children, among them a process whose
# leader leaves first and one whose second thread execs; memtrace must
# follow them all and stop by itself once they have exited. A program run
# outside the tree must not show.
scenario_procs_descendants() {
	mkfifo "$1/go"
	cp "$WL/noop" "$1/mtoutside"
	# shellcheck disable=SC2016
	sh -c 'read -r x <"$1"; "$2/lifecycle" code3 threads threadexec >/dev/null
	       sh -c "exit 4"; exit 6' _ "$1/go" "$WL" &
	_root=$!
	echo "$_root" >"$1/root"
	if ! start_tracer "$1/out" "$1/err" procs -p "$_root" --json; then
		kill "$_root"
		return 1
	fi
	"$1/mtoutside"
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
	_was_mounted=
	[ -d /sys/kernel/tracing/events ] && _was_mounted=1
	umount -l /sys/kernel/tracing 2>/dev/null || :
	if [ -d /sys/kernel/tracing/events ]; then
		echo mounted-before >"$1/before"
	fi
	_s=0
	"$MEMTRACE" procs --duration 0.3 -v >"$1/out" 2>"$1/err" || _s=$?
	echo $_s >"$1/status"
	if [ -d /sys/kernel/tracing/events ]; then
		echo mounted >"$1/after"
	elif [ -n "$_was_mounted" ]; then
		# Leave the host as it was.
		mount -t tracefs tracefs /sys/kernel/tracing
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
