#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# setxattr benchmark of `memtrace kmalloc`: how much slower a loop of
# setxattr(2) runs (ns per call) under it, next to what a user would
# otherwise run (a bpftrace one-liner, perf kmem record), and whether its
# stream loses events at the machine's full setxattr rate.
#
# Each setxattr of a SIZE-byte value on tmpfs makes about 3 kmallocs
# (vmemdup_user of the value, simple_xattr_alloc, simple_xattr_set), all
# seen system-wide by every tracer below. Configurations, each round
# running the workload (COUNT setxattr calls) once under each:
#   untraced
#   memtrace kmalloc --top 10 -v > file     (counted in the kernel)
#   memtrace kmalloc -v > /dev/null         (stream of every kmalloc)
#   bpftrace -e 'tracepoint:kmem:kmalloc { @[kstack(1)] = count(); }'
#   perf kmem record -o FILE                (-a: every CPU)
#   memtrace kmalloc -v > file              (stream, text, unfiltered)
# The last one also counts the workload's kmallocs against the kernel's
# own count: kmem:kmalloc enabled in a tracefs instance of ours, filtered
# on the workload's comm (its "entries-written" counts every event that
# passed the filter, even those overwritten in its small buffer). That
# filtered event runs on every kmalloc during that configuration only.
#
#   BENCH_KMALLOC_COUNT   setxattr calls per run (default 500000, ~0.5 s
#                         untraced at ~1 us per call)
#   BENCH_KMALLOC_ROUNDS  rounds (default 5)
#   BENCH_KEEP=1          keep the tracers' output (the temporary
#                         directory), except perf.data and the stream file
#                         of "memtrace kmalloc > file" (hundreds of MB a
#                         round), deleted every round
#   BPFTRACE, PERF        the peers (default: bpftrace and perf in PATH)
#
# Needs tracefs at /sys/kernel/tracing (perf's kmem tracepoints, our
# count): mounted here if it is not, and left mounted.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.bash
. tests/bench/lib.bash

bench_count COUNT BENCH_KMALLOC_COUNT 500000
bench_count R BENCH_KMALLOC_ROUNDS 5
SIZE=3001
BPFTRACE=${BPFTRACE:-$(command -v bpftrace)}
PERF=${PERF:-$(command -v perf)}
TRACEFS=/sys/kernel/tracing
bench_check || exit 1

bad=0
bench_need_built "$BENCH_WL/xattr" || bad=1
perf_works() { "$1" version >/dev/null 2>&1; }
bench_need_peer BPFTRACE bpftrace bpftrace || bad=1
bench_need_peer PERF perf linux-perf perf_works || bad=1
bench_need_commands mount umount mountpoint mkfifo || bad=1
[ $bad = 0 ] || exit 1

CONFIGS=(untraced mt_top mt_stream bpftrace perf mt_file)
declare -A LABEL=(
	[untraced]="untraced"
	[mt_top]="memtrace kmalloc --top 10"
	[mt_stream]="memtrace kmalloc > /dev/null"
	[bpftrace]="bpftrace kstack(1) count()"
	[perf]="perf kmem record"
	[mt_file]="memtrace kmalloc > file"
)
BPFTRACE_PROG='tracepoint:kmem:kmalloc { @[kstack(1)] = count(); }'

bench_setup
# perf record exits with 128 + SIGINT once it has written perf.data.
BENCH_EXIT_OK[perf]="0 130"
MNT=$TMP/mnt
MOUNTED=
FT=                 # our tracefs instance, while it exists
PERF_CTL='' PERF_ACK=''  # perf's control and ack FIFOs, while open

bench_cleanup_hook() {
	[ -z "$PERF_CTL" ] || exec {PERF_CTL}>&-
	[ -z "$PERF_ACK" ] || exec {PERF_ACK}<&-
	if [ -n "$FT" ] && [ -d "$FT" ]; then
		echo 0 >"$FT/events/kmem/kmalloc/enable" 2>/dev/null
		rmdir "$FT" 2>/dev/null || bench_warn "cannot remove the tracefs instance $FT"
	fi
	if [ -n "$MOUNTED" ]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null ||
			bench_warn "cannot unmount $MNT"
	fi
}

