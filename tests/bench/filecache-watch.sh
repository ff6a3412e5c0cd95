#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Overhead of `memtrace filecache --watch` on read-heavy work, next to
# what a user would run instead, in one run, as ratios to the untraced
# time; and whether it loses events at the machine's full rate.
#
# Workloads, each evicted first (POSIX_FADV_DONTNEED, checked with
# mincore) so that every page read is added to the page cache while it is
# timed. The files are on ext4 on a loop device whose image lives in a
# tmpfs: reading them costs memory copies, not a disk's time (which on a
# VM's virtual disk varies from run to run by more than any tracer costs),
# so that pages enter the cache as fast as the CPU adds them, the full
# rate a tracer must keep up with:
#   big   a 1 GiB file, read whole by one process with the kernel's
#         readahead (pages readall)
#   tree  10,000 small files in 100 directories (pages tree), read by
#         pages readall through find | xargs
# Configurations, run in an order rotated every round:
#   untraced
#   memtrace filecache --watch > /dev/null          every file, system-wide
#   memtrace filecache --watch --json DIR > file    the benchmark's files
#   cachestat (libbpf-tools)                        if it loads: on this
#       machine it does not (it attaches fentry or kprobes, neither of
#       which the kernel gives); it is reported, and left out
#   bpftrace on the same tracepoints, pages per file and command added and
#       per file removed: what a user would write instead
# The summary gives each configuration's median and its fastest run, each
# against the untraced one's: where the machine slows some runs of every
# configuration (a VM handing freed memory back to its host: see the NOTE),
# the fastest runs are the least disturbed.
# The --json run's row of the big file must have exactly the pages mincore
# counts cached after the read (and, for the tree, the sum of its files);
# what it lost is from its final summary.
#
#   BENCH_WATCH_ROUNDS   timed rounds (default 7)
#   BENCH_WATCH_DIR      a directory of a disk filesystem to make the files
#                        in instead (~1.2 GiB free)
#   BPFTRACE, CACHESTAT  the peers (default: bpftrace in PATH,
#                        /usr/sbin/cachestat)
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.bash
. tests/bench/lib.bash

bench_count R BENCH_WATCH_ROUNDS 7
DATA_PARENT=${BENCH_WATCH_DIR:-}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace)}
CACHESTAT=${CACHESTAT:-/usr/sbin/cachestat}
PAGES=$BENCH_WL/pages
bench_check || exit 1

bad=0
bench_need_built "$PAGES" || bad=1
bench_need_peer BPFTRACE bpftrace bpftrace || bad=1
bench_need_packaged vmtouch || bad=1
[ $bad = 0 ] || exit 1

CASES=(big tree)
CONFIGS=(untraced mt_all mt_json bpftrace)
declare -A LABEL=(
	[big]="1 GiB file, read"
	[tree]="10,000 files, read"
	[untraced]="untraced"
	[mt_all]="memtrace filecache --watch > /dev/null"
	[mt_json]="memtrace filecache --watch --json DIR > file"
	[bpftrace]="bpftrace, pages per file and comm"
	[cachestat]="libbpf-tools cachestat"
)
BPFTRACE_PROG='tracepoint:filemap:mm_filemap_add_to_page_cache { @added[args->s_dev, args->i_ino, comm] = sum(1 << args->order); }
tracepoint:filemap:mm_filemap_delete_from_page_cache { @removed[args->s_dev, args->i_ino] = sum(1 << args->order); }'

DATA=
RAM=
FS=
bench_cleanup_hook() {
	if [ -n "$FS" ]; then
		umount "$FS" || bench_warn "cannot unmount $FS"
	elif [ -n "$DATA" ]; then
		rm -rf -- "$DATA" || bench_warn "cannot remove $DATA"
	fi
	[ -z "$RAM" ] || umount "$RAM" || bench_warn "cannot unmount $RAM"
}
bench_setup

if [ -z "$DATA_PARENT" ]; then
	command -v mkfs.ext4 >/dev/null || bench_die "mkfs.ext4 not found: install e2fsprogs"
	mem_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
	[ "${mem_kb:-0}" -ge $((3 << 20)) ] ||
		bench_die "$((${mem_kb:-0} >> 10)) MiB of memory available, 3 GiB needed (or set BENCH_WATCH_DIR)"
	mkdir "$TMP/ram" "$TMP/fs" || bench_die "cannot create directories in $TMP"
	mount -t tmpfs -o size=1400m none "$TMP/ram" || bench_die "cannot mount a tmpfs"
	RAM=$TMP/ram
	truncate -s 1300M "$RAM/image" &&
		mkfs.ext4 -q -F "$RAM/image" >/dev/null 2>&1 &&
		mount -o loop "$RAM/image" "$TMP/fs" || bench_die "cannot make an ext4 image on a loop device"
	FS=$TMP/fs
	DATA=$FS
	WHERE="ext4 on a loop device, its image in a tmpfs"
