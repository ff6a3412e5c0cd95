#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# memtrace filecache --watch through the real kernel, against mincore(2)
# and cachestat(2) counted by tests/workloads/pages after each step.
# tests/run runs this file on both hook paths (tp_btf, and the classic
# tracepoints with MEMTRACE_DISABLE=tp_btf); the scenarios
# (tests/scenarios/filecache.sh) run on the test kernels too.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	for m in "$T"/*/tmpfs "$T"/fcw*/merged "$T"/*/img "$T"/*/cgroup2 "$T"/tmpfs; do
		umount "$m" 2>/dev/null || true
	done
	rmdir /sys/fs/cgroup/unified/mtwatch* 2>/dev/null || true
}

# watched SCENARIO CHECK: runs scenario_SCENARIO in a fresh directory, again
# while the check says the page cache moved by itself as it ran
# (fcwatch_check.py exits 3: this machine may reclaim pages at any time),
# 5 times at most; then judges the last run.
watched() {
	local i s
	for i in 1 2 3 4 5; do
		rm -rf "$T/$1"
		mkdir "$T/$1"
		"scenario_$1" "$T/$1"
		s=0
		python3 "$FCWATCH_CHECK" "$2" "$T/$1" >/dev/null || s=$?
		[ "$s" = 3 ] || break
	done
	"check_$1" "$T/$1"
}

@test "filecache --watch: a file evicted, read by a process: its pages added, to it, then removed" {
	watched fcwatch_read read
}

@test "filecache --watch: a new file written: every page added, to the writer" {
	watched fcwatch_write write
}

@test "filecache --watch: a file deleted while cached: shown deleted, its pages removed" {
	watched fcwatch_delete delete
}

@test "filecache --watch: names on tmpfs, on an ext4 image on a loop device, through overlayfs" {
	watched fcwatch_names names
}

@test "filecache --watch: --comm, --pid, --cgroup and PATH keep to their own" {
	watched fcwatch_filters filters
}

@test "filecache --watch: tp_btf and the classic tracepoint count the same at once" {
	watched fcwatch_agree agree
}

# Host only.

@test "filecache --watch: the interval reports add up to the final one" {
	local d=$T/iv
	mkdir "$d"
	cp "$WL/pages" "$d/mtiv$$"
	start_tracer "$T/out" "$T/err" filecache --watch --json -i 0.2 "$d"
	for i in 1 2 3 4 5 6; do
		"$d/mtiv$$" fill "$d/f$i" $((i * 65536))
		sleep 0.15
	done
	"$WL/pages" drop "$d/f3" 0 0
	stop_tracer
	[ "$TRACER_STATUS" = 0 ]
	python3 - "$T/out" "$d" <<'PY'
import json, sys
reports = [json.loads(l) for l in open(sys.argv[1])]
assert reports[-1]["span"] == "total", reports[-1]
intervals = [r for r in reports if r["span"] == "interval"]
assert len(intervals) >= 3, len(intervals)
total = {f["path"]: f for f in reports[-1]["files"]}
for i in range(1, 7):
    path = "%s/f%d" % (sys.argv[2], i)
    added = sum(f["added_pages"] for r in intervals for f in r["files"] if f["path"] == path)
    removed = sum(f["removed_pages"] for r in intervals for f in r["files"] if f["path"] == path)
    # The last interval may not be reported before the end: at most the total.
    assert added <= total[path]["added_pages"] == i * 16, (path, added, total[path])
    assert removed <= total[path]["removed_pages"], (path, removed, total[path])
s = sum(r["summary"]["added_pages"] for r in intervals)
assert s <= reports[-1]["summary"]["added_pages"], s
print(len(intervals), "interval reports")
PY
}

@test "filecache --watch: the text report: columns, the writer, a summary with the losses" {
	local d=$T/tx
	mkdir "$d"
	cp "$WL/pages" "$d/mttext$$"
	start_tracer "$T/out" "$T/err" filecache --watch "$d"
	"$d/mttext$$" fill "$d/f" 40960
	stop_tracer
	[ "$TRACER_STATUS" = 0 ]
	cat "$T/out"
	[[ $(sed -n 1p "$T/out") == "["*"] since the start, "*" s: 1 file added or removed pages; the 1 with most pages added" ]]
	[[ $(sed -n 2p "$T/out") == "    ADDED   REMOVED    CACHED   SIZE WHO                      PATH" ]]
	read -r added removed cached size who path < <(sed -n 3p "$T/out")
	[ "$added $removed $cached $size $path" = "10 0 10 40K $d/f" ]
	[[ $who == "mttext$$["[0-9]*"]" ]]
	[[ $(sed -n 4p "$T/out") == "Summary: 10 pages added (40K), 0 removed (0B), 1 file; system-wide "*" added, "*" removed; 0 lost" ]]
}

@test "filecache --watch: a PATH that does not exist, a bad --cgroup, a gone --pid: one line, status 1" {
	run "$MEMTRACE" filecache --watch --duration 1 "$T/missing"
	[ "$status" = 1 ]
	[ "$output" = "memtrace filecache: $T/missing: No such file or directory" ]
	run "$MEMTRACE" filecache --watch --duration 1 --cgroup "$T"
	[ "$status" = 1 ]
	[ "$output" = "memtrace filecache: --cgroup $T: not a directory of the cgroup v2 hierarchy" ]
	run "$MEMTRACE" filecache --watch --duration 1 --cgroup "$T/missing"
	[ "$status" = 1 ]
	[ "$output" = "memtrace filecache: --cgroup $T/missing: No such file or directory" ]
	make_zombie
	run "$MEMTRACE" filecache --watch --duration 1 -p "$ZOMBIE"
	kill "$ZOMBIE_PARENT"
	[ "$status" = 1 ]
	[[ $output == *"has exited"* ]]
}