if ! mountpoint -q "$TRACEFS"; then
	mount -t tracefs nodev "$TRACEFS" || bench_die "cannot mount tracefs at $TRACEFS"
	echo "(mounted tracefs at $TRACEFS: perf kmem needs it; left mounted)"
fi
[ -d "$TRACEFS/events/kmem/kmalloc" ] ||
	bench_die "no kmem:kmalloc tracepoint in $TRACEFS/events"
[ -d "$TRACEFS/instances" ] || bench_die "no $TRACEFS/instances (tracefs instances)"

mkdir "$MNT" || bench_die "cannot create $MNT"
mount -t tmpfs -o size=1m none "$MNT" || bench_die "cannot mount a tmpfs on $MNT"
MOUNTED=1
FILE=$MNT/file
: >"$FILE" || bench_die "cannot create $FILE"

# A command name nothing else on the machine has (at most 15 characters),
# so that the workload's kmallocs can be told from everything else.
COMM=mtk$RANDOM$RANDOM
WL_LIMIT=$((30 + COUNT / 10000))

# workload: one run of COUNT setxattr calls; ns per call in NS.
workload() {
	local out
	out=$(timeout --foreground -k 5 "$WL_LIMIT" \
		"$BENCH_WL/xattr" --comm "$COMM" "$FILE" "$SIZE" "$COUNT" 2>&1) ||
		bench_die "xattr failed (status $?): $out"
	[[ $out =~ ^pid\ [0-9]+\ tid\ [0-9]+\ size\ ([0-9]+)\ count\ ([0-9]+)\ ns_per_call\ ([0-9.]+)$ ]] ||
		bench_die "unexpected xattr output: $out"
	if [ "${BASH_REMATCH[1]}" != "$SIZE" ] || [ "${BASH_REMATCH[2]}" != "$COUNT" ]; then
		bench_die "xattr: $out (expected size $SIZE count $COUNT)"
	fi
	NS=${BASH_REMATCH[3]}
}

# The kernel's own count of the workload's kmallocs: kmem:kmalloc in a
# tracefs instance of ours, filtered on COMM. Its buffer is small: we only
# want "entries-written" (kept + overwritten) from the header of its trace.
ftrace_start() {
	FT=$TRACEFS/instances/memtrace-bench-$$
	mkdir "$FT" || bench_die "cannot create the tracefs instance $FT"
	if ! { echo 64 >"$FT/buffer_size_kb" &&
	       echo "comm == \"$COMM\"" >"$FT/events/kmem/kmalloc/filter" &&
	       echo 1 >"$FT/events/kmem/kmalloc/enable"; }; then
		bench_die "cannot enable kmem:kmalloc filtered on comm in $FT"
	fi
}

# ftrace_stop: EXPECTED, the kernel's count since ftrace_start.
ftrace_stop() {
	local co
	echo 0 >"$FT/events/kmem/kmalloc/enable"
	EXPECTED=$(head -n 5 "$FT/trace" |
		sed -n 's/^# entries-in-buffer\/entries-written: [0-9]*\/\([0-9]*\).*/\1/p')
	# Events lost to nested writes would not be in that count.
	co=$(cat "$FT"/per_cpu/cpu*/stats 2>/dev/null |
		awk '/^commit overrun:/ { n += $3 } END { print n + 0 }')
	[ "$co" = 0 ] || bench_warn "tracefs lost $co events (commit overrun): the expected count is low"
	rmdir "$FT" || bench_warn "cannot remove the tracefs instance $FT"
	FT=
	[ -n "$EXPECTED" ] || bench_die "no entries-written in the tracefs instance's trace"
}

# bpftrace prints "Attaching 1 probe..." before it attaches, and its stdout
# is a file here (buffered). Its runtime tests wait instead for this line,
# printed (and flushed, on stderr in 0.17) once every probe is attached.
bpftrace_ready() {
	local f
	for f in "$OUT/bpftrace.err" "$OUT/bpftrace.out"; do
		[ -f "$f" ] && [[ $(<"$f") == *__BPFTRACE_NOTIFY_PROBES_ATTACHED* ]] && return 0
	done
	return 1
}

