#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Whole-command benchmark of `memtrace filecache`: the wall-clock time of
# the whole process (fork, exec, BPF load, walk, output to /dev/null, exit)
# next to the tools a user would otherwise run, vmtouch and util-linux
# fincore, on the same files in the same page-cache state, and whether all
# of them count the same cached pages as the kernel's own accounting.
#
# Cases (files created on a disk filesystem, deleted on exit or Ctrl-C):
#   4 KiB file, cached
#   1 GiB file, cached                  (pages fill, then read until all of
#                                        it is in the cache)
#   1 GiB file, uncached                (the same file after pages drop:
#                                        mincore tools are faster there)
#   16 GiB sparse file, 4 MiB cached    (pages sparse + pages read)
#   tree of 10,000 small files          (pages tree DIR 100 10000: every
#                                        third file's pages dropped)
# Commands: memtrace filecache FILE (-r TREE); vmtouch FILE (it walks
# directories itself); fincore FILE, and for the tree
# `find TREE -type f -print0 | xargs -0 fincore`, as fincore walks no
# directory (util-linux 2.38 has no -R), timed as a whole pipeline.
#
# Each round runs the three tools on a case, once untimed then once timed,
# in an order rotated every round, between two ground-truth counts of its
# cached pages (pages count: mincore(2) and cachestat(2)). The state is put
# back first (the cached ranges read again, or the file dropped again):
# something may evict pages between rounds, e.g. DAMON's proactive reclaim,
# which on this kind of VM pages out page cache left unread for ~30 s. A
# round whose two counts differ saw a state change while it ran: it is done
# again. (The untimed runs: putting the state back, reading up to 1 GiB,
# leaves the CPU caches cold for the next command, ~1 ms slower here.)
# Then rounds of memtrace alone on the 4 KiB, 1 GiB and 16 GiB files, for
# the target "the time for one file does not grow with its size".
# Round 0 of each case is not timed (it warms the dentry and inode caches
# and the binaries): it keeps each tool's output, whose resident-page count
# must equal the ground truth's ("identical counts"), else the benchmark
# fails.
#
#   BENCH_FILECACHE_ROUNDS  timed rounds per case (default 15)
#   BENCH_FILECACHE_DIR     where to create the files (default /var/tmp;
#                           a disk filesystem with ~1.2 GiB free, not tmpfs)
#   BENCH_KEEP=1            keep the tools' outputs of round 0 (the
#                           temporary directory); the big files are always
#                           deleted
#   VMTOUCH, FINCORE        the peers (default: vmtouch and fincore in PATH)
#   MEMTRACE_GLIBC          memtrace built against glibc (dynamic), run too
#                           (default .output/memtrace.dynamic, which make
#                           bench builds); ./memtrace is static, with musl
#
# At the end, where the time of one small file goes: process start and
# exit (memtrace --version), the BPF system calls (from strace -T: loading
# the BTF and the program, the runs), and the rest, medians of
# BENCH_FILECACHE_SPLIT runs (default 41).
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/bench/lib.bash
. tests/bench/lib.bash

bench_count R BENCH_FILECACHE_ROUNDS 15
DATA_PARENT=${BENCH_FILECACHE_DIR:-/var/tmp}
VMTOUCH=${VMTOUCH:-$(command -v vmtouch)}
FINCORE=${FINCORE:-$(command -v fincore)}
MEMTRACE_GLIBC=${MEMTRACE_GLIBC:-$BENCH_ROOT/.output/memtrace.dynamic}
SPLIT=${BENCH_FILECACHE_SPLIT:-41}
PAGES=$BENCH_WL/pages
PAGE=$(getconf PAGESIZE)
BIG=$((1 << 30))
SPARSE=$((16 << 30))
# The sparse file's cached ranges ("offset length"): 4 MiB in all.
SPARSE_RANGES=("0 $((1 << 20))" "$((8 << 30)) $((2 << 20))" "$((SPARSE - (1 << 20))) $((1 << 20))")
NDIRS=100
NFILES=10000
# Attempts at a round before giving up on a stable page-cache state.
ATTEMPTS=5
bench_check || exit 1

