#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# memtrace leak through real uprobes on real workloads: the bytes each
# workload leaks are known exactly (tests/workloads/leaker.c says which,
# and marks each leaking line with LEAK:<name>).

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	LEAKER=$WL/leaker
	SRC=$ROOT/tests/workloads/leaker.c
	CHECK="python3 $ROOT/tests/scenarios/leak_check.py"
}

teardown() {
	# shellcheck disable=SC2086
	[ -z "${HOGS:-}" ] || kill $HOGS 2>/dev/null || true
}

# leak_run OUT ARGS...: memtrace leak --json -i 0 ARGS into OUT (stdout)
# and OUT.err; fails unless it exits 0.
leak_run() {
	local out=$1
	shift
	"$MEMTRACE" leak --json -i 0 "$@" >"$out" 2>"$out.err" || {
		echo "memtrace leak $* failed ($?): $(cat "$out.err")" >&2
		return 1
	}
}

@test "leak: each allocator entry point leaks 30000 bytes from its function and line" {
	leak_run "$T/r.json" -- "$LEAKER" kinds
	for k in malloc calloc realloc posix_memalign valloc memalign aligned_alloc mmap; do
		$CHECK stack "$T/r.json" "$SRC" "leak_$k" "$k" 30000 1
	done
	# pvalloc allocates whole pages.
	$CHECK stack "$T/r.json" "$SRC" leak_pvalloc pvalloc 32768 1
	# The module is the program, the file its source.
	grep -q '"function":"leak_malloc","offset":[0-9]*,"file":"leaker.c","line":[0-9]*,"module":"[^"]*/leaker"' "$T/r.json"
	# Nothing else: the blocks each function freed, the failed calls.
	$CHECK total "$T/r.json" $((8 * 30000 + 32768))
}

@test "leak: a run that frees everything it allocates reports 0 outstanding" {
	leak_run "$T/r.json" -- "$LEAKER" noleak
	$CHECK total "$T/r.json" 0
	grep -q '"untracked_frees":0' "$T/r.json"
}

@test "leak: two threads allocating at once: 2 x 100 x 4000 = 800000 bytes" {
	leak_run "$T/r.json" -- "$LEAKER" threads
	$CHECK stack "$T/r.json" "$SRC" thread_leak thread 800000 200
}

@test "leak: malloc served by mmap inside glibc counts as the malloc, once" {
	leak_run "$T/r.json" -- "$LEAKER" nested
	$CHECK stack "$T/r.json" "$SRC" leak_nested nested 1048576 1
	$CHECK total "$T/r.json" 1048576
}

@test "leak: realloc moves, realloc(p, 0) frees, a failed realloc keeps the block" {
	leak_run "$T/r.json" -- "$LEAKER" realloc
	$CHECK stack "$T/r.json" "$SRC" leak_grown realloc_grow 20000 1
	$CHECK stack "$T/r.json" "$SRC" leak_failed_realloc realloc_kept 3000 1
	$CHECK total "$T/r.json" 23000
}

@test "leak: munmap of one page of ten leaves nine; mremap moves and grows" {
	leak_run "$T/r.json" -- "$LEAKER" munmap
	$CHECK stack "$T/r.json" "$SRC" leak_unmapped munmap $((9 * 4096)) 1
	$CHECK stack "$T/r.json" "$SRC" leak_remapped mremap $((8 * 4096)) 1
	$CHECK total "$T/r.json" $((17 * 4096))
}

@test "leak: the caller is the first frame even without a frame pointer" {
	leak_run "$T/r.json" -- "$LEAKER" nofp
	$CHECK stack "$T/r.json" "$SRC" leak_nofp - 5000 1
}

@test "leak: a frame-pointer walk stops at an address that cannot be a return address" {
	leak_run "$T/r.json" -- "$LEAKER" badfp
	$CHECK stack "$T/r.json" "$SRC" leak_badfp - 7000 1
	python3 - "$T/r.json" <<'PY'
import json, sys
rep = [json.loads(l) for l in open(sys.argv[1]) if '"report"' in l][-1]
s = [s for s in rep["stacks"] if s["bytes"] == 7000][0]
addrs = [hex(f["addr"]) for f in s["frames"]]
assert len(addrs) == 1, addrs
PY
}

@test "leak: 5000 distinct call paths: every allocation under its own exact stack, none lost" {
	# tests/workloads/paths.py: main -> mid_J -> leaf_I, 50 x 100 paths;
	# the 100 leaves' first frames are shared by 50 paths each. A stack
	# map of 16384 hash buckets lost about 640 of them to taken buckets.
	leak_run "$T/r.json" -T 100000 -- "$WL/paths"
	$CHECK paths "$T/r.json" 50 100
	$CHECK total "$T/r.json" 17497500
}