# perf opens its perf_event fds (one per CPU per event) well before it
# records: it enables the events only after writing the header and
# synthesizing every existing thread. So it starts with its events
# disabled (-D -1), we ask for "enable" on its control FIFO, and it
# answers "ack" on the other once they are enabled.
perf_acked() {
	local line
	read -r -t 0.05 -u "$PERF_ACK" line && [ "$line" = ack ]
}

# memtrace_lost FILE: memtrace's count of lost events, from its warning
# on stderr ("warning: N events lost: ..."); 0 without one.
memtrace_lost() {
	local n
	n=$(sed -n 's/^memtrace kmalloc: warning: \([0-9]*\) events lost.*/\1/p' "$1" |
		awk '{ n += $1 } END { print n + 0 }')
	echo "$n"
}

# run_config CONFIG ROUND: one workload run under CONFIG; records its ns
# per call, and for the streams what they saw and lost.
run_config() {
	local cfg=$1 round=$2 calls sum_lost
	bench_run_dir "$cfg" "$round"
	SEEN=- EXPECTED=- LOST=-
	case $cfg in
	untraced)
		workload
		;;
	mt_top)
		bench_start_memtrace mt_top kmalloc --top 10
		workload
		bench_stop_when_idle
		# It did count: the call site of the value's copy has every call.
		calls=$(awk '$1 ~ /^vmemdup_user\+/ { n += $2 } END { print n + 0 }' "$OUT/mt_top.out")
		if [ "$calls" -lt "$COUNT" ]; then
			bench_warn "memtrace --top: $calls calls from vmemdup_user, expected at least $COUNT (round $round)"
			FAIL=1
		fi
		;;
	mt_stream)
		BENCH_STDOUT=/dev/null bench_start_memtrace mt_stream kmalloc
		workload
		bench_stop_when_idle
		LOST=$(memtrace_lost "$OUT/mt_stream.err")
		;;
	bpftrace)
		bench_start_tracer bpftrace env __BPFTRACE_NOTIFY_PROBES_ATTACHED=1 \
			"$BPFTRACE" -e "$BPFTRACE_PROG"
		bench_wait_ready "$LAST_PID" bpftrace bpftrace_ready
		workload
		bench_stop_when_idle
		if ! grep -q '^@\[' "$OUT/bpftrace.out"; then
			bench_warn "bpftrace printed no map (round $round): $(head -c 300 "$OUT/bpftrace.err")"
			FAIL=1
		fi
		;;
	perf)
		rm -f "$TMP/perf.data"
		mkfifo "$OUT/perf.ctl" "$OUT/perf.ack" || bench_die "cannot create FIFOs in $OUT"
		# Open both ends first: perf opens the ack FIFO write-only
		# without blocking, which fails with no reader.
		exec {PERF_CTL}<>"$OUT/perf.ctl" {PERF_ACK}<>"$OUT/perf.ack"
		bench_start_tracer perf "$PERF" kmem record -o "$TMP/perf.data" \
			-D -1 --control "fifo:$OUT/perf.ctl,$OUT/perf.ack"
		echo enable >&"$PERF_CTL"
		bench_wait_ready "$LAST_PID" perf perf_acked
		workload
		bench_stop_when_idle
		exec {PERF_CTL}>&- {PERF_ACK}<&-
		PERF_CTL='' PERF_ACK=''
		if ! grep -q 'Captured and wrote' "$OUT/perf.err"; then
			bench_warn "perf wrote no perf.data (round $round): $(head -c 300 "$OUT/perf.err")"
			FAIL=1
		fi
		# perf counts what it lost in chunks of its ring buffer, not events.
		LOST=$(sed -n 's/.*Processed [0-9]* events and lost \([0-9]*\) chunks.*/\1/p' "$OUT/perf.err" |
			awk '{ n += $1 } END { print n + 0 }')
		ls -l "$TMP/perf.data" >"$OUT/perf.data.size" 2>/dev/null
		rm -f "$TMP/perf.data"
		;;
	mt_file)
		ftrace_start
		bench_start_memtrace mt_file kmalloc
		workload
		bench_stop_when_idle
		ftrace_stop
		# Lines of the workload's comm (the 4th column).
		SEEN=$(awk -v c="$COMM" '$4 == c { n++ } END { print n + 0 }' "$OUT/mt_file.out")
		LOST=$(memtrace_lost "$OUT/mt_file.err")
		# Its summary must be there (it exited cleanly) and agree.
		sum_lost=$(tail -n 1 "$OUT/mt_file.out" |
			sed -n 's/^Summary: [0-9]* kmalloc events, \([0-9]*\) lost.*/\1/p')
		if [ -z "$sum_lost" ]; then
			bench_warn "memtrace kmalloc > file: no summary line (round $round)"
			FAIL=1
		elif [ "$sum_lost" != "$LOST" ]; then
			bench_warn "memtrace kmalloc > file: summary says $sum_lost lost, stderr $LOST (round $round)"
		fi
		ls -l "$OUT/mt_file.out" >"$OUT/mt_file.out.size"
		rm -f "$OUT/mt_file.out"
		;;
	esac
	echo "$cfg $round $NS $SEEN $EXPECTED $LOST" >>"$TMP/results"
	printf '  round %d/%d  %-30s %7.0f ns/call' "$round" "$R" "${LABEL[$cfg]}" "$NS"
	case $cfg in
	mt_stream) printf '  lost %s (memtrace)' "$LOST" ;;
	mt_file) printf '  workload kmallocs seen %s/%s  lost %s (memtrace)' "$SEEN" "$EXPECTED" "$LOST" ;;
	perf) printf '  lost %s chunks (perf)' "$LOST" ;;
	esac
	echo
}

