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

bench_count N BENCH_PROCS_N 2000
bench_count R BENCH_PROCS_ROUNDS 5
bench_check || exit 1

CONFIGS=(untraced mt_text mt_json peers)
declare -A LABEL=(
	[untraced]="untraced"
	[mt_text]="memtrace procs > file"
	[mt_json]="memtrace procs --json -c"
	[peers]="execsnoop + exitsnoop"
)

bench_setup
# A command name nothing else on the machine has, so that the events of the
# storm's children can be told from everything else the tracers print.
COMM=mtb$RANDOM$RANDOM
PROG=$TMP/$COMM
cp "$BENCH_WL/noop" "$PROG" || bench_die "cannot copy $BENCH_WL/noop"
STORM_LIMIT=$((60 + N / 20))

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
	bench_run_dir "$cfg" "$round"
	EXEC_SEEN=- EXIT_SEEN=- LOST=-
	case $cfg in
	untraced)
		storm
		;;
	mt_text)
		bench_start_memtrace mt_text procs
		storm
		bench_stop_when_idle
		count_mt_text
		;;
	mt_json)
		bench_start_memtrace mt_json procs --json -c "$COMM"
		storm
		bench_stop_when_idle
		count_mt_json
		;;
	peers)
		bench_start_tracer execsnoop "$EXECSNOOP"
		pid2=$LAST_PID
		bench_start_tracer exitsnoop "$EXITSNOOP"
		bench_wait_ready "$pid2" execsnoop bench_perfbuf_ready "$pid2"
		bench_wait_ready "$LAST_PID" exitsnoop bench_perfbuf_ready "$LAST_PID"
		storm
		bench_stop_when_idle
		count_peers
		;;
	esac
	if [ "$cfg" != untraced ] && [ -z "$LOST" ]; then
		bench_warn "${LABEL[$cfg]}: no lost count in its output (round $round)"
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

PEER_VERSION=$(dpkg-query -W -f='${Version}' libbpf-tools 2>/dev/null || echo unknown)

echo "procs bench: exec storms of $N children, rounds: $R, configurations interleaved"
bench_banner "libbpf-tools $PEER_VERSION"
echo "Only the ratios to untraced matter: absolute execs/s vary between machines."
bench_note_tracers "storm and skew the ratios"
echo

# One untimed storm first: the first run of a freshly copied program pays
# for page cache and dentry misses the others do not.
storm

bench_rounds "$R" run_config "${CONFIGS[@]}"

# Summaries, from $TMP/results ("config round rate exec exit lost").
base_median=$(awk '$1 == "untraced" { print $3 }' "$TMP/results" | bench_median)
expected=$((N * R))
echo
printf '%-26s %8s %9s %6s %11s %13s %13s %7s %8s\n' configuration execs/s \
	min-max ratio ratio-range "exec seen" "exit seen" missed reported
NOTES=()
for cfg in "${CONFIGS[@]}"; do
	bench_stats "$TMP/results" "$cfg" %.0f
	if [ "$cfg" = untraced ]; then
		printf '%-26s %8.0f %9s %6s %11s %13s %13s %7s %8s\n' "${LABEL[$cfg]}" \
			"$BENCH_MED" "$BENCH_RANGE" 1.00x - - - - -
		continue
	fi
	ratio=$(bench_ratio "$BENCH_MED" "$base_median")
	# Per-round ratios, each storm against the untraced one of its round.
	read -r lo hi < <(bench_round_ratios "$TMP/results" untraced "$cfg")
	ratio_range=$lo-$hi
	read -r exec_seen exit_seen lost < <(awk -v c="$cfg" '
		$1 == c { e += $4; x += $5; if ($6 == "?") q = 1; else l += $6 }
		END { print e, x, q ? "?" : l }' "$TMP/results")
	missed=$((2 * expected - exec_seen - exit_seen))
	printf '%-26s %8.0f %9s %6s %11s %13s %13s %7s %8s\n' "${LABEL[$cfg]}" \
		"$BENCH_MED" "$BENCH_RANGE" "${ratio}x" "$ratio_range" \
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
bench_finish procs