bad=0
bench_need_built "$PAGES" "$MEMTRACE_GLIBC" || bad=1
util_linux() { "$1" --version 2>/dev/null | grep -q util-linux; }
bench_need_peer VMTOUCH vmtouch vmtouch || bad=1
bench_need_peer FINCORE "util-linux fincore" util-linux util_linux || bad=1
bench_need_commands find xargs stat df sed strace || bad=1
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench: bash 5 or later needed (EPOCHREALTIME)" >&2; bad=1; }
[ -d "$DATA_PARENT" ] || { echo "bench: $DATA_PARENT: no such directory (BENCH_FILECACHE_DIR)" >&2; bad=1; }
[ $bad = 0 ] || exit 1

TOOLS=(memtrace mtglibc vmtouch fincore)
CASES=(small big cold sparse tree)
declare -A LABEL=(
	[small]="4 KiB file, cached"
	[big]="1 GiB file, cached"
	[cold]="1 GiB file, uncached"
	[sparse]="16 GiB sparse, 4 MiB cached"
	[tree]="10,000-file tree"
)

DATA=
bench_cleanup_hook() {
	# Whatever BENCH_KEEP says: a 1 GiB file, a 16 GiB (sparse) one.
	if [ -n "$DATA" ] && [ -d "$DATA" ]; then
		rm -rf -- "$DATA" || bench_warn "cannot remove $DATA"
	fi
}
bench_setup
# run stops us with SIGTERM; a closed terminal sends SIGHUP: clean up too.
trap 'trap "" INT TERM HUP; exit 129' HUP
[ "$PAGE" = 4096 ] || bench_warn "page size $PAGE: the cases' sizes assume 4096"

DATA=$(mktemp -d "$DATA_PARENT/memtrace-bench-filecache.XXXXXX") ||
	bench_die "cannot create a directory in $DATA_PARENT"
FSTYPE=$(findmnt -n -o FSTYPE -T "$DATA" 2>/dev/null) || FSTYPE=
[ -n "$FSTYPE" ] || FSTYPE=$(stat -f -c %T "$DATA")
case $FSTYPE in
tmpfs | ramfs) bench_die "$DATA_PARENT is on $FSTYPE: set BENCH_FILECACHE_DIR to a directory on a disk filesystem" ;;
esac
avail_kb=$(df -Pk "$DATA" | awk 'NR == 2 { print $4 }')
[ "${avail_kb:-0}" -ge $((1200 * 1024)) ] ||
	bench_die "$DATA_PARENT has $((${avail_kb:-0} / 1024)) MiB free, ~1200 needed (BENCH_FILECACHE_DIR)"
mem_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
[ "${mem_kb:-0}" -ge $((1536 * 1024)) ] ||
	bench_die "$((${mem_kb:-0} / 1024)) MiB of memory available, ~1536 needed to keep 1 GiB cached"

SMALL_F=$DATA/small
BIG_F=$DATA/big
SPARSE_F=$DATA/sparse
TREE=$DATA/tree
declare -A PATH_OF=([small]=$SMALL_F [big]=$BIG_F [cold]=$BIG_F [sparse]=$SPARSE_F [tree]=$TREE)

# tool_run TOOL CASE: TOOL on CASE's file or tree (stdout and stderr as the
# caller redirects them).
tool_run() {
	local path=${PATH_OF[$2]} st
	case $1 in
	memtrace | mtglibc)
		st=$MEMTRACE
		[ "$1" = memtrace ] || st=$MEMTRACE_GLIBC
		if [ "$2" = tree ]; then
			"$st" filecache -r "$path"
		else
			"$st" filecache "$path"
		fi
		;;
	vmtouch)
		"$VMTOUCH" "$path"
		;;
	fincore)
		if [ "$2" = tree ]; then
			find "$path" -type f -print0 | xargs -0 "$FINCORE"
			st=("${PIPESTATUS[@]}")
			[ "${st[0]}" = 0 ] && [ "${st[1]}" = 0 ]
		else
			"$FINCORE" "$path"
		fi
		;;
	esac
}

tool_label() {
	case $1:$2 in
	memtrace:tree) echo "memtrace filecache -r" ;;
	memtrace:*) echo "memtrace filecache" ;;
	mtglibc:tree) echo "the same, glibc build" ;;
	mtglibc:*) echo "the same, glibc build" ;;
	vmtouch:*) echo "vmtouch" ;;
	fincore:tree) echo "find | xargs -0 fincore" ;;
	fincore:*) echo "fincore" ;;
	esac
}