BPFTRACE_VERSION=$("$BPFTRACE" --version 2>/dev/null | awk '{ print $2 }')
PERF_VERSION=$("$PERF" version 2>/dev/null | awk '{ print $3 }')

echo "kmalloc bench: setxattr of $SIZE bytes on tmpfs x $COUNT per run, rounds: $R, configurations interleaved"
bench_banner "bpftrace ${BPFTRACE_VERSION:-?}; perf ${PERF_VERSION:-?}"
echo "Only the ratios to untraced matter: absolute ns per call vary between machines."
bench_note_tracers "run and skew the ratios"
echo

# One untimed run first: the first setxattr calls on a fresh tmpfs (and
# the first run of the binary) pay for misses the others do not.
workload

bench_rounds "$R" run_config "${CONFIGS[@]}"

# Summaries, from $TMP/results ("config round ns seen expected lost").
base_median=$(awk '$1 == "untraced" { print $3 }' "$TMP/results" | bench_median)
echo
printf '%-30s %8s %11s %6s %11s %9s %19s %10s\n' configuration ns/call min-max \
	ratio ratio-range "added ns" "kmallocs seen" lost
NOTES=()
declare -A RATIO ADDED RLO RHI
for cfg in "${CONFIGS[@]}"; do
	bench_stats "$TMP/results" "$cfg" %.0f
	if [ "$cfg" = untraced ]; then
		printf '%-30s %8.0f %11s %6s %11s %9s %19s %10s\n' "${LABEL[$cfg]}" \
			"$BENCH_MED" "$BENCH_RANGE" 1.00x - - - -
		continue
	fi
	RATIO[$cfg]=$(bench_ratio "$BENCH_MED" "$base_median")
	ADDED[$cfg]=$(awk -v m="$BENCH_MED" -v b="$base_median" 'BEGIN { printf "%.0f", m - b }')
	# Per-round ratios, each run against the untraced one of its round.
	read -r lo hi < <(bench_round_ratios "$TMP/results" untraced "$cfg")
	RLO[$cfg]=$lo RHI[$cfg]=$hi
	read -r seen expected lost < <(awk -v c="$cfg" '
		$1 == c { s += $4; e += $5; l += $6 }
		END { print s, e, l }' "$TMP/results")
	seen_col=- lost_col=- note=""
	case $cfg in
	mt_stream)
		lost_col=$lost
		note=", $lost events lost (memtrace's count, system-wide)"
		;;
	perf)
		lost_col="$lost chunks"
		note=", lost $lost chunks of its buffer (perf's count)"
		;;
	mt_file)
		seen_col=$seen/$expected
		lost_col=$lost
		note=", workload's kmallocs seen $seen/$expected, $lost lost (memtrace's count, system-wide)"
		;;
	esac
	printf '%-30s %8.0f %11s %6s %11s %9s %19s %10s\n' "${LABEL[$cfg]}" "$BENCH_MED" "$BENCH_RANGE" \
		"${RATIO[$cfg]}x" "${RLO[$cfg]}-${RHI[$cfg]}" "+${ADDED[$cfg]}" "$seen_col" "$lost_col"
	NOTES+=("kmalloc bench: ${LABEL[$cfg]} ${RATIO[$cfg]}x untraced (${RLO[$cfg]}-${RHI[$cfg]}), +${ADDED[$cfg]} ns per setxattr$note")
