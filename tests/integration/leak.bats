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

@test "leak: C++ new and delete: names demangled, pairs not reported" {
	leak_run "$T/r.json" -- "$WL/leaker_cxx"
	local src=$ROOT/tests/workloads/leaker_cxx.cpp
	$CHECK stack "$T/r.json" "$src" "Factory::make()" widget 4000 1
	$CHECK stack "$T/r.json" "$src" "leak_array()" array 30000 1
	# The 1000 new/delete pairs of each kind left nothing through main.
	$CHECK total "$T/r.json" 34000 main
}

@test "leak: -p attaches to a running process; its exit ends the trace with the final report" {
	"$LEAKER" -w kinds >"$T/wl.out" &
	local wl=$!
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	start_tracer "$T/r.json" "$T/r.err" leak --json -i 0 -p "$wl"
	kill -USR1 "$wl"
	for _ in $(seq 200); do grep -q done "$T/wl.out" && break; sleep 0.05; done
	kill -TERM "$wl"
	wait "$wl" || true
	wait_tracer
	[ "$TRACER_STATUS" = 0 ] || { cat "$T/r.err"; false; }
	grep -q "process $wl has exited" "$T/r.err"
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
	"$MEMTRACE" leak -i 0 -- "$LEAKER" kinds realloc >"$T/text"
	"$MEMTRACE" leak -i 0 --json -- "$LEAKER" kinds realloc >"$T/json"
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

@test "leak: a command's exit status and signals pass through; memtrace exits 0" {
	run "$MEMTRACE" leak -i 0 -- sh -c 'kill -USR2 $$; exit 3'
	[ "$status" = 0 ]
	[[ $output == *"the command was killed by signal 12"* ]]
	run "$MEMTRACE" leak -i 0 -- sh -c 'trap "exit 5" USR1; kill -USR1 $$; exit 3'
	[ "$status" = 0 ]
	[[ $output == *"the command exited with status 5"* ]]
}

@test "leak: user space runs clean under valgrind" {
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