@test "leak: --max-stacks reached: stacks not kept (capacity), counted, never misattributed" {
	leak_run "$T/r.json" --max-stacks 64 -T 100000 -- "$WL/paths"
	$CHECK explained "$T/r.json"
	$CHECK total "$T/r.json" 17497500
	python3 - "$T/r.json" <<'PY'
import json, sys
rep = [json.loads(l) for l in open(sys.argv[1]) if '"report"' in l][-1]
kept = [s for s in rep["stacks"] if s["frames"]]
lost = [s for s in rep["stacks"] if not s["frames"]]
# 64 stacks kept, each with the one block its path made; the rest counted
# under one row that says why.
assert len(kept) == 64, len(kept)
for s in kept:
    i, j = int(s["frames"][0]["function"][5:]), int(s["frames"][1]["function"][4:])
    assert (s["bytes"], s["allocs"]) == (1000 + 100 * j + i, 1), s
assert len(lost) == 1 and lost[0]["stack"] == "not kept (capacity)", lost
assert lost[0]["allocs"] == rep["lost"]["stack_full"] == 5000 - 64, rep["lost"]
PY
	run "$MEMTRACE" leak -i 0 -T 1 --max-stacks 64 -- "$WL/paths"
	[ "$status" = 0 ]
	[[ $output == *"[stack not kept (capacity)]"* ]]
	[[ $output == *"Counted without their stack: stacks not kept: 4936 (capacity), 0 (not readable)"* ]]
}

@test "leak: heap blocks and mmap regions apart: totals, a kind per stack, split rows" {
	leak_run "$T/r.json" -T 30 -- "$LEAKER" kinds nested munmap both
	# heap: seven kinds of 30000, pvalloc's 32768, the 1 MiB malloc glibc
	# served with mmap, both's 20000; mmap: leak_mmap's, the 9 pages
	# munmap left, the 8 mremap made, both's 10 pages.
	python3 - "$T/r.json" <<'PY'
import json, sys
rep = [json.loads(l) for l in open(sys.argv[1]) if '"report"' in l][-1]
heap = (7 * 30000 + 32768 + 1048576 + 20000, 10)
mmap = (30000 + 9 * 4096 + 8 * 4096 + 10 * 4096, 4)
assert (rep["heap_bytes"], rep["heap_allocs"]) == heap, rep
assert (rep["mmap_bytes"], rep["mmap_allocs"]) == mmap, rep
assert rep["outstanding_bytes"] == heap[0] + mmap[0]
kinds = {}
for s in rep["stacks"]:
    kinds.setdefault(s["frames"][0]["function"], []).append((s["kind"], s["bytes"]))
assert kinds["leak_malloc"] == [("heap", 30000)], kinds
assert kinds["leak_nested"] == [("heap", 1048576)], kinds
assert kinds["leak_mmap"] == [("mmap", 30000)], kinds
# One stack (one call site, in a loop), both kinds: two rows.
assert sorted(kinds["leak_both"]) == [("heap", 20000), ("mmap", 40960)], kinds
PY
	run "$MEMTRACE" leak -i 0 -T 30 -- "$LEAKER" kinds nested munmap both
	[ "$status" = 0 ]
	[[ $output == *$'\n  heap: 1311344 bytes in 10 allocations\n  mmap: 140592 bytes in 4 mappings\n'* ]]
	[[ $output == *$'\t40960 bytes in 1 allocations from stack (mmap)\n\t\tleak_both+'* ]]
	[[ $output == *$'\t20000 bytes in 1 allocations from stack\n\t\tleak_both+'* ]]
	run "$MEMTRACE" leak --folded -- "$LEAKER" both
	[ "$status" = 0 ]
	[[ ${lines[0]} == "mmap;"*";main;both_kinds;leak_both 40960" ]]
	[[ ${lines[1]} == "heap;"*";main;both_kinds;leak_both 20000" ]]
}

@test "leak: --kind heap and --kind mmap trace one kind; another value is a usage error" {
	leak_run "$T/heap.json" -v --kind heap -- "$LEAKER" kinds nested munmap both
	leak_run "$T/mmap.json" -v --kind mmap -- "$LEAKER" kinds nested munmap both
	python3 - "$T/heap.json" "$T/mmap.json" <<'PY'
import json, sys
def rep(p):
    return [json.loads(l) for l in open(p) if '"report"' in l][-1]
h, m = rep(sys.argv[1]), rep(sys.argv[2])
assert (h["heap_bytes"], h["heap_allocs"], h["mmap_bytes"]) == (1311344, 10, 0), h
assert h["outstanding_bytes"] == 1311344
# The 1 MiB malloc glibc serves with mmap stays the malloc's: not a region.
assert (m["mmap_bytes"], m["mmap_allocs"], m["heap_bytes"]) == (140592, 4, 0), m
assert all(s["kind"] == "mmap" for s in m["stacks"]), m["stacks"]
PY
	# What is not wanted is not probed.
	! grep -q "memtrace leak: mmap: " "$T/heap.json.err"
	! grep -q "memtrace leak: free: " "$T/mmap.json.err"
	grep -q "memtrace leak: malloc: " "$T/mmap.json.err"
	run "$MEMTRACE" leak --kind stack -- true
	[ "$status" = 2 ]
	[[ $output == "memtrace leak: invalid value 'stack' for --kind: "* ]]
	run "$MEMTRACE" leak --kind heap
	[ "$status" = 2 ]
	[[ $output == "memtrace leak: --kind applies to a process (-p PID or -- CMD)"* ]]
}