# tool_counts TOOL FILE: "resident total" pages from TOOL's output in FILE
# ("-" where the tool prints no total). memtrace and vmtouch: their summary
# line "... Resident Pages: a/b ..."; fincore: its PAGES column (resident
# pages), summed over the files (one header per xargs batch).
tool_counts() {
	case $1 in
	memtrace | mtglibc | vmtouch)
		awk 'match($0, /Resident Pages: [0-9]+\/[0-9]+/) {
			split(substr($0, RSTART + 16, RLENGTH - 16), a, "/")
			r = a[1]; t = a[2]; n++
		}
		END { if (n) print r, t; else print "? ?" }' "$2"
		;;
	fincore)
		awk '$1 == "RES" && $2 == "PAGES" { next }
		$2 ~ /^[0-9]+$/ { r += $2; n++ }
		END { if (n) print r, "-"; else print "? -" }' "$2"
		;;
	esac
}

# truth CASE: TRUTH="pages mincore cachestat", summed over CASE's files,
# from pages count (cachestat "none" before Linux 6.5).
truth() {
	local out nf
	if [ "$1" = tree ]; then
		out=$(xargs -d '\n' "$PAGES" count <"$TMP/tree.all") || bench_die "pages count failed on the tree"
		nf=$NFILES
	else
		out=$("$PAGES" count "${PATH_OF[$1]}") || bench_die "pages count ${PATH_OF[$1]} failed"
		nf=1
	fi
	# From the end of each line: the path may hold spaces.
	TRUTH=$(awk -v nf="$nf" '
		{ for (i = NF - 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] += kv[2]; if (kv[2] == "none") none = 1 } }
		END {
			if (NR != nf) { print "bad"; exit }
			printf "%d %d %s\n", v["pages"], v["mincore"], none ? "none" : v["cachestat"]
		}' <<<"$out")
	[ "$TRUTH" != bad ] || bench_die "pages count: not one line per file for $1"
}

# restore CASE: puts CASE's page-cache state back (something may have
# evicted pages since); checks the states that are exact (all or nothing
# cached). Ends with TRUTH set.
restore() {
	local i r p m
	case $1 in
	small)
		"$PAGES" read "$SMALL_F" 0 "$PAGE"
		;;
	big)
		for ((i = 0; i < ATTEMPTS; i++)); do
			"$PAGES" read "$BIG_F" 0 "$BIG" || bench_die "pages read $BIG_F failed"
			truth big
			read -r p m _ <<<"$TRUTH"
			[ "$p" = "$m" ] && return 0
		done
		bench_die "cannot get all of $BIG_F cached: $m of $p pages after $ATTEMPTS reads"
		;;
	cold)
		for ((i = 0; i < ATTEMPTS; i++)); do
			"$PAGES" drop "$BIG_F" 0 0 || bench_die "pages drop $BIG_F failed"
			truth cold
			read -r p m _ <<<"$TRUTH"
			[ "$m" = 0 ] && return 0
		done
		bench_die "cannot drop $BIG_F from the cache: $m of $p pages still cached"
		;;
	sparse)
		for r in "${SPARSE_RANGES[@]}"; do
			# shellcheck disable=SC2086  # "offset length"
			"$PAGES" read "$SPARSE_F" $r || bench_die "pages read $SPARSE_F $r failed"
		done
		;;
	tree)
		# The files pages tree left cached (every third one dropped).
		xargs -d '\n' cat <"$TMP/tree.cached" >/dev/null ||
			bench_die "cannot read the tree's files"
		;;
	esac
	truth "$1"
}

