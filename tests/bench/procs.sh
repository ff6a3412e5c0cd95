#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Exec-storm benchmark of `memtrace procs`: how much slower an exec storm
# runs under it, and whether it prints every event, next to libbpf-tools
# execsnoop + exitsnoop (what a user would otherwise run for exec + exit).
#
# Configurations, each round running one storm of N children under each:
#   untraced
#   memtrace procs -v > file                   (unfiltered text)
#   memtrace procs --json -c COMM -v > file     (in-kernel comm filter)
#   execsnoop > file & exitsnoop > file
#
#   BENCH_PROCS_N       children per storm (default 2000)
#   BENCH_PROCS_ROUNDS  rounds (default 5)
#   BENCH_KEEP=1        keep the tracers' output (the temporary directory)
#
# -v only adds a few lines on stderr at start, "ready" last: how we know memtrace is
# attached.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.bash
. tests/bench/lib.bash

N=${BENCH_PROCS_N:-2000}
R=${BENCH_PROCS_ROUNDS:-5}
[[ $N =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_PROCS_N must be a positive integer"
[[ $R =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_PROCS_ROUNDS must be a positive integer"
bench_check || exit 1

CONFIGS=(untraced mt_text mt_json peers)
declare -A LABEL=(
	[untraced]="untraced"
	[mt_text]="memtrace procs > file"
	[mt_json]="memtrace procs --json -c"
	[peers]="execsnoop + exitsnoop"
)

TMP=$(mktemp -d /tmp/memtrace-bench.XXXXXX) || bench_die "mktemp failed"
TRACERS=()   # PIDs still to stop: the exit trap kills them
FAIL=0

cleanup() {
	local pid
	trap '' INT TERM
	for pid in "${TRACERS[@]}"; do
		kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: the tracers' output is in $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
# Ctrl-C comes more than once (from the terminal, forwarded by timeout(1)
# and by run): a second signal must not cut the cleanup short.
trap 'trap "" INT TERM; exit 130' INT
trap 'trap "" INT TERM; exit 143' TERM

bench_sleep_init "$TMP" || bench_die "cannot create a FIFO in $TMP"
# A command name nothing else on the machine has, so that the events of the
# storm's children can be told from everything else the tracers print.
COMM=mtb$RANDOM$RANDOM
PROG=$TMP/$COMM
cp "$BENCH_WL/noop" "$PROG" || bench_die "cannot copy $BENCH_WL/noop"
NCPU=$(getconf _NPROCESSORS_ONLN)
STORM_LIMIT=$((60 + N / 20))

warn() {
	echo "bench: WARNING: $*" >&2
}

# start_tracer NAME COMMAND...: runs COMMAND in the background, stdout to
# $OUT/NAME.out, stderr to $OUT/NAME.err; its PID is in LAST_PID.
start_tracer() {
	local name=$1
	shift
	"$@" </dev/null >"$OUT/$name.out" 2>"$OUT/$name.err" {BENCH_SLEEP_FD}<&- &
	LAST_PID=$!
	TRACERS+=("$LAST_PID")
}

# wait_ready PID NAME CHECK [ARGS...]: returns once CHECK ARGS succeeds;
# dies if the tracer exits first or is not ready within 30 s (the peers
# parse the kernel's BTF first, which takes a while on a small VM).
wait_ready() {
	local pid=$1 name=$2 i
	shift 2
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || break
		bench_sleep 0.05
	done
	bench_die "$name did not start: $(cat "$OUT/$name.err" 2>/dev/null)"
}

# memtrace -v says "ready" once every hook is attached;
# events from then on wait in its ring buffer until it reads them.
memtrace_ready() {
	local err
	[ -f "$1" ] || return 1   # the background shell may not have created it yet
	err=$(<"$1")
	[[ $err == *"memtrace procs: ready"* ]]
}

# The peers' stdout is a file, so fully buffered: their header is not there
# to see until they exit. Instead, look for what their main loop waits on:
# libbpf's perf buffer registers one perf event per online CPU in its epoll
# set (after attaching the programs and filling the perf event array), and
# the epoll fd's fdinfo lists them ("tfd:" lines).
perfbuf_ready() {
	local pid=$1 fd n
	for fd in /proc/"$pid"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "anon_inode:[eventpoll]" ] || continue
		n=$(grep -c '^tfd:' "/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null)
		[ "${n:-0}" -ge "$NCPU" ] && return 0
	done
	return 1
}

# cpu_ticks PID...: utime + stime of the PIDs, in TICKS (no fork: a
# subshell's exit would be one more event for the tracers to print).
cpu_ticks() {
	local pid stat f
	TICKS=0
	for pid; do
		read -r stat <"/proc/$pid/stat" 2>/dev/null || continue
		read -r -a f <<<"${stat##*) }"
		TICKS=$((TICKS + f[11] + f[12]))
	done
}

# wait_idle PID...: the storm is over, but the tracers may still be reading
# its events; the peers drop what is left in their perf buffers on SIGINT.
# Waits until they used no CPU for 0.3 s, at most 15 s.
wait_idle() {
	local i still=0 last
	cpu_ticks "$@"
	last=$TICKS
	for ((i = 0; i < 150 && still < 3; i++)); do
		bench_sleep 0.1
		cpu_ticks "$@"
		if [ "$TICKS" = "$last" ]; then
			still=$((still + 1))
		else
			still=0
		fi
		last=$TICKS
	done
	[ $still -ge 3 ] || warn "tracers still busy 15 s after the storm; stopping them anyway"
}

# stop_tracers: SIGINT (as Ctrl-C, so they print their summaries) to every
# running tracer, at most 20 s to exit, then SIGKILL.
stop_tracers() {
	local pid i alive status
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
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null
			warn "tracer $pid did not stop on SIGINT: killed"
			FAIL=1
		fi
		status=0
		wait "$pid" 2>/dev/null || status=$?
		if [ $status != 0 ]; then
			warn "tracer $pid exited with status $status"
			FAIL=1
		fi
	done
	TRACERS=()
}

# storm: one exec storm; its rate (execs/s) in RATE.
storm() {
	local out
	out=$(timeout --foreground -k 5 "$STORM_LIMIT" "$BENCH_WL/execstorm" "$N" "$PROG") ||
		bench_die "execstorm failed (status $?): $out"
	[[ $out =~ ^spawned\ ([0-9]+)\ failed\ ([0-9]+)\ seconds\ ([0-9.]+)$ ]] ||
		bench_die "unexpected execstorm output: $out"
	if [ "${BASH_REMATCH[1]}" != "$N" ] || [ "${BASH_REMATCH[2]}" != 0 ]; then
		bench_die "execstorm: $out (expected $N children, 0 failed)"
	fi
	RATE=$(awk -v n="$N" -v s="${BASH_REMATCH[3]}" 'BEGIN { printf "%.0f", n / s }')
}

# Counting what each tracer printed for the storm's comm: EXEC_SEEN,
# EXIT_SEEN, and LOST, the tool's own count of lost events ("?" when it
# printed none although it should have).
count_mt_text() {
	read -r EXEC_SEEN EXIT_SEEN < <(awk -v c="$COMM" '
		$5 == c && $2 == "EXEC" { e++ }
		$5 == c && $2 == "EXIT" { x++ }
		END { print e + 0, x + 0 }' "$OUT/mt_text.out")
	LOST=$(sed -n 's/^Summary: [0-9]* exec, [0-9]* exit events, \([0-9]*\) lost.*/\1/p' \
		"$OUT/mt_text.out")
}

count_mt_json() {
	read -r EXEC_SEEN EXIT_SEEN < <(awk -v c="\"comm\":\"$COMM\"" '
		index($0, c) && /^\{"type":"exec"/ { e++ }
		index($0, c) && /^\{"type":"exit"/ { x++ }
		END { print e + 0, x + 0 }' "$OUT/mt_json.out")
	LOST=$(sed -n 's/^{"type":"summary",.*"lost":\([0-9]*\).*/\1/p' "$OUT/mt_json.out")
}

count_peers() {
	EXEC_SEEN=$(awk -v c="$COMM" '$1 == c { n++ } END { print n + 0 }' "$OUT/execsnoop.out")
	EXIT_SEEN=$(awk -v c="$COMM" '$1 == c { n++ } END { print n + 0 }' "$OUT/exitsnoop.out")
	# execsnoop: "Lost N events on CPU #c!"; exitsnoop: "lost N events on
	# CPU #c". Either may go to stdout or stderr depending on the version.
	LOST=$(cat "$OUT"/execsnoop.* "$OUT"/exitsnoop.* |
		grep -ioE 'lost [0-9]+ events' |
		awk '{ n += $2 } END { print n + 0 }')
}

# run_config CONFIG ROUND: one storm under CONFIG; records its rate and
# what the tracers saw.
run_config() {
	local cfg=$1 round=$2 pid2
	# A fresh directory per storm: the readiness checks must not find the
	# last storm's "via" lines (and BENCH_KEEP=1 keeps them all).
	OUT=$TMP/$round.$cfg
	mkdir -p "$OUT"
	EXEC_SEEN=- EXIT_SEEN=- LOST=-
	case $cfg in
	untraced)
		storm
		;;
	mt_text)
		start_tracer mt_text "$MEMTRACE" procs -v
		wait_ready "$LAST_PID" mt_text memtrace_ready "$OUT/mt_text.err"
		storm
		wait_idle "${TRACERS[@]}"
		stop_tracers
		count_mt_text
		;;
	mt_json)
		start_tracer mt_json "$MEMTRACE" procs --json -c "$COMM" -v
		wait_ready "$LAST_PID" mt_json memtrace_ready "$OUT/mt_json.err"
		storm
		wait_idle "${TRACERS[@]}"
		stop_tracers
		count_mt_json
		;;
	peers)
		start_tracer execsnoop "$EXECSNOOP"
		pid2=$LAST_PID
		start_tracer exitsnoop "$EXITSNOOP"
		wait_ready "$pid2" execsnoop perfbuf_ready "$pid2"
		wait_ready "$LAST_PID" exitsnoop perfbuf_ready "$LAST_PID"
		storm
		wait_idle "${TRACERS[@]}"
		stop_tracers
		count_peers
		;;
	esac
	if [ "$cfg" != untraced ] && [ -z "$LOST" ]; then
		warn "${LABEL[$cfg]}: no lost count in its output (round $round)"
		LOST="?"
		FAIL=1
	fi
	echo "$cfg $round $RATE $EXEC_SEEN $EXIT_SEEN $LOST" >>"$TMP/results"
	printf '  round %d/%d  %-26s %6s execs/s' "$round" "$R" "${LABEL[$cfg]}" "$RATE"
	[ "$cfg" = untraced ] ||
		printf '  exec %s/%s  exit %s/%s  reported lost %s' \
			"$EXEC_SEEN" "$N" "$EXIT_SEEN" "$N" "$LOST"
	echo
}

# other_tracers: "comm(pid)" of the processes holding BPF programs of the
# tracing kinds (kprobe 2, tracepoint 5, perf_event 7, raw_tracepoint 17
# and 24, tracing 26): they slow every storm, untraced included.
other_tracers() {
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

# median: of the numbers on stdin.
median() {
	sort -g | awk '{ v[NR] = $1 }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

KERNEL=$(uname -r)
PEER_VERSION=$(dpkg-query -W -f='${Version}' libbpf-tools 2>/dev/null || echo unknown)
START=$SECONDS

echo "procs bench: exec storms of $N children, rounds: $R, configurations interleaved"
echo "kernel $KERNEL, $NCPU CPUs; $("$MEMTRACE" --version 2>&1); libbpf-tools $PEER_VERSION"
echo "Only the ratios to untraced matter: absolute execs/s vary between machines."
others=$(other_tracers)
[ -z "$others" ] ||
	echo "NOTE: other tracers are running (${others% }); they slow every storm and skew the ratios"
echo

# One untimed storm first: the first run of a freshly copied program pays
# for page cache and dentry misses the others do not.
storm

for ((round = 1; round <= R; round++)); do
	# Rotate the order each round: a configuration always run right after
	# a tracer exits (kernel freeing its BPF objects, perf buffers) would
	# otherwise be slowed alone.
	for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
		run_config "${CONFIGS[(round - 1 + k) % ${#CONFIGS[@]}]}" "$round"
	done
done

# Summaries, from $TMP/results ("config round rate exec exit lost").
base_median=$(awk '$1 == "untraced" { print $3 }' "$TMP/results" | median)
expected=$((N * R))
echo
printf '%-26s %8s %9s %6s %11s %13s %13s %7s %8s\n' configuration execs/s \
	min-max ratio ratio-range "exec seen" "exit seen" missed reported
NOTES=()
for cfg in "${CONFIGS[@]}"; do
	rates=$(awk -v c="$cfg" '$1 == c { print $3 }' "$TMP/results")
	med=$(median <<<"$rates")
	range=$(sort -g <<<"$rates" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }')
	if [ "$cfg" = untraced ]; then
		printf '%-26s %8.0f %9s %6s %11s %13s %13s %7s %8s\n' "${LABEL[$cfg]}" \
			"$med" "$range" 1.00x - - - - -
		continue
	fi
	ratio=$(awk -v m="$med" -v b="$base_median" 'BEGIN { printf "%.2f", m / b }')
	# Per-round ratios, each storm against the untraced one of its round.
	ratio_range=$(awk -v c="$cfg" '
		$1 == "untraced" { base[$2] = $3 }
		$1 == c { rate[$2] = $3 }
		END {
			for (r in rate) {
				q = rate[r] / base[r]
				if (lo == "" || q < lo) lo = q
				if (hi == "" || q > hi) hi = q
			}
			printf "%.2f-%.2f", lo, hi
		}' "$TMP/results")
	read -r exec_seen exit_seen lost < <(awk -v c="$cfg" '
		$1 == c { e += $4; x += $5; if ($6 == "?") q = 1; else l += $6 }
		END { print e, x, q ? "?" : l }' "$TMP/results")
	missed=$((2 * expected - exec_seen - exit_seen))
	printf '%-26s %8.0f %9s %6s %11s %13s %13s %7s %8s\n' "${LABEL[$cfg]}" \
		"$med" "$range" "${ratio}x" "$ratio_range" \
		"$exec_seen/$expected" "$exit_seen/$expected" "$missed" "$lost"
	NOTES+=("procs bench: ${LABEL[$cfg]} ${ratio}x of untraced ($ratio_range), $missed of $((2 * expected)) events lost ($lost reported) [N=$N x $R, Linux $KERNEL, $NCPU CPUs]")
done
cat <<EOF

ratio: median execs/s traced / median untraced. ratio-range: the lowest and
highest per-round ratio (each storm against the untraced one of its round).
exec/exit seen: lines printed for the storm's children (comm $COMM),
all rounds. missed: expected - seen, exec and exit together. reported: the
tool's own lost count (memtrace: its summary, system-wide; execsnoop and
exitsnoop: their "lost N events" lines).

EOF
printf '%s\n' "${NOTES[@]}"
echo
echo "procs bench: took $((SECONDS - START)) s"
[ $FAIL = 0 ] || { echo "procs bench: FAILED (see the warnings above)"; exit 1; }
