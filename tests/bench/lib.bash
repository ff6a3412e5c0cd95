# SPDX-License-Identifier: GPL-2.0
#
# Shared by tests/bench/run and the benchmarks (sourced, not run: its name
# does not end in .sh so that run does not take it for a benchmark).

BENCH_ROOT=${MEMTRACE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MEMTRACE=${MEMTRACE:-$BENCH_ROOT/memtrace}
BENCH_WL=$BENCH_ROOT/.output/tests/workloads
# The peers; overridable to try another build of libbpf-tools.
EXECSNOOP=${EXECSNOOP:-/usr/sbin/execsnoop}
EXITSNOOP=${EXITSNOOP:-/usr/sbin/exitsnoop}

bench_die() {
	echo "bench: $*" >&2
	exit 1
}

# bench_count VAR NAME DEFAULT: VAR set to $NAME (the environment), or
# DEFAULT; the benchmark dies unless it is a positive integer.
bench_count() {
	local v=${!2:-$3}
	[[ $v =~ ^[1-9][0-9]*$ ]] || bench_die "$2 must be a positive integer"
	printf -v "$1" %s "$v"
}

# The checks below print what is missing and how to get it, and return 1
# if anything is.

bench_need_root() {
	[ "$(id -u)" = 0 ] && return 0
	echo "bench: must run as root (memtrace and the peers load BPF programs)" >&2
	return 1
}

# bench_need_commands COMMAND...: commands in PATH (with BENCH_PACKAGED
# set, the message names the Debian package of the same name).
bench_need_commands() {
	local c bad=0
	for c; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [ -n "${BENCH_PACKAGED:-}" ]; then
			echo "bench: $c not found: install the Debian package $c" >&2
		else
			echo "bench: '$c' not found" >&2
		fi
		bad=1
	done
	return $bad
}

# bench_need_packaged COMMAND...: commands in PATH, each from the Debian
# package of the same name.
bench_need_packaged() {
	BENCH_PACKAGED=1 bench_need_commands "$@"
}

# bench_need_built FILE...: executables of this tree's build.
bench_need_built() {
	local f bad=0
	for f; do
		[ -x "$f" ] ||
			{ echo "bench: $f missing: run 'make test-build' (or 'make bench')" >&2; bad=1; }
	done
	return $bad
}

# bench_need_peer VAR NAME PACKAGE [TEST]: the peer NAME (the tool a user
# would otherwise run) at the path in $VAR, executable, and TEST PATH
# succeeds if a TEST function is given.
bench_need_peer() {
	local path=${!1}
	if [ -n "$path" ] && [ -x "$path" ] && { [ -z "${4:-}" ] || "$4" "$path"; }; then
		return 0
	fi
	echo "bench: $2 not found or not working: install the Debian package $3 (or set $1)" >&2
	return 1
}

# bench_check: everything the benchmarks need. Prints nothing and returns 0
# when all is there.
bench_check() {
	local bad=0 f

	bench_need_root || bad=1
	bench_need_commands awk sort timeout getconf mkfifo uname || bad=1
	bench_need_built "$MEMTRACE" "$BENCH_WL/execstorm" "$BENCH_WL/noop" || bad=1
	for f in "$EXECSNOOP" "$EXITSNOOP"; do
		bench_check_libbpf_tool "$f" || bad=1
	done
	return $bad
}

# Other packages install scripts of the same names (bpftrace's *.bt, bcc's
# Python tools) with other output formats and costs: insist on the ELF
# binaries of libbpf-tools, whose output the benchmarks parse.
bench_check_libbpf_tool() {
	local f=$1 magic

	if [ ! -x "$f" ]; then
		echo "bench: $f not found: install the Debian package libbpf-tools" >&2
		return 1
	fi
	magic=$(head -c 4 "$f" | tr -d '\0')
	if [ "$magic" != $'\x7fELF' ] ||
	   ! "$f" --help 2>&1 | grep -q 'libbpf-tools'; then
		echo "bench: $f is not the libbpf-tools binary (a script?): install libbpf-tools, or point EXECSNOOP/EXITSNOOP at its binaries" >&2
		return 1
	fi
}

# bench_sleep_init DIR: sets up bench_sleep, a sleep that forks nothing
# (a read timing out on a FIFO nobody writes), so that polling loops do not
# add exec/exit events of their own to what the tracers see.
bench_sleep_init() {
	mkfifo "$1/sleep.fifo" || return 1
	exec {BENCH_SLEEP_FD}<>"$1/sleep.fifo"
}

bench_sleep() {
	read -r -t "$1" -u "$BENCH_SLEEP_FD" _ 2>/dev/null
	return 0
}

# ---------------------------------------------------------------------------
# Running tracers next to a workload. The benchmarks share these globals:
#   TMP      their temporary directory (bench_setup)
#   NCPU     online CPUs (bench_setup)
#   OUT      where bench_start_tracer puts a tracer's stdout and stderr
#            (the benchmark sets it, a fresh directory per run)
#   TRACERS  PIDs of the tracers still running: the exit trap kills them
#   FAIL     1 once something went wrong that should fail the benchmark
#   BENCH_EXIT_OK[name]  exit statuses accepted from tracer NAME on
#            SIGINT (default "0")

declare -A BENCH_EXIT_OK=()
declare -A BENCH_TRACER_NAME=()

# shellcheck disable=SC2034  # TRACERS, FAIL, NCPU: for the benchmarks
# bench_setup: creates TMP and the traps that stop the tracers and clean up
# on exit, Ctrl-C or SIGTERM; sets up bench_sleep. A benchmark that needs
# more cleaning up defines bench_cleanup_hook, called once the tracers are
# gone and before TMP is removed.
bench_setup() {
	TMP=$(mktemp -d /tmp/memtrace-bench.XXXXXX) || bench_die "mktemp failed"
	TRACERS=()
	FAIL=0
	BENCH_START=$SECONDS
	NCPU=$(getconf _NPROCESSORS_ONLN)
	trap bench_cleanup EXIT
	# Ctrl-C comes more than once (from the terminal, forwarded by
	# timeout(1) and by run): a second signal must not cut the cleanup
	# short.
	trap 'trap "" INT TERM; exit 130' INT
	trap 'trap "" INT TERM; exit 143' TERM
	bench_sleep_init "$TMP" || bench_die "cannot create a FIFO in $TMP"
}

bench_cleanup() {
	local pid
	trap '' INT TERM
	for pid in "${TRACERS[@]}"; do
		kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	TRACERS=()
	if declare -F bench_cleanup_hook >/dev/null; then
		bench_cleanup_hook
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: the tracers' output is in $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}

bench_warn() {
	echo "bench: WARNING: $*" >&2
}

# bench_run_dir CONFIG ROUND: OUT, a fresh directory for a run (the
# readiness checks must not find the last run's lines, and BENCH_KEEP=1
# keeps them all).
bench_run_dir() {
	OUT=$TMP/$2.$1
	mkdir -p "$OUT"
}

# bench_start_tracer NAME COMMAND...: runs COMMAND in the background, stdout
# to $OUT/NAME.out (or $BENCH_STDOUT if set), stderr to $OUT/NAME.err; its
# PID is in LAST_PID.
bench_start_tracer() {
	local name=$1
	shift
	"$@" </dev/null >"${BENCH_STDOUT:-$OUT/$name.out}" 2>"$OUT/$name.err" {BENCH_SLEEP_FD}<&- &
	LAST_PID=$!
	TRACERS+=("$LAST_PID")
	BENCH_TRACER_NAME[$LAST_PID]=$name
}

# bench_wait_ready PID NAME CHECK [ARGS...]: returns once CHECK ARGS
# succeeds; dies if the tracer exits first or is not ready within 30 s
# (some parse the kernel's BTF first, which takes a while on a small VM).
bench_wait_ready() {
	local pid=$1 name=$2 i
	shift 2
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || break
		bench_sleep 0.05
	done
	bench_die "$name did not start: $(cat "$OUT/$name.err" 2>/dev/null)"
}

# bench_memtrace_ready FILE COMMAND: memtrace COMMAND -v says "ready" on
# stderr (FILE) once every hook is attached; events from then on wait in
# its ring buffer until it reads them.
bench_memtrace_ready() {
	local err
	[ -f "$1" ] || return 1   # the background shell may not have created it yet
	err=$(<"$1")
	[[ $err == *"memtrace $2: ready"* ]]
}

# bench_perfbuf_ready PID: for libbpf-tools writing to a file (fully
# buffered: their header is not there to see until they exit). Looks
# instead for what their main loop waits on: libbpf's perf buffer
# registers one perf event per online CPU in its epoll set (after attaching
# the programs and filling the perf event array), and the epoll fd's
# fdinfo lists them ("tfd:" lines).
bench_perfbuf_ready() {
	local pid=$1 fd n
	for fd in /proc/"$pid"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "anon_inode:[eventpoll]" ] || continue
		n=$(grep -c '^tfd:' "/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null)
		[ "${n:-0}" -ge "$NCPU" ] && return 0
	done
	return 1
}

# bench_start_memtrace NAME COMMAND [ARGS...]: memtrace COMMAND ARGS -v as
# tracer NAME; returns once every hook is attached.
bench_start_memtrace() {
	local name=$1
	shift
	bench_start_tracer "$name" "$MEMTRACE" "$@" -v
	bench_wait_ready "$LAST_PID" "$name" bench_memtrace_ready "$OUT/$name.err" "$1"
}

# bench_cpu_ticks PID...: utime + stime of the PIDs, in TICKS (no fork: a
# subshell's exit would be one more event for the tracers to see).
bench_cpu_ticks() {
	local pid stat f
	TICKS=0
	for pid; do
		read -r stat <"/proc/$pid/stat" 2>/dev/null || continue
		read -r -a f <<<"${stat##*) }"
		TICKS=$((TICKS + f[11] + f[12]))
	done
}

# bench_wait_idle PID...: the workload is over, but the tracers may still
# be reading its events, and some drop what is left in their buffers on
# SIGINT. Waits until they used no CPU for 0.3 s, at most 15 s.
bench_wait_idle() {
	local i still=0 last
	bench_cpu_ticks "$@"
	last=$TICKS
	for ((i = 0; i < 150 && still < 3; i++)); do
		bench_sleep 0.1
		bench_cpu_ticks "$@"
		if [ "$TICKS" = "$last" ]; then
			still=$((still + 1))
		else
			still=0
		fi
		last=$TICKS
	done
	[ $still -ge 3 ] ||
		bench_warn "tracers still busy 15 s after the workload; stopping them anyway"
}

# bench_stop_tracers: SIGINT (as Ctrl-C, so they print their summaries) to
# every running tracer, at most 20 s to exit, then SIGKILL. An exit status
# not in BENCH_EXIT_OK[name] (default 0) sets FAIL.
# shellcheck disable=SC2034  # FAIL: for the benchmarks
bench_stop_tracers() {
	local pid i alive status name
	for pid in "${TRACERS[@]}"; do
		kill -INT "$pid" 2>/dev/null
	done
	for ((i = 0; i < 200; i++)); do
		alive=0
		for pid in "${TRACERS[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		bench_sleep 0.1
	done
	for pid in "${TRACERS[@]}"; do
		name=${BENCH_TRACER_NAME[$pid]:-$pid}
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null
			bench_warn "tracer $name ($pid) did not stop on SIGINT: killed"
			FAIL=1
		fi
		status=0
		wait "$pid" 2>/dev/null || status=$?
		if [[ " ${BENCH_EXIT_OK[$name]:-0} " != *" $status "* ]]; then
			bench_warn "tracer $name ($pid) exited with status $status"
			FAIL=1
		fi
		unset "BENCH_TRACER_NAME[$pid]"
	done
	TRACERS=()
}

# bench_stop_when_idle: the workload is over; stops the tracers once they
# have read what it made them see.
bench_stop_when_idle() {
	bench_wait_idle "${TRACERS[@]}"
	bench_stop_tracers
}

# bench_other_tracers: "comm(pid)" of the processes holding BPF programs of
# the tracing kinds (kprobe 2, tracepoint 5, perf_event 7, raw_tracepoint 17
# and 24, tracing 26): they slow every run, untraced included.
bench_other_tracers() {
	local fd pid
	find /proc/[0-9]*/fd -lname 'anon_inode:bpf-prog' 2>/dev/null |
	while read -r fd; do
		pid=${fd#/proc/}
		pid=${pid%%/*}
		grep -qE '^prog_type:[[:space:]]+(2|5|7|17|24|26)$' \
			"/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null || continue
		echo "$(cat "/proc/$pid/comm" 2>/dev/null)($pid)"
	done | sort -u | tr '\n' ' '
}

# bench_note_tracers WHAT: a note when other tracers are running: they slow
# every WHAT.
bench_note_tracers() {
	local others
	others=$(bench_other_tracers)
	[ -z "$others" ] ||
		echo "NOTE: other tracers are running (${others% }); they slow every $1"
}

# bench_banner PEERS: the kernel (also in KERNEL), CPUs, memtrace's version
# and PEERS, the other tools' versions.
bench_banner() {
	KERNEL=$(uname -r)
	echo "kernel $KERNEL, $NCPU CPUs; $("$MEMTRACE" --version 2>&1); $1"
}

# bench_rounds ROUNDS FN CONFIG...: ROUNDS rounds of FN CONFIG ROUND for
# each CONFIG. The order is rotated each round: a configuration always run
# right after a tracer exits (the kernel freeing its BPF objects, buffers)
# would otherwise be slowed alone.
bench_rounds() {
	local rounds=$1 fn=$2 round k
	shift 2
	for ((round = 1; round <= rounds; round++)); do
		for ((k = 0; k < $#; k++)); do
			"$fn" "${@:(round - 1 + k) % $# + 1:1}" "$round"
		done
	done
}

# bench_finish NAME: how long the benchmark took, and its failure (exit 1)
# if something went wrong.
bench_finish() {
	echo
	echo "$1 bench: took $((SECONDS - BENCH_START)) s"
	[ "$FAIL" = 0 ] || { echo "$1 bench: FAILED (see the warnings above)"; exit 1; }
}

# bench_median: of the numbers on stdin.
bench_median() {
	sort -g | awk '{ v[NR] = $1 }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_median_list: the median of a run list on stdin (" 12.5 13.1 ...");
# nothing when it is empty.
bench_median_list() {
	local v
	v=$(tr ' ' '\n' | grep .) || return 0
	bench_median <<<"$v"
}

# bench_ratio A B: A / B, to two decimals (0 when B is not above 0).
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

# Results files: a line "KEY ROUND VALUE ..." per run.

# bench_stats FILE KEY FORMAT: BENCH_MED, the median VALUE of KEY's runs, and
# BENCH_RANGE, the lowest and highest ("lo-hi", each in FORMAT).
# shellcheck disable=SC2034  # BENCH_MED, BENCH_RANGE: for the benchmarks
bench_stats() {
	local vals
	vals=$(awk -v k="$2" '$1 == k { print $3 }' "$1")
	BENCH_MED=$(bench_median <<<"$vals")
	BENCH_RANGE=$(sort -g <<<"$vals" |
		awk -v f="$3" 'NR == 1 { lo = $1 } { hi = $1 } END { printf f "-" f, lo, hi }')
}

# bench_round_ratios FILE BASE KEY: "lo hi", the lowest and highest ratio of
# KEY's VALUE to BASE's of the same round.
bench_round_ratios() {
	awk -v b="$2" -v k="$3" '
		$1 == b { base[$2] = $3 }
		$1 == k { v[$2] = $3 }
		END {
			for (r in v) {
				q = v[r] / base[r]
				if (lo == "" || q < lo) lo = q
				if (hi == "" || q > hi) hi = q
			}
			printf "%.2f %.2f\n", lo, hi
		}' "$1"
}

# bench_wait_for FILE PATTERN: polls (at most 20 s) until FILE has a line
# matching PATTERN (grep); 1 if it never does.
bench_wait_for() {
	local i
	for ((i = 0; i < 400; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# bench_time COMMAND...: runs COMMAND (a program or a shell function), stdin
# from /dev/null, stdout to /dev/null, stderr to $BENCH_TIME_ERR (default
# /dev/null); its wall-clock time in US (microseconds, from bash's
# EPOCHREALTIME: no fork of our own inside the measure) and its exit status
# in STATUS. Whole-command times: fork, exec, loading and exit included.
# shellcheck disable=SC2034  # US, STATUS: for the benchmarks
bench_time() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" </dev/null >/dev/null 2>"${BENCH_TIME_ERR:-/dev/null}"
	STATUS=$?
	t1=$EPOCHREALTIME
	# "seconds.microseconds", the point as the locale has it.
	t0=${t0/[.,]/} t1=${t1/[.,]/}
	US=$((10#$t1 - 10#$t0))
}