# run_round CASE ROUND: round 0 keeps the tools' outputs and checks their
# counts; the others time the tools, in an order rotated every round.
# Redone (up to ATTEMPTS times) if the state changed while it ran.
run_round() {
	local c=$1 round=$2 attempt before k tool
	local -A us=()
	for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
		restore "$c"
		before=$TRUTH
		OUT=$TMP/$c.$round
		mkdir -p "$OUT"
		# One untimed run of each first: reading up to 1 GiB (restore)
		# and mincore on up to 16 GiB (truth) leave the CPU caches cold
		# for whatever runs next, which the small file's case does not.
		if [ "$round" != 0 ]; then
			for ((k = 0; k < ${#TOOLS[@]}; k++)); do
				tool_run "${TOOLS[(round + k) % ${#TOOLS[@]}]}" "$c" </dev/null >/dev/null 2>&1
			done
		fi
		for ((k = 0; k < ${#TOOLS[@]}; k++)); do
			tool=${TOOLS[(round + k) % ${#TOOLS[@]}]}
			if [ "$round" = 0 ]; then
				tool_run "$tool" "$c" </dev/null >"$OUT/$tool.out" 2>"$OUT/$tool.err"
				STATUS=$?
			else
				BENCH_TIME_ERR=$OUT/$tool.err bench_time tool_run "$tool" "$c"
				us[$tool]=$US
			fi
			if [ "$STATUS" != 0 ]; then
				bench_warn "$(tool_label "$tool" "$c") on ${LABEL[$c]}: exit status $STATUS (round $round): $(head -c 300 "$OUT/$tool.err")"
				FAIL=1
			fi
		done
		truth "$c"
		[ "$TRUTH" = "$before" ] && break
		echo "  ${LABEL[$c]} round $round: the page cache changed while it ran (pages, mincore, cachestat: $before, then $TRUTH): round done again"
		RETRIES[$c]=$((${RETRIES[$c]:-0} + 1))
	done
	if [ "$attempt" -gt "$ATTEMPTS" ]; then
		bench_warn "${LABEL[$c]} round $round: the page cache changed in each of $ATTEMPTS attempts; keeping the last"
		FAIL=1
	fi
	read -r T_PAGES T_MINCORE T_CACHESTAT <<<"$TRUTH"
	if [ "$round" = 0 ]; then
		check_counts "$c"
		return
	fi
	LINE=$(printf '  %-28s round %2d/%d' "${LABEL[$c]}" "$round" "$R")
	for tool in "${TOOLS[@]}"; do
		record "$c.$tool" "$round" "${us[$tool]}" "$tool"
	done
	echo "$LINE ms  (cached $T_MINCORE of $T_PAGES pages)"
}

# record KEY ROUND US LABEL: a timed run, in milliseconds, into the results
# ("KEY round ms") and into LINE (after LABEL).
record() {
	local ms
	ms=$(awk -v u="$3" 'BEGIN { print u / 1000 }')
	echo "$1 $2 $ms" >>"$TMP/results"
	LINE+=$(printf '  %s %7.2f' "$4" "$ms")
}

# check_counts CASE: after round 0, each tool's resident pages against
# mincore and cachestat (and the totals printed against the file sizes).
check_counts() {
	local c=$1 tool r t line same=1 totals=1 tline=""
	line="counts: "
	for tool in "${TOOLS[@]}"; do
		read -r r t < <(tool_counts "$tool" "$OUT/$tool.out")
		COUNT[$c.$tool]=$r
		line+="$tool $r = "
		[ "$r" = "$T_MINCORE" ] || same=0
		if [ "$t" != - ]; then
			tline+="$tool $t, "
			[ "$t" = "$T_PAGES" ] || totals=0
		fi
	done
	line+="mincore $T_MINCORE"
	if [ "$T_CACHESTAT" != none ]; then
		line+=" = cachestat $T_CACHESTAT"
		[ "$T_CACHESTAT" = "$T_MINCORE" ] || same=0
	fi
	COUNT[$c.truth]=$T_MINCORE
	COUNT[$c.pages]=$T_PAGES
	if [ $same = 1 ]; then
		COUNTS_OK[$c]=1
	else
		COUNTS_OK[$c]=0
		line=${line//=/vs}"  DIFFER"
		FAIL=1
	fi
	line+="  (of $T_PAGES pages: ${tline}pages count $T_PAGES)"
	if [ $totals = 0 ]; then
		line+="  TOTALS DIFFER"
		COUNTS_OK[$c]=0
		FAIL=1
	fi
	printf '%-28s %s\n' "${LABEL[$c]}" "$line"
}

# run_sizes_round ROUND: memtrace alone on the 4 KiB, 1 GiB (cached) and
# 16 GiB files, in an order rotated every round, each once untimed then
# once timed; nothing else runs between them (the peers' runs on big files
# slow whatever runs next, memtrace included, whatever its file). Redone
# (up to ATTEMPTS times) if a state changed while it ran.
SIZES=(small big sparse)
run_sizes_round() {
	local round=$1 attempt before after c k
	local -A us=()
	for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
		before=
		for c in "${SIZES[@]}"; do
			restore "$c"
			before+="$TRUTH|"
		done
		OUT=$TMP/sizes.$round
		mkdir -p "$OUT"
		for ((k = 0; k < ${#SIZES[@]}; k++)); do
			tool_run memtrace "${SIZES[(round + k) % ${#SIZES[@]}]}" </dev/null >/dev/null 2>&1
		done
		for ((k = 0; k < ${#SIZES[@]}; k++)); do
			c=${SIZES[(round + k) % ${#SIZES[@]}]}
			BENCH_TIME_ERR=$OUT/$c.err bench_time tool_run memtrace "$c"
			us[$c]=$US
			if [ "$STATUS" != 0 ]; then
				bench_warn "memtrace filecache on ${LABEL[$c]}: exit status $STATUS (sizes round $round): $(head -c 300 "$OUT/$c.err")"
				FAIL=1
			fi
		done
		after=
		for c in "${SIZES[@]}"; do
			truth "$c"
			after+="$TRUTH|"
		done
		[ "$after" = "$before" ] && break
		echo "  memtrace alone round $round: the page cache changed while it ran: round done again"
		RETRIES[sizes]=$((${RETRIES[sizes]:-0} + 1))
	done
	if [ "$attempt" -gt "$ATTEMPTS" ]; then
		bench_warn "memtrace alone round $round: the page cache changed in each of $ATTEMPTS attempts; keeping the last"
		FAIL=1
	fi
	LINE=$(printf '  %-28s round %2d/%d' "memtrace alone, by size" "$round" "$R")
	for c in "${SIZES[@]}"; do
		record "size_$c" "$round" "${us[$c]}" "${SIZE_LABEL[$c]}"
	done
	echo "$LINE ms"
}
declare -A SIZE_LABEL=([small]="4 KiB" [big]="1 GiB" [sparse]="16 GiB")

# damon_pageout: whether DAMON reclaims page cache proactively (a kdamond
# running a pageout scheme, or the DAMON_RECLAIM module).
damon_pageout() {
	local d
	for d in /sys/kernel/mm/damon/admin/kdamonds/*; do
		[ "$(cat "$d/state" 2>/dev/null)" = on ] || continue
		grep -qx pageout "$d"/contexts/*/schemes/*/action 2>/dev/null && return 0
	done
	[ "$(cat /sys/module/damon_reclaim/parameters/enabled 2>/dev/null)" = Y ]
}

VMTOUCH_VERSION=$("$VMTOUCH" -h 2>&1 | sed -n 's/^vmtouch \(v[0-9][^ ]*\).*/\1/p' | head -n 1)
FINCORE_VERSION=$("$FINCORE" --version 2>/dev/null | awk '{ print $NF; exit }')

echo "filecache bench: whole-command wall-clock time, stdout to /dev/null, rounds: $R per case, tools interleaved"
bench_banner "vmtouch ${VMTOUCH_VERSION:-?}; fincore (util-linux) ${FINCORE_VERSION:-?}"
echo "Only the ratios to memtrace matter: absolute times vary between machines."
echo "The tree: memtrace filecache -r TREE; vmtouch TREE; find TREE -type f -print0 | xargs -0 fincore (fincore ${FINCORE_VERSION:-?} walks no directory)."
bench_note_tracers run
if damon_pageout; then
	echo "NOTE: DAMON proactive reclaim (pageout) is on: it evicts page cache left unread for a while; every round puts the state back first, and is redone if it changed while it ran"
fi

# The files. The 1 GiB one written and fsynced: clean pages, droppable.
printf 'creating the files in %s (%s) ...' "$DATA" "$FSTYPE"
t0=$SECONDS
"$PAGES" fill "$SMALL_F" "$PAGE" || bench_die "pages fill $SMALL_F failed"
"$PAGES" fill "$BIG_F" "$BIG" || bench_die "pages fill $BIG_F failed"
"$PAGES" sparse "$SPARSE_F" "$SPARSE" || bench_die "pages sparse $SPARSE_F failed"
"$PAGES" tree "$TREE" "$NDIRS" "$NFILES" || bench_die "pages tree $TREE failed"
# Its files (names without newlines: ours), and those pages tree left
# cached: file k of DIR/dNN/fk has its pages dropped when k % 3 == 0.
find "$TREE" -type f | sort >"$TMP/tree.all"
awk -F/ '{ k = substr($NF, 2) + 0 } k % 3 { print }' "$TMP/tree.all" >"$TMP/tree.cached"
n=$(wc -l <"$TMP/tree.all")
[ "$n" = "$NFILES" ] || bench_die "pages tree made $n files, not $NFILES"
echo " $((SECONDS - t0)) s"
echo "memtrace: $("$MEMTRACE" filecache -v "$SMALL_F" 2>&1 >/dev/null | grep ' via ' | tail -n 1)"
echo

declare -A RETRIES=() COUNT=() COUNTS_OK=()
for c in "${CASES[@]}"; do
	for ((round = 0; round <= R; round++)); do
		run_round "$c" "$round"
	done
	echo
done
echo "memtrace alone: the 4 KiB file, the 1 GiB one cached, the 16 GiB sparse one (for the target on size)"
for ((round = 1; round <= R; round++)); do
	run_sizes_round "$round"
done
echo

# Summaries, from $TMP/results ("case.tool round ms", "size_case round ms").
declare -A MED=() RANGE=() RATIO=() RRANGE=() WINS=()
# stats KEY: MED[KEY] and RANGE[KEY] of its runs, to two decimals.
stats() {
	bench_stats "$TMP/results" "$1" %.2f
	MED[$1]=$(awk -v m="$BENCH_MED" 'BEGIN { printf "%.2f", m }')
	RANGE[$1]=$BENCH_RANGE
}
for c in "${CASES[@]}"; do
	for tool in "${TOOLS[@]}"; do
		stats "$c.$tool"
	done
done

printf '%-28s %-24s %9s %13s %7s %11s %s\n' case tool "median ms" min-max ratio ratio-range \
	"cached pages (of total)"
NOTES=()
for c in "${CASES[@]}"; do
	for tool in "${TOOLS[@]}"; do
		# Per-round ratios, each run against memtrace's of its round.
		read -r lo hi < <(bench_round_ratios "$TMP/results" "$c.memtrace" "$c.$tool")
		RATIO[$c.$tool]=$(bench_ratio "${MED[$c.$tool]}" "${MED[$c.memtrace]}")
		RRANGE[$c.$tool]=$lo-$hi
		printf '%-28s %-24s %9.2f %13s %6sx %11s %s\n' "${LABEL[$c]}" "$(tool_label "$tool" "$c")" \
			"${MED[$c.$tool]}" "${RANGE[$c.$tool]}" "${RATIO[$c.$tool]}" "${RRANGE[$c.$tool]}" \
			"${COUNT[$c.$tool]} (of ${COUNT[$c.pages]})"
	done
	# Rounds memtrace was faster than both.
	WINS[$c]=$(awk -v c="$c" '
		index($1, c ".") == 1 { v[$2, substr($1, length(c) + 2)] = $3; r[$2] = 1 }
		END { for (k in r) if (v[k, "memtrace"] < v[k, "vmtouch"] && v[k, "memtrace"] < v[k, "fincore"]) n++; print n + 0 }' \
		"$TMP/results")
	retried=""
	[ -z "${RETRIES[$c]:-}" ] || retried=", ${RETRIES[$c]} rounds redone (page cache changed)"
	NOTES+=("filecache bench: ${LABEL[$c]}: vmtouch ${RATIO[$c.vmtouch]}x (${RRANGE[$c.vmtouch]}), $(tool_label fincore "$c") ${RATIO[$c.fincore]}x (${RRANGE[$c.fincore]}) memtrace's time; memtrace faster than both in ${WINS[$c]}/$R rounds; ${COUNT[$c.truth]} of ${COUNT[$c.pages]} pages cached, counts $([ "${COUNTS_OK[$c]}" = 1 ] && echo identical || echo DIFFER)$retried [memtrace ${MED[$c.memtrace]} ms median, $R rounds, Linux $KERNEL, $NCPU CPUs]")
done

# memtrace alone, by size (its rounds, "size_CASE round ms").
for c in "${SIZES[@]}"; do
	stats "size_$c"
done
echo
printf '%-28s %-28s %9s %13s %7s\n' "memtrace alone, by size" file "median ms" min-max "to 4 KiB"
for c in "${SIZES[@]}"; do
	printf '%-28s %-28s %9.2f %13s %6sx\n' "" "${LABEL[$c]}" "${MED[size_$c]}" "${RANGE[size_$c]}" \
		"$(bench_ratio "${MED[size_$c]}" "${MED[size_small]}")"
done

# Target 1: memtrace's time for one file does not grow with its size: in
# the rounds of memtrace alone, its medians on the 1 GiB and 16 GiB files
# within 15% of the 4 KiB file's (noise: the peers take 6 to 36 times
# longer on those files than on the 4 KiB one).
GROW=1.15
t1=met
for c in big sparse; do
	awk -v a="${MED[size_$c]}" -v b="${MED[size_small]}" -v g=$GROW 'BEGIN { exit !(a <= b * g) }' ||
		t1="NOT met"
done
# Rounds where each was within GROW of the 4 KiB file's time, run for run.
size_rounds=$(awk -v g=$GROW '
	$1 ~ /^size_/ { v[$2, $1] = $3; r[$2] = 1 }
	END { for (k in r) if (v[k, "size_big"] <= g * v[k, "size_small"] && v[k, "size_sparse"] <= g * v[k, "size_small"]) n++; print n + 0 }' \
	"$TMP/results")
size_line() {
	local tool=$1
	echo "$tool 4 KiB ${MED[small.$tool]} ms, 1 GiB cached $(bench_ratio "${MED[big.$tool]}" "${MED[small.$tool]}")x, uncached $(bench_ratio "${MED[cold.$tool]}" "${MED[small.$tool]}")x, 16 GiB sparse $(bench_ratio "${MED[sparse.$tool]}" "${MED[small.$tool]}")x"
}
# Target 2: faster than both (medians) on the cached 1 GiB file and the tree.
t2=met
for c in big tree; do
	for tool in vmtouch fincore; do
		awk -v a="${MED[$c.memtrace]}" -v b="${MED[$c.$tool]}" 'BEGIN { exit !(a < b) }' ||
			t2="NOT met"
	done
done
# Target 3: identical counts, every case.
t3=met
nok=0
for c in "${CASES[@]}"; do
	if [ "${COUNTS_OK[$c]}" = 1 ]; then nok=$((nok + 1)); else t3="NOT met"; fi
done

# Target 4: one small cached file, no slower than either peer, by
# median: ./memtrace (static, musl) and the glibc build.
small_target() {
	awk -v a="${MED[small.$1]}" -v v="${MED[small.vmtouch]}" -v f="${MED[small.fincore]}" \
		'BEGIN { exit !(a <= v && a <= f) }' && echo met || echo "NOT met"
}

# split_small: where the time of the 4 KiB file goes, SPLIT runs of each:
# the whole command; the same binary doing nothing (--version: exec,
# start, exit); the BPF system calls as strace -T times them, in a run of
# their own (loading the BTF and the program; the test runs); the peers'
# whole commands beside. Medians in microseconds.
split_small() {
	local name bin i
	"$PAGES" read "$SMALL_F" 0 "$PAGE"
	: >"$TMP/split"
	for ((i = 0; i < SPLIT; i++)); do
		for name in memtrace mtglibc; do
			bin=$MEMTRACE
			[ "$name" = memtrace ] || bin=$MEMTRACE_GLIBC
			bench_time "$bin" filecache "$SMALL_F"
			echo "$name total $US" >>"$TMP/split"
			bench_time "$bin" --version
			echo "$name start $US" >>"$TMP/split"
			strace -T -e trace=bpf "$bin" filecache "$SMALL_F" 2>&1 >/dev/null |
				awk -v n="$name" '
				match($0, /<[0-9.]+>$/) { t = substr($0, RSTART + 1, RLENGTH - 2) * 1e6 }
				/^bpf\(BPF_(BTF|PROG)_LOAD/ { load += t }
				/^bpf\(BPF_PROG_TEST_RUN/ { run += t }
				END { printf "%s load %d\n%s runs %d\n", n, load, n, run }' >>"$TMP/split"
		done
		for name in vmtouch fincore; do
			bench_time tool_run "$name" small
			echo "$name total $US" >>"$TMP/split"
		done
	done
}

split_med() {
	awk -v t="$1" -v k="$2" '$1 == t && $2 == k { print $3 }' "$TMP/split" | bench_median |
		awk '{ printf "%d", $1 }'
}

split_small
echo
echo "One 4 KiB cached file, where the time goes (median of $SPLIT runs, microseconds):"
printf '  %-44s %9s %9s %9s %9s\n' "" memtrace glibc vmtouch fincore
printf '  %-44s %9s %9s %9s %9s\n' "whole command" "$(split_med memtrace total)" \
	"$(split_med mtglibc total)" "$(split_med vmtouch total)" "$(split_med fincore total)"
for k in start load runs; do
	case $k in
	start) what="exec, start, exit (memtrace --version)" ;;
	load) what="the BTF and the program loaded (strace -T)" ;;
	runs) what="BPF_PROG_TEST_RUN, its own fd and the file" ;;
	esac
	printf '  %-44s %9s %9s\n' "$what" "$(split_med memtrace "$k")" "$(split_med mtglibc "$k")"
done

cat <<EOF

median ms: whole-command wall-clock time, median over the rounds (min-max:
the fastest and slowest run). ratio: the tool's median / memtrace's median
(above 1: memtrace is faster). ratio-range: the lowest and highest per-round
ratio (each run against memtrace's of its round). cached pages: what each
tool printed in round 0 (memtrace and vmtouch: their "Resident Pages" line;
fincore: its PAGES column summed over the files), of the total pages
(ceil(size / $PAGE) per file, from pages count), against mincore(2) and
cachestat(2) in the counts lines above. memtrace alone, by size: its own
rounds, memtrace on the three files and nothing else in between (the peers'
runs on the big files slow the next command, whatever it is, by ~0.5 ms
here); "to 4 KiB": its median / the 4 KiB file's.

EOF
printf '%s\n' "${NOTES[@]}"
echo "filecache bench: target 'the time for one file does not grow with its size': $t1 (memtrace alone: 4 KiB ${MED[size_small]} ms, 1 GiB cached $(bench_ratio "${MED[size_big]}" "${MED[size_small]}")x, 16 GiB sparse $(bench_ratio "${MED[size_sparse]}" "${MED[size_small]}")x that; both within ${GROW}x in $size_rounds/$R rounds. In the cases above, after the peers' runs: $(size_line memtrace); $(size_line vmtouch); $(size_line fincore))"
echo "filecache bench: target 'faster than both on the 1 GiB file and on the 10,000-file tree': $t2 (1 GiB cached: vmtouch ${RATIO[big.vmtouch]}x, fincore ${RATIO[big.fincore]}x memtrace's time, memtrace faster than both in ${WINS[big]}/$R rounds; tree: vmtouch ${RATIO[tree.vmtouch]}x, find | xargs fincore ${RATIO[tree.fincore]}x, in ${WINS[tree]}/$R rounds)"
echo "filecache bench: target 'identical counts': $t3 ($nok of ${#CASES[@]} cases: memtrace = vmtouch = fincore = mincore = cachestat)"
echo "filecache bench: target 'no slower than vmtouch and fincore on one 4 KiB cached file': memtrace (static, musl) $(small_target memtrace) (${MED[small.memtrace]} ms; vmtouch ${RATIO[small.vmtouch]}x, fincore ${RATIO[small.fincore]}x its time), glibc build $(small_target mtglibc) (${MED[small.mtglibc]} ms; vmtouch $(bench_ratio "${MED[small.vmtouch]}" "${MED[small.mtglibc]}")x, fincore $(bench_ratio "${MED[small.fincore]}" "${MED[small.mtglibc]}")x its time)"
bench_finish filecache