else
	DATA=$(mktemp -d "$DATA_PARENT/memtrace-bench-watch.XXXXXX") ||
		bench_die "cannot create a directory in $DATA_PARENT"
	case $(stat -f -c %T "$DATA") in
	tmpfs | ramfs) bench_die "$DATA_PARENT is on tmpfs, whose pages bypass the tracepoints" ;;
	esac
	avail_kb=$(df -Pk "$DATA" | awk 'NR == 2 { print $4 }')
	[ "${avail_kb:-0}" -ge $((1200 * 1024)) ] ||
		bench_die "$DATA_PARENT has $((${avail_kb:-0} / 1024)) MiB free, ~1200 needed"
	WHERE=$(findmnt -n -o FSTYPE,SOURCE -T "$DATA" | tr -s ' ')
fi

# bpftrace flushes this line on stderr once every probe is attached.
bpftrace_ready() {
	[ -f "$OUT/bpftrace.err" ] &&
		[[ $(<"$OUT/bpftrace.err") == *__BPFTRACE_NOTIFY_PROBES_ATTACHED* ]]
}

# evict CASE: the case's files out of the page cache, checked.
evict() {
	local left
	if [ "$1" = big ]; then
		"$PAGES" drop "$DATA/big" 0 0
		left=$("$PAGES" count "$DATA/big" | sed -n 's/.* mincore=\([0-9]*\) .*/\1/p')
	else
		vmtouch -qe "$DATA/tree"
		left=$(vmtouch "$DATA/tree" | awk '/Resident Pages/ { split($3, a, "/"); print a[1] }')
	fi
	[ "${left:-x}" = 0 ] || bench_die "${LABEL[$1]}: $left pages still cached after eviction"
}

workload() {
	if [ "$1" = big ]; then
		"$PAGES" readall "$DATA/big"
	else
		find "$DATA/tree" -type f -print0 | xargs -0 "$PAGES" readall
	fi
}

# cached CASE: mincore's count of the case's cached pages.
cached() {
	if [ "$1" = big ]; then
		"$PAGES" count "$DATA/big" | sed -n 's/.* mincore=\([0-9]*\) .*/\1/p'
	else
		vmtouch "$DATA/tree" | awk '/Resident Pages/ { split($3, a, "/"); print a[1] }'
	fi
}

# check_json CASE ROUND: the --json run's pages in the case's files (added
# less removed: something may reclaim some as it reads) against mincore,
# and what it lost. mincore's count is taken before memtrace stops
# (CACHED_BEFORE) and after: when reclaim changed it in between, memtrace's
# last snapshot saw one of the two, and the round is not judged.
check_json() {
	local want got
	want=$(cached "$1")
	if [ "$want" != "$CACHED_BEFORE" ]; then
		echo "  ${LABEL[$1]} round $2: the page cache changed while memtrace stopped (mincore $CACHED_BEFORE, then $want): not judged"
		return
	fi
	got=$(python3 - "$OUT/mt_json.out" "$DATA/$1" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
added = sum(f["added_pages"] - f["removed_pages"] for f in r["files"]
            if (f["path"] or "").startswith(sys.argv[2]))
print(added, r["summary"]["lost"])
PY
)
	read -r added lost <<<"$got"
	echo "$1 mt_json $2 lost $lost" >>"$TMP/lost"
	if [ "$added" != "$want" ]; then
		bench_warn "${LABEL[$1]} round $2: memtrace --watch --json has $added pages added less removed, mincore $want cached"
		FAIL=1
	fi
}

# run CASE CONFIG ROUND: one timed run of the workload under CONFIG.
run() {
	local c=$1 cfg=$2 round=$3
	OUT=$TMP/$round.$c.$cfg
	mkdir -p "$OUT"
	evict "$c"
	case $cfg in
	mt_all)
		BENCH_STDOUT=/dev/null bench_start_tracer mt_all "$MEMTRACE" filecache --watch -v
		bench_wait_ready "$LAST_PID" mt_all bench_memtrace_ready "$OUT/mt_all.err" filecache ;;
	mt_json)
		bench_start_tracer mt_json "$MEMTRACE" filecache --watch --json -v "$DATA"
		bench_wait_ready "$LAST_PID" mt_json bench_memtrace_ready "$OUT/mt_json.err" filecache ;;
	bpftrace)
		bench_start_tracer bpftrace env __BPFTRACE_NOTIFY_PROBES_ATTACHED=1 \
			"$BPFTRACE" -e "$BPFTRACE_PROG"
		bench_wait_ready "$LAST_PID" bpftrace bpftrace_ready ;;
	esac
	bench_time workload "$c"
	[ "$STATUS" = 0 ] || bench_die "${LABEL[$c]}: the workload failed (status $STATUS)"
	echo "$c $cfg $round $US" >>"$TMP/results"
	if [ "$cfg" != untraced ]; then
		bench_wait_idle "${TRACERS[@]}"
		[ "$cfg" != mt_json ] || CACHED_BEFORE=$(cached "$c")
		bench_stop_tracers
	fi
	[ "$cfg" != mt_json ] || check_json "$c" "$round"
	printf '  %-20s round %d  %-44s %9.1f ms\n' "${LABEL[$c]}" "$round" "${LABEL[$cfg]}" \
		"$(awk -v u="$US" 'BEGIN { print u / 1000 }')"
}