@test "filecache --watch: usage errors" {
	run "$MEMTRACE" filecache --watch -r /
	[ "$status" = 2 ]
	[[ $output == *"--recursive does not apply to --watch"* ]]
	run "$MEMTRACE" filecache --watch --sort size
	[ "$status" = 2 ]
	[[ $output == *"--watch sorts by added, removed or cached"* ]]
	run "$MEMTRACE" filecache --pid 1 /
	[ "$status" = 2 ]
	[[ $output == *"--pid applies to --watch"* ]]
	run "$MEMTRACE" filecache --sort added /
	[ "$status" = 2 ]
	run "$MEMTRACE" filecache --watch --max-files 0
	[ "$status" = 2 ]
	run "$MEMTRACE" filecache --watch --comm 0123456789abcdefg --duration 0.1
	[[ $output == *"15"* ]]
}

@test "filecache --watch: a table of 4 files overflows, counted in the totals and said to be" {
	local d=$T/ovf
	mkdir "$d"
	start_tracer "$T/out" "$T/err" filecache --watch --json --max-files 4 "$d"
	for i in 1 2 3 4 5 6 7 8; do "$WL/pages" fill "$d/f$i" 8192; done
	stop_tracer
	[ "$TRACER_STATUS" = 0 ]
	python3 - "$T/out" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
s = r["summary"]
rows = sum(f["added_pages"] for f in r["files"])
assert len(r["files"]) <= 4, r["files"]
assert s["added_pages"] == 16 == rows + s["overflow_added_pages"], s
assert s["overflow_added_pages"] >= 8 and s["lost_files_map_full"] >= 4, s
assert s["lost"] >= s["lost_files_map_full"], s
PY
	start_tracer "$T/text" "$T/err" filecache --watch --max-files 4 "$d"
	for i in 1 2 3 4 5 6 7 8; do "$WL/pages" fill "$d/g$i" 8192; done
	stop_tracer
	grep -q "^         [0-9]* added and 0 removed in files past --max-files 4 ([0-9]* events, in no row)$" "$T/text"
}

@test "filecache --watch: memtrace probe lists the hook, and why a method was ruled out" {
	run "$MEMTRACE" probe
	[ "$status" = 0 ]
	[[ $output == *"filecache (--watch)"*"mm_filemap_add/delete_from_page_cache"* ]]
	run env MEMTRACE_DISABLE=tp_btf "$MEMTRACE" probe --json
	python3 -c '
import json, sys
p = json.load(sys.stdin)
w = [c for c in p["commands"] if c["command"] == "filecache" and c["mode"] == "watch"][0]
h = w["hooks"][0]
assert h["method"] == "tracepoint", h
assert h["ruled_out"][0]["method"] == "tp_btf" and h["ruled_out"][0]["disabled"], h
' <<<"$output"
}

@test "filecache --watch: user space runs clean under valgrind" {
	MEMTRACE=$MEMTRACE_GLIBC
	local d=$T/vg
	mkdir "$d"
	TRACER_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --suppressions=$ROOT/tests/valgrind.supp" \
		START_SECONDS=60 start_tracer "$T/out" "$T/err" filecache --watch -i 0.3 "$d"
	for i in 1 2 3; do "$WL/pages" fill "$d/f$i" 16384; sleep 0.3; done
	rm "$d/f1"
	stop_tracer
	grep -v "unhandled eBPF" "$T/err" | grep "^==" && false
	[ "$TRACER_STATUS" = 0 ]
	grep -q "^Summary: 12 pages added" "$T/out"
}

@test "filecache --watch: user space runs clean under ASan and UBSan" {
	local d=$T/asan
	mkdir "$d"
	MEMTRACE=$ROOT/.output/memtrace.asan start_tracer "$T/out" "$T/err" \
		filecache --watch --json -i 0.2 "$d"
	for i in 1 2 3; do "$WL/pages" fill "$d/f$i" 16384; done
	rm "$d/f2"
	stop_tracer
	cat "$T/err"
	[ "$TRACER_STATUS" = 0 ]
	refute grep -q "Sanitizer\|runtime error" "$T/err"
	python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
assert r["summary"]["added_pages"] == 12 and r["summary"]["removed_pages"] == 4, r["summary"]
' "$T/out"
}

@test "filecache --watch: a filesystem mounted after the start: its files' paths through it" {
	mkdir "$T/late"
	dd if=/dev/zero of="$T/late.img" bs=1M count=16 status=none
	mkfs.ext4 -q -F "$T/late.img"
	start_tracer "$T/out" "$T/err" filecache --watch --json
	mount -o loop "$T/late.img" "$T/late"
	"$WL/pages" fill "$T/late/f" 8192
	stop_tracer
	umount "$T/late"
	[ "$TRACER_STATUS" = 0 ]
	python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
rows = [f for f in r["files"] if f["path"] == sys.argv[2]]
assert len(rows) == 1 and rows[0]["path_kind"] == "mount" and rows[0]["added_pages"] == 2, rows
' "$T/out" "$T/late/f"
}