done

# Target 1: aggregated mode adds less overhead than the bpftrace one-liner
# (medians), with the number of rounds where it did, run for run.
wins=$(awk '
	$1 == "untraced" { base[$2] = $3 }
	$1 == "mt_top" { top[$2] = $3 }
	$1 == "bpftrace" { bt[$2] = $3 }
	END { for (r in top) if (top[r] < bt[r]) n++; print n + 0 }' "$TMP/results")
if awk -v a="${ADDED[mt_top]}" -v b="${ADDED[bpftrace]}" 'BEGIN { exit !(a < b) }'; then
	t1=met
else
	t1="NOT met"
fi
# Target 2: stream mode loses nothing at full rate: every round, the file
# has every kmalloc of the workload and memtrace lost nothing, to the file
# or to /dev/null.
read -r bad_rounds f_seen f_exp f_lost s_lost < <(awk '
	$1 == "mt_file" { s += $4; e += $5; l += $6; if ($4 != $5 || $6 != 0) bad[$2] = 1 }
	$1 == "mt_stream" { sl += $6; if ($6 != 0) bad[$2] = 1 }
	END { for (r in bad) n++; print n + 0, s, e, l, sl }' "$TMP/results")
if [ "$bad_rounds" = 0 ]; then
	t2=met
else
	t2="NOT met"
fi

cat <<EOF

ns/call: median ns per setxattr over the rounds (min-max: the fastest and
slowest run). ratio: median traced / median untraced. ratio-range: the
lowest and highest per-round ratio (each run against the untraced one of its
round). added ns: median traced - median untraced, per setxattr (~3 kmallocs).
kmallocs seen: lines of the workload's comm ($COMM) in memtrace's
output, all rounds, against the kernel's own count of its kmem:kmalloc
events (a tracefs instance filtered on that comm, enabled during that
configuration only, so its ns/call include that filter's cost).
lost: memtrace's count (stderr warning), system-wide; perf: the chunks its
"lost N chunks" warning reports. bpftrace and --top count in maps: nothing to
lose. perf kmem record also records kfree and kmem_cache_alloc/free.

EOF
for n in "${NOTES[@]}"; do
	echo "$n [setxattr x $COUNT x $R rounds, Linux $KERNEL, $NCPU CPUs]"
done
echo "kmalloc bench: target 'aggregated mode adds less overhead than the bpftrace one-liner': $t1 (+${ADDED[mt_top]} vs +${ADDED[bpftrace]} ns per setxattr, ${RATIO[mt_top]}x vs ${RATIO[bpftrace]}x; lower in $wins of $R rounds)"
echo "kmalloc bench: target 'stream mode loses nothing at full rate': $t2 (> file: $f_seen/$f_exp of the workload's kmallocs seen, $f_lost lost; > /dev/null: $s_lost lost; rounds with a loss: $bad_rounds of $R)"
bench_finish kmalloc