# cachestat's programs are attached: it holds BPF links.
cachestat_ready() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "anon_inode:bpf_link" ] && return 0
	done
	return 1
}

# Whether libbpf-tools' cachestat loads here: its error, if not.
cachestat_loads() {
	local out
	if [ ! -x "$CACHESTAT" ]; then
		echo "not installed ($CACHESTAT)"
		return
	fi
	out=$(timeout 10 "$CACHESTAT" 1 1 2>&1) && return
	echo "fails to load: $(grep -m1 -i 'fail\|error' <<<"$out")"
}

# Whether a virtio balloon hands the memory this machine frees back to its
# host (VIRTIO_BALLOON_F_REPORTING, feature bit 5 of device 5): the page
# cache evicted before each round is then faulted in again by the host as
# the next round reads, at a cost that varies from run to run.
free_page_reporting() {
	local d f
	for d in /sys/bus/virtio/devices/*; do
		[ "$(cat "$d/device" 2>/dev/null)" = 0x0005 ] || continue
		f=$(cat "$d/features" 2>/dev/null)
		[ "${f:5:1}" = 1 ] && return 0
	done
	return 1
}

START=$SECONDS
echo "filecache --watch bench: wall-clock time of read-heavy work, $R rounds, configurations interleaved"
echo "kernel $(uname -r), $NCPU CPUs; $("$MEMTRACE" --version); $("$BPFTRACE" --version 2>&1)"
free_page_reporting &&
	echo "NOTE: free page reporting is on (virtio balloon): the pages evicted before each round go back to the host, and each read of them waits for the host to fault them in again, slowing some runs of every configuration, untraced too, by up to 10x here; the fastest run of each is shown next to the median"
others=$(bench_other_tracers)
[ -z "$others" ] || echo "NOTE: other tracers are running (${others% }); they slow every run"
CACHESTAT_ERR=$(cachestat_loads)
if [ -n "$CACHESTAT_ERR" ]; then
	echo "libbpf-tools cachestat $CACHESTAT_ERR: left out; bpftrace on the same tracepoints instead"
else
	CONFIGS+=(cachestat)
fi
printf 'making the files in %s (%s) ...' "$DATA" "$WHERE"
"$PAGES" fill "$DATA/big" $((1 << 30)) || bench_die "pages fill failed"
"$PAGES" tree "$DATA/tree" 100 10000 || bench_die "pages tree failed"
echo " done"

for ((round = 1; round <= R; round++)); do
	for c in "${CASES[@]}"; do
		for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
			cfg=${CONFIGS[(round + k) % ${#CONFIGS[@]}]}
			if [ "$cfg" = cachestat ]; then
				OUT=$TMP/$round.$c.cachestat
				mkdir -p "$OUT"
				evict "$c"
				bench_start_tracer cachestat "$CACHESTAT" 1
				bench_wait_ready "$LAST_PID" cachestat cachestat_ready "$LAST_PID"
				bench_time workload "$c"
				echo "$c $cfg $round $US" >>"$TMP/results"
				bench_stop_tracers
			else
				run "$c" "$cfg" "$round"
			fi
		done
	done
done

echo
# runs_ms CASE CONFIG: its runs' milliseconds, one a line.
runs_ms() {
	awk -v c="$1" -v k="$2" '$1 == c && $2 == k { print $4 / 1000 }' "$TMP/results"
}

printf '%-20s %-46s %10s %8s %10s %8s %s\n' case configuration "median ms" "vs none" \
	"fastest ms" "vs none" "lost (--json)"
for c in "${CASES[@]}"; do
	base=$(runs_ms "$c" untraced | bench_median)
	base_min=$(runs_ms "$c" untraced | sort -g | head -1)
	for cfg in "${CONFIGS[@]}"; do
		med=$(runs_ms "$c" "$cfg" | bench_median)
		min=$(runs_ms "$c" "$cfg" | sort -g | head -1)
		lost=-
		[ "$cfg" != mt_json ] ||
			lost=$(awk -v c="$c" '$1 == c { n += $5 } END { print n + 0 }' "$TMP/lost")
		printf '%-20s %-46s %10.1f %7sx %10.1f %7sx %s\n' "${LABEL[$c]}" "${LABEL[$cfg]}" \
			"$med" "$(bench_ratio "$med" "$base")" "$min" "$(bench_ratio "$min" "$base_min")" "$lost"
	done
done
echo
echo "vs none: the configuration's median (or fastest run) / the untraced one (1.00: no overhead)."
echo "filecache --watch bench: took $((SECONDS - START)) s"
[ $FAIL = 0 ] || { echo "filecache --watch bench: FAILED (see the warnings above)"; exit 1; }