# vg_vs_memtrace CMD...: valgrind's "in use at exit" and memtrace's heap
# total of the same run of CMD, as "BYTES BLOCKS" each.
vg_vs_memtrace() {
	valgrind --leak-check=no --run-libc-freeres=no --run-cxx-freeres=no \
		--log-file="$T/vg.log" "$@" >/dev/null 2>&1
	VG=$(sed -n 's/.*in use at exit: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\1 \2/p' \
		"$T/vg.log" | tr -d ,)
	leak_run "$T/cmd.out" -T 1 --output "$T/mt.json" -- "$@"
	MT=$(python3 -c 'import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
print(r["heap_bytes"], r["heap_allocs"])' "$T/mt.json")
}

@test "leak: the heap total equals valgrind's \"in use at exit\" on Debian's programs, bytes and blocks" {
	# valgrind counts the blocks of the malloc family and C++ new still
	# held at exit, after the exit handlers; neither tool frees glibc's or
	# libstdc++'s own buffers at exit (--run-libc-freeres=no,
	# --run-cxx-freeres=no), and mappings (locale files, Python's arenas)
	# are memtrace's other kind. The same input each time.
	seq 1 3000 | sort -R --random-source=/dev/zero >"$T/nums"
	local -a progs=(
		"ls -la $ROOT/tests"
		"sort -n $T/nums"
		"awk {s+=\$1}END{print(s)} $T/nums"
		"sed -n s/1/x/p $T/nums"
		"find $ROOT/src -type f"
		"du -s $ROOT/src"
	)
	local p n=0
	for p in "${progs[@]}"; do
		# shellcheck disable=SC2086
		vg_vs_memtrace $p
		echo "$p: valgrind $VG, memtrace $MT"
		[ -n "$VG" ] && [ "$VG" = "$MT" ]
		n=$((n + 1))
	done
	vg_vs_memtrace sqlite3 :memory: 'create table t(a); insert into t values (1), (2); select sum(a) from t;'
	echo "sqlite3: valgrind $VG, memtrace $MT"
	[ -n "$VG" ] && [ "$VG" = "$MT" ]
	vg_vs_memtrace /usr/bin/python3 -c 'import json; print(json.dumps(list(range(10))))'
	echo "python3: valgrind $VG, memtrace $MT"
	[ -n "$VG" ] && [ "$VG" = "$MT" ]
	# Python's arenas are mappings: memtrace's other kind.
	python3 -c 'import json, sys
assert [json.loads(l) for l in open(sys.argv[1])][-1]["mmap_bytes"] >= 256 * 1024' "$T/mt.json"
}

@test "leak: a link per probe (no multi-uprobe links, before 6.6) reports the same" {
	leak_run "$T/multi.json" -v -T 50 -- "$LEAKER" kinds threads nested realloc munmap both
	MEMTRACE_DISABLE=uprobe_multi leak_run "$T/each.json" -v -T 50 -- \
		"$LEAKER" kinds threads nested realloc munmap both
	grep -q "allocator functions via uprobe_multi" "$T/multi.json.err"
	grep -q "allocator functions via uprobe$" "$T/each.json.err"
	python3 - "$T/multi.json" "$T/each.json" <<'PY'
import json, sys
def rows(p):
    r = [json.loads(l) for l in open(p) if '"report"' in l][-1]
    return sorted((s["kind"], s["bytes"], s["allocs"],
                   tuple(f.get("function") for f in s["frames"]))
                  for s in r["stacks"])
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert a == b, (a, b)
PY
}

# under_load DIR: three tracers at once, each on its own workload (every
# kind of leak; 5000 call paths; C++), judged as the scenarios are.
under_load() {
	local d=$1 a b c
	mkdir -p "$d/a"
	"$MEMTRACE" leak --json -v -T 30 -i 0 -- "$LEAKER" kinds threads nested \
		realloc munmap nofp >"$d/a/out" 2>"$d/a/err" &
	a=$!
	"$MEMTRACE" leak --json -T 100000 -i 0 -- "$WL/paths" >"$d/b.json" 2>"$d/b.err" &
	b=$!
	"$MEMTRACE" leak --json -T 30 -i 0 -- "$WL/leaker_cxx" >"$d/c.json" 2>"$d/c.err" &
	c=$!
	wait $a && echo 0 >"$d/a/status" || echo $? >"$d/a/status"
	wait $b || { cat "$d/b.err"; return 1; }
	wait $c || { cat "$d/c.err"; return 1; }
	check_leak_leaker "$d/a"
	$CHECK paths "$d/b.json" 50 100
	$CHECK stack "$d/c.json" "$ROOT/tests/workloads/leaker_cxx.cpp" "Factory::make()" widget 4000 1
	$CHECK stack "$d/c.json" "$ROOT/tests/workloads/leaker_cxx.cpp" "leak_array()" array 30000 1
	$CHECK total "$d/c.json" 34000 main
}

@test "leak: under load (three tracers at once, CPU hogs), 20 rounds: every report exact" {
	# 60 traced runs: a fault that strikes one run in 20 lets all 60
	# pass with a chance of 0.95^60, under 5%.
	local i
	HOGS=
	for ((i = 0; i <= $(nproc); i++)); do
		sh -c 'while :; do :; done' &
		HOGS="$HOGS $!"
	done
	for ((i = 1; i <= 20; i++)); do
		under_load "$T/$i"
	done
}

@test "leak: the build for kernels before 5.11 (thread state in a hash) reports the same" {
	leak_run "$T/ts.json" -T 30 -- "$LEAKER" kinds threads nested realloc munmap
	MEMTRACE_DISABLE=task_storage leak_run "$T/hash.json" -v -T 30 -- \
		"$LEAKER" kinds threads nested realloc munmap
	grep -q "thread state: a hash map" "$T/hash.json.err"
	python3 - "$T/ts.json" "$T/hash.json" <<'PY'
import json, sys
def totals(p):
    r = [json.loads(l) for l in open(p) if '"report"' in l][-1]
    return r["outstanding_bytes"], r["outstanding_allocs"]
a, b = totals(sys.argv[1]), totals(sys.argv[2])
assert a == b, (a, b)
PY
	$CHECK stack "$T/hash.json" "$SRC" thread_leak thread 800000 200
	$CHECK stack "$T/hash.json" "$SRC" leak_realloc realloc 30000 1
}

@test "leak: a program whose name has a newline and an ESC: named, and escaped in text" {
	local prog
	prog="$T/leak$(printf '\n\033')er"
	cp "$LEAKER" "$prog"
	leak_run "$T/r.json" -- "$prog" nested
	$CHECK stack "$T/r.json" "$SRC" leak_nested nested 1048576 1
	run "$MEMTRACE" leak -i 0 -- "$prog" nested
	[ "$status" = 0 ]
	[[ $output == *'leak_nested+0x'*' [leak\x0a\x1ber]'* ]]
	refute grep -q $'\033' <<<"$output"
	run "$MEMTRACE" leak -i 0 --folded -- "$prog" nested
	[ "$status" = 0 ]
	[ "${#lines[@]}" = 1 ]
	[[ ${lines[0]} == *";leak_nested 1048576" ]]
}

@test "leak: --max-allocs reached: the blocks not kept counted as map full, none lost or misattributed" {
	# paths' 5000 blocks (1000 to 5999 bytes, nothing else of that size):
	# the table of blocks has room for 1024 at least (2048 slots, or a
	# hash map of 1024 before 5.12); each block is kept under its stack
	# or counted as not kept, exactly.
	for state in "" task_storage; do
		MEMTRACE_DISABLE=$state leak_run "$T/r$state.json" --max-allocs 1024 \
			-z 1000 -Z 5999 -T 100000 -- "$WL/paths"
		python3 - "$T/r$state.json" <<'PY'
import json, sys
rep = [json.loads(l) for l in open(sys.argv[1]) if '"report"' in l][-1]
kept, full = rep["outstanding_allocs"], rep["lost"]["map_full"]
assert kept + full == 5000 and 1024 <= kept <= 2048, (kept, full)
for s in rep["stacks"]:
    i, j = int(s["frames"][0]["function"][5:]), int(s["frames"][1]["function"][4:])
    assert (s["bytes"], s["allocs"]) == (1000 + 100 * j + i, 1), s
PY
	done
}

@test "leak: C++ new and delete: names demangled, pairs not reported" {
	leak_run "$T/r.json" -- "$WL/leaker_cxx"
	local src=$ROOT/tests/workloads/leaker_cxx.cpp
	$CHECK stack "$T/r.json" "$src" "Factory::make()" widget 4000 1
	$CHECK stack "$T/r.json" "$src" "leak_array()" array 30000 1
	# The 1000 new/delete pairs of each kind left nothing through main.
	$CHECK total "$T/r.json" 34000 main
}

# leak_p_final OUT PID: "leak -p PID" until the leaker (-w kinds) exits;
# its final report is read after the exit.
leak_p_final() {
	start_tracer "$1" "$1.err" leak --json -i 0 -p "$2"
	kill -USR1 "$2"
	for _ in $(seq 200); do grep -q done "$T/wl.out" && break; sleep 0.05; done
	kill -TERM "$2"
	wait "$2" || true
	wait_tracer
	[ "$TRACER_STATUS" = 0 ] || { cat "$1.err"; false; }
}

@test "leak: -p attaches to a running process; its exit ends the trace with the final report" {
	"$LEAKER" -w kinds >"$T/wl.out" &
	local wl=$!
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	leak_p_final "$T/r.json" "$wl"
	grep -q "process $wl has exited" "$T/r.json.err"
	for k in malloc calloc realloc posix_memalign valloc memalign aligned_alloc mmap; do
		$CHECK stack "$T/r.json" "$SRC" "leak_$k" "$k" 30000 1
	done
}

@test "leak: -- CMD that runs for milliseconds still has its leaks reported, named" {
	run "$MEMTRACE" leak -- "$LEAKER" nested
	[ "$status" = 0 ]
	[[ $output == *"Top 1 stacks with outstanding allocations:"* ]]
	[[ $output == *"1048576 bytes in 1 allocations from stack"* ]]
	[[ $output =~ leak_nested\+0x[0-9a-f]+\ \(leaker\.c:[0-9]+\)\ \[leaker\] ]]
	[[ $output =~ main\+0x[0-9a-f]+\ \(leaker\.c:[0-9]+\)\ \[leaker\] ]]
}

@test "leak: --json, --folded and the text report agree" {
	"$MEMTRACE" leak -i 0 -T 30 -- "$LEAKER" kinds realloc >"$T/text"
	"$MEMTRACE" leak -i 0 -T 30 --json -- "$LEAKER" kinds realloc >"$T/json"
	"$MEMTRACE" leak --folded -- "$LEAKER" kinds realloc >"$T/folded"
	$CHECK agree "$T/text" "$T/json" "$T/folded"
	# Folded lines are root first: main before the leaking function.
	grep -q ";main;kinds;leak_malloc 30000$" "$T/folded"
}

@test "leak: -C keeps per-stack totals in the kernel, same numbers" {
	leak_run "$T/r.json" -C -T 20 -- "$LEAKER" kinds threads
	for k in malloc calloc realloc posix_memalign valloc memalign aligned_alloc mmap; do
		$CHECK stack "$T/r.json" "$SRC" "leak_$k" "$k" 30000 1
	done
	$CHECK stack "$T/r.json" "$SRC" thread_leak thread 800000 200
}

@test "leak: -z/-Z filter by size, -a lists each allocation" {
	leak_run "$T/r.json" -z 10000 -Z 31000 -a -- "$LEAKER" kinds threads realloc
	$CHECK stack "$T/r.json" "$SRC" leak_malloc malloc 30000 1
	$CHECK stack "$T/r.json" "$SRC" leak_grown realloc_grow 20000 1
	# 4000-byte and 3000-byte blocks are under -z; pvalloc's page-rounded
	# 32768 is over -Z.
	$CHECK total "$T/r.json" 0 thread_leak
	$CHECK total "$T/r.json" 0 leak_pvalloc
	grep -q '"allocations":\[{"addr":[0-9]*,"size":30000}\]' "$T/r.json"
}

@test "leak: -o hides young allocations from interval reports, not from the final one" {
	"$LEAKER" -w kinds >"$T/wl.out" &
	local wl=$!
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	start_tracer "$T/r.txt" "$T/r.err" leak -o 60000 -p "$wl" --duration 2
	kill -USR1 "$wl"
	wait_tracer
	kill -TERM "$wl"; wait "$wl" || true
	[ "$TRACER_STATUS" = 0 ]
	# Alive at the end: -o applies; nothing is a minute old.
	grep -q "Outstanding: 0 bytes in 0 allocations from 0 stacks (older than 60000 ms)" "$T/r.txt"
}

@test "leak: -o shows allocations once they are older, while the process lives" {
	"$LEAKER" -w kinds >"$T/wl.out" &
	local wl=$!
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	start_tracer "$T/r.json" "$T/r.err" leak --json -o 300 -p "$wl"
	kill -USR1 "$wl"
	for _ in $(seq 200); do grep -q done "$T/wl.out" && break; sleep 0.05; done
	sleep 1
	stop_tracer
	kill -TERM "$wl"; wait "$wl" || true
	[ "$TRACER_STATUS" = 0 ]
	grep -q '"older_ms":300' "$T/r.json"
	$CHECK total "$T/r.json" 272768
}

@test "leak: a filtered-out realloc still frees the old block; a sampled run keeps no phantom" {
	leak_run "$T/r.json" -z 1000 -Z 25000 -- "$LEAKER" realloc
	# 1000 -> 20000 is kept; the 3000-byte block survives its failed
	# realloc (SIZE_MAX/2, over -Z); nothing else.
	$CHECK total "$T/r.json" 23000
	leak_run "$T/r.json" -z 5000 -- "$LEAKER" realloc
	# The 1000-byte block was not tracked; the 20000 one is, once.
	$CHECK total "$T/r.json" 20000
}

@test "leak: C++ std::bad_alloc is still caught under tracing" {
	run "$MEMTRACE" leak -i 0 -- "$WL/leaker_cxx" throw
	[ "$status" = 0 ]
	[[ $output == *"caught bad_alloc"* ]]
	[[ $output != *"killed by signal"* ]]
}

@test "leak: a stopped command resumes on SIGCONT; an exec forgets the old image; scripts" {
	"$MEMTRACE" leak -i 0 -- sh -c 'kill -STOP $$; echo resumed' >"$T/out" 2>&1 &
	local mt=$! child=
	for _ in $(seq 100); do child=$(pgrep -P "$mt" sh) && break; sleep 0.05; done
	# Its stop cannot be told from memtrace's own brief ones ("t" both):
	# SIGCONT until it runs on (before the fix, it never did).
	for _ in $(seq 100); do
		kill -CONT "$child" 2>/dev/null || break
		sleep 0.05
	done
	for _ in $(seq 100); do kill -0 "$mt" 2>/dev/null || break; sleep 0.05; done
	if kill -0 "$mt" 2>/dev/null; then
		kill -KILL "$mt" "$child"
		false
	fi
	grep -q resumed "$T/out"

	leak_run "$T/r.json" -- sh -c "exec $LEAKER nested"
	$CHECK total "$T/r.json" 1048576

	# A script: its interpreter's allocator is the one to trace.
	printf '#!/bin/sh\nexec %s nested\n' "$LEAKER" >"$T/wrap.sh"
	chmod +x "$T/wrap.sh"
	leak_run "$T/r.json" -- "$T/wrap.sh"
	$CHECK total "$T/r.json" 1048576
}

@test "leak: -p of a process that execs forgets the old image, names the new one" {
	mkfifo "$T/go"
	# shellcheck disable=SC2016
	sh -c 'read x <"$1"; exec "$2" -w nested >"$3"' _ "$T/go" "$LEAKER" "$T/wl.out" &
	local wl=$!
	# Until sh runs (with its C library mapped), the child is bash's fork
	# or an exec half done, whose memory map may have no allocator yet.
	for _ in $(seq 200); do
		[ "$(readlink "/proc/$wl/exe")" = "$(readlink -f /bin/sh)" ] &&
			grep -q 'libc\.so' "/proc/$wl/maps" && break
		sleep 0.05
	done
	start_tracer "$T/r.json" "$T/r.err" leak --json -i 0.3 -o 0 -p "$wl"
	# The shell allocates before it execs: none of that may remain.
	echo go >"$T/go"
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	kill -USR1 "$wl"
	for _ in $(seq 200); do grep -q done "$T/wl.out" && break; sleep 0.05; done
	# A report while it lives names the new image's frames.
	for _ in $(seq 200); do grep -q '"function":"leak_nested"' "$T/r.json" && break; sleep 0.05; done
	kill -TERM "$wl"
	wait "$wl" || true
	wait_tracer
	[ "$TRACER_STATUS" = 0 ] || { cat "$T/r.err"; false; }
	$CHECK stack "$T/r.json" "$SRC" leak_nested nested 1048576 1
	# and the buffer of its stdout (a file), which glibc never frees
	$CHECK stack "$T/r.json" "$SRC" _IO_file_doallocate - 4096 1
	$CHECK total "$T/r.json" $((1048576 + 4096))
}

@test "leak: -p names frames from the file mapped, even when it is replaced during the trace" {
	mkdir "$T/bin"
	cp "$LEAKER" "$T/bin/leaker"
	"$T/bin/leaker" -w kinds >"$T/wl.out" &
	local wl=$!
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	# Another program at the same path (a new inode), as an upgrade does.
	cp "$WL/leaker_cxx" "$T/bin/new" && mv "$T/bin/new" "$T/bin/leaker"
	leak_p_final "$T/r.json" "$wl"
	for k in malloc calloc realloc posix_memalign valloc memalign aligned_alloc mmap; do
		$CHECK stack "$T/r.json" "$SRC" "leak_$k" "$k" 30000 1
	done
}

@test "leak: -p of a process in another mount namespace: its files, not ours, name its frames" {
	mkdir -p "$T/ns"
	# Ours: another program at the path the process runs.
	cp "$WL/leaker_cxx" "$T/ns/leaker"
	# shellcheck disable=SC2016
	unshare -m sh -c 'mount -t tmpfs none "$1" && cp "$2" "$1/leaker" &&
		exec "$1/leaker" -w kinds >"$3"' _ "$T/ns" "$LEAKER" "$T/wl.out" &
	local wl=$!
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	leak_p_final "$T/r.json" "$wl"
	for k in malloc calloc realloc posix_memalign valloc memalign aligned_alloc mmap; do
		$CHECK stack "$T/r.json" "$SRC" "leak_$k" "$k" 30000 1
	done
}

# leak_tty ARGS...: "memtrace leak --json -i 0 --output $T/r.json ARGS"
# on a terminal, its stderr in $T/r.err, CMD's stdout in $T/wl.out; the
# steps of tests/lib/tty_interrupt.py come from TTY_STEPS, its --after
# command from TTY_AFTER.
leak_tty() {
	# shellcheck disable=SC2016,SC2086
	python3 "$ROOT/tests/lib/tty_interrupt.py" --after "${TTY_AFTER:-true}" $TTY_STEPS -- sh -c \
		'm=$1 o=$2 w=$3 e=$4; shift 4; exec "$m" leak --json -i 0 --output "$o" "$@" >"$w" 2>"$e"' \
		_ "$MEMTRACE" "$T/r.json" "$T/wl.out" "$T/r.err" "$@"
}

@test "leak: Ctrl-C waits for the command's shutdown: what it frees then is not a leak" {
	TTY_STEPS="$T/wl.out ready"
	run leak_tty -o 0 -- "$LEAKER" graceful
	echo "$output"; cat "$T/r.err"
	[ "$output" = "status 0" ]
	grep -q freed "$T/wl.out"
	# 10 MiB were held when Ctrl-C came; all freed in the 0.5 s that
	# followed. What remains is stdout's buffer, which glibc never frees.
	$CHECK stack "$T/r.json" "$SRC" _IO_file_doallocate - 4096 1
	$CHECK total "$T/r.json" 4096
	refute grep -q partial "$T/r.err"
}

@test "leak: a second Ctrl-C stops waiting: a partial report, the command runs on, not stopped" {
	TTY_STEPS="$T/wl.out ready $T/r.err interrupt"
	# Once memtrace has exited, while the terminal is still there.
	TTY_AFTER="pid=\$(sed -n 's/.*the command (PID \\([0-9]*\\)) runs on.*/\\1/p' $T/r.err);
		echo \$pid >$T/pid; grep -E '^(State|TracerPid):' /proc/\$pid/status >$T/state"
	run leak_tty -- "$LEAKER" deaf
	echo "$output"; cat "$T/r.err" "$T/state"
	local pid
	pid=$(cat "$T/pid")
	[ "$output" = "status 0" ]
	# It ran on (sleeping in sigsuspend), neither stopped nor traced.
	grep -q "^State:.S (sleeping)" "$T/state"
	grep -q "^TracerPid:.0$" "$T/state"
	grep -q "waiting for the command (PID $pid) to exit; interrupt again to stop waiting" "$T/r.err"
	grep -q "the report is partial: the command (PID $pid) runs on, no longer traced" "$T/r.err"
	grep -q '"type":"report"' "$T/r.json"
}

@test "leak: SIGTERM to memtrace alone reaches the command; nothing is left running" {
	"$MEMTRACE" leak --json -i 0 -- "$LEAKER" deaf >"$T/r.json" 2>"$T/r.err" &
	TRACER_PID=$!
	local pid
	for _ in $(seq 100); do grep -q ready "$T/r.json" && break; sleep 0.05; done
	pid=$(pgrep -P "$TRACER_PID" leaker)
	[ -n "$pid" ]
	kill -TERM "$TRACER_PID"
	wait_tracer
	cat "$T/r.err"
	[ "$TRACER_STATUS" = 0 ]
	refute kill -0 "$pid" 2>/dev/null
	grep -q "the command was killed by signal 15" "$T/r.err"
	grep -q '"type":"report"' "$T/r.json"
}

@test "leak: --output keeps the report apart from the command's stdout; --user runs it as another user" {
	run "$MEMTRACE" leak --json -i 0 --output "$T/r.json" -- sh -c 'echo not json; id -u; echo "$HOME"'
	[ "$status" = 0 ]
	[ "${lines[0]}" = "not json" ]
	[ "${lines[1]}" = 0 ]
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/r.json"
	run "$MEMTRACE" leak -i 0 --output "$T/r.txt" --user nobody -- \
		sh -c 'id -u; id -g; echo "$HOME"; exec "$1" nested' _ "$LEAKER"
	[ "$status" = 0 ]
	[ "${lines[0]}" = "$(id -u nobody)" ]
	[ "${lines[1]}" = "$(id -g nobody)" ]
	[ "${lines[2]}" = "$(getent passwd nobody | cut -d: -f6)" ]
	grep -q "^Outstanding: 1048576 bytes in 1 allocations" "$T/r.txt"
	run "$MEMTRACE" leak --user no-such-user-here -- true
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: --user no-such-user-here: no such user in /etc/passwd" ]
	run "$MEMTRACE" leak --user nobody -p 1
	[ "$status" = 2 ]
	[[ $output == *"--user applies to a command memtrace runs (-- CMD)"* ]]
}

@test "leak: -p of a thread traces its process" {
	"$LEAKER" -w threads >"$T/wl.out" &
	local wl=$! tid
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	# The main thread is the only one yet: take it through its task list.
	tid=$(ls /proc/"$wl"/task | head -1)
	start_tracer "$T/r.json" "$T/r.err" leak --json -i 0 -p "$tid"
	kill -USR1 "$wl"
	for _ in $(seq 200); do grep -q done "$T/wl.out" && break; sleep 0.05; done
	kill -TERM "$wl"; wait "$wl" || true
	wait_tracer
	$CHECK stack "$T/r.json" "$SRC" thread_leak thread 800000 200
}

@test "leak: -t prints every allocation and free" {
	run "$MEMTRACE" leak -t -i 0 -- "$LEAKER" nested
	[ "$status" = 0 ]
	[[ $output =~ alloc\ +tid\ [0-9]+\ +malloc\ +0x[0-9a-f]+\ 1048576\ bytes ]]
}

@test "leak: -t -p shows a lone allocation within 1 s, while memtrace runs" {
	"$LEAKER" -w nofp >"$T/wl.out" &
	local wl=$!
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	start_tracer "$T/out" "$T/err" leak -t -p "$wl"
	kill -USR1 "$wl"
	for _ in $(seq 200); do grep -q done "$T/wl.out" && break; sleep 0.05; done
	await_line "$T/out" "alloc +tid $wl +malloc +0x[0-9a-f]+ 5000 bytes"
	kill -TERM "$wl"
	wait "$wl" || true
	wait_tracer
	[ "$TRACER_STATUS" = 0 ]
}

@test "leak: -v shows each probe where the kernel emulates it" {
	run "$MEMTRACE" leak -v -i 0 -- "$LEAKER" nested
	[ "$status" = 0 ]
	[[ $output =~ "free: libc.so.6+0x"[0-9a-f]+": uprobe at +"[1-9] ]]
	[[ $output =~ "malloc: libc.so.6+0x"[0-9a-f]+": uprobe and uretprobe at +0: the symbol's address (push, emulated)" ]]
	[[ $output == *"memtrace leak: ready"* ]]
}

@test "leak: errors: no such PID, -O not mapped or missing, no such command, no privileges, bad values" {
	run "$MEMTRACE" leak -p 4194303
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: no process with PID 4194303" ]

	sleep 30 &
	local pid=$!
	run "$MEMTRACE" leak -p "$pid" -O libjemalloc.so.2
	kill "$pid"
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: -O libjemalloc.so.2: no such library in the memory map of process $pid" ]

	run "$MEMTRACE" leak -- /nonexistent/prog
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: cannot run '/nonexistent/prog': No such file or directory" ]

	run "$MEMTRACE" leak -- no-such-command-memtrace
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: cannot run 'no-such-command-memtrace': command not found" ]

	run "$MEMTRACE" leak -O /nonexistent/libfoo.so -- true
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: -O /nonexistent/libfoo.so: No such file or directory" ]

	run setpriv --reuid=65534 --regid=65534 --clear-groups "$MEMTRACE" leak -- true
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: needs root or CAP_BPF and CAP_PERFMON" ]

	run env MEMTRACE_BTF="$T/missing" "$MEMTRACE" leak -- true
	[ "$status" = 1 ]
	[[ $output == "memtrace leak: cannot read kernel BTF from $T/missing (MEMTRACE_BTF)"* ]]

	run "$MEMTRACE" leak -T 0 -- true
	[ "$status" = 2 ]
	run "$MEMTRACE" leak --stack-depth 500 -- true
	[ "$status" = 2 ]
	run "$MEMTRACE" leak -C -a -- true
	[ "$status" = 2 ]
	run "$MEMTRACE" leak -p 1 -- true
	[ "$status" = 2 ]
}

@test "leak: errors that name the real problem: empty or missing command, scripts, ranges, zombies" {
	run "$MEMTRACE" leak --
	[ "$status" = 2 ]
	[ "$output" = "memtrace leak: '--' must be followed by the command to run (see 'memtrace leak --help')" ]
	run "$MEMTRACE" leak -- ''
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: cannot run '': an empty command name" ]
	run "$MEMTRACE" leak -- "$T"
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: cannot run '$T': it is a directory" ]
	printf 'echo hello\n' >"$T/noshebang"
	chmod +x "$T/noshebang"
	run "$MEMTRACE" leak -- "$T/noshebang"
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: cannot run '$T/noshebang': not a program (no ELF header, no #! line)" ]
	printf '#!/nonexistent/interp\n' >"$T/badinterp"
	chmod +x "$T/badinterp"
	run "$MEMTRACE" leak -- "$T/badinterp"
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: cannot run '$T/badinterp': its interpreter /nonexistent/interp: No such file or directory" ]

	# Out of range: the range is said.
	run "$MEMTRACE" leak --max-allocs 10 -- true
	[ "$status" = 2 ]
	[[ $output == "memtrace leak: invalid value '10' for --max-allocs: out of range (1024 to 67108864)"* ]]
	run "$MEMTRACE" leak -T 0 -- true
	[[ $output == *"out of range (1 to 1000000)"* ]]
	# An option -C would ignore.
	run "$MEMTRACE" leak -C -o 100 -- true
	[ "$status" = 2 ]
	[[ $output == *"-o needs each allocation's age, which -C does not keep"* ]]

	# A zombie, a kernel thread.
	make_zombie
	run "$MEMTRACE" leak -p "$ZOMBIE"
	kill "$ZOMBIE_PARENT" 2>/dev/null || true
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: process $ZOMBIE has exited: a zombie its parent has not reaped yet" ]
	run "$MEMTRACE" leak -p 2
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: 2 is a kernel thread: it has no user-space memory" ]
}

@test "leak: a command's exit status and signals pass through; memtrace exits 0" {
	run "$MEMTRACE" leak -i 0 -- sh -c 'kill -USR2 $$; exit 3'
	[ "$status" = 0 ]
	[[ $output == *"the command was killed by signal 12"* ]]
	run "$MEMTRACE" leak -i 0 -- sh -c 'trap "exit 5" USR1; kill -USR1 $$; exit 3'
	[ "$status" = 0 ]
	[[ $output == *"the command exited with status 5"* ]]
}

@test "leak: user space runs clean under valgrind" {
	MEMTRACE=$MEMTRACE_GLIBC
	run valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=all --suppressions="$ROOT/tests/valgrind.supp" \
		"$MEMTRACE" leak -i 0 -a -- "$LEAKER" kinds munmap
	[ "$status" = 0 ] || { echo "$output"; false; }
	[[ $output == *"30000 bytes in 1 allocations from stack"* ]]
}

@test "leak: user space runs clean under ASan and UBSan" {
	run "$ROOT/.output/memtrace.asan" leak -i 0 --json -- "$LEAKER" kinds
	[ "$status" = 0 ] || { echo "$output"; false; }
	[[ $output == *'"outstanding_bytes":272768'* ]]
}

@test "leak: the scenario the test kernels run (every kind, threads, nested, realloc, munmap)" {
	scenario_leak_leaker "$T"
	check_leak_leaker "$T"
}
