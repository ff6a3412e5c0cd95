#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# memtrace leak's kernel mode (no -p, no command) through the real kmem
# tracepoints: tests/workloads/kobjects makes the kernel hold a known
# number of objects, then releases them. tests/run runs this file on both
# hook paths (tp_btf, classic tracepoint); the test kernels run the same
# scenarios (tests/scenarios/leak.sh).

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	umount "$T/tmpfs" 2>/dev/null || true
}

@test "kleak: N xattrs: outstanding through __x64_sys_setxattr rise by N, fall after removal" {
	scenario_kleak_xattr "$T"
	check_kleak_xattr "$T"
}

@test "kleak: N eventfds: N more struct files in the filp cache (--by-cache), gone after close" {
	scenario_kleak_eventfd "$T"
	check_kleak_eventfd "$T"
}

@test "kleak: --pages: pipes filled with 64 KiB hold 16 pages each until drained and closed" {
	scenario_kleak_pipe "$T"
	check_kleak_pipe "$T"
}

@test "kleak: text report names kernel functions; kfree(NULL) and frees of others ignored" {
	# A tree walk meanwhile: dentries and inodes it leaves cached.
	(sleep 0.5; ls -R /usr/share >/dev/null 2>&1) &
	run "$MEMTRACE" leak --duration 2 -T 1 -o 0
	wait
	[ "$status" = 0 ]
	[[ $output == *"Top 1 stacks with outstanding allocations:"* ]]
	[[ $output =~ entry_SYSCALL_64|ret_from_fork|kthread ]]
	[[ $output != *"Frees of allocations not tracked"* ]]
}

@test "kleak: errors: --alloc-pid of no process, user-space options, -C with --by-cache" {
	run "$MEMTRACE" leak --alloc-pid 4194303
	[ "$status" = 1 ]
	[ "$output" = "memtrace leak: no process with PID 4194303" ]
	run "$MEMTRACE" leak -O libc.so.6
	[ "$status" = 2 ]
	[[ $output == "memtrace leak: -O applies to a process (-p PID or -- CMD)"* ]]
	run "$MEMTRACE" leak --pages -p 1
	[ "$status" = 2 ]
	[[ $output == "memtrace leak: --pages applies to kernel allocations (no -p, no command)"* ]]
	run "$MEMTRACE" leak -C --by-cache
	[ "$status" = 2 ]
}

@test "kleak: user space runs clean under valgrind" {
	MEMTRACE=$MEMTRACE_GLIBC
	run valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=all --suppressions="$ROOT/tests/valgrind.supp" \
		"$MEMTRACE" leak --duration 1 -o 0 --by-cache --pages --percpu -a --json
	[ "$status" = 0 ] || { echo "$output" | tail -20; false; }
	[[ $output == *'"type":"report"'* ]]
}

@test "kleak: tp_btf and the classic tracepoint, tracing at once, count the same objects" {
	# Each tracer picks its own path, whichever profile runs this file.
	mkdir -p "$T/tmpfs" && mount -t tmpfs -o size=4m none "$T/tmpfs" && touch "$T/tmpfs/f"
	"$WL/kobjects" xattr "$T/tmpfs/f" 300 >"$T/wl.out" &
	local wl=$! first
	for _ in $(seq 100); do grep -q ready "$T/wl.out" && break; sleep 0.05; done
	MEMTRACE_DISABLE= start_tracer "$T/btf" "$T/btf.err" leak --alloc-pid "$wl" -o 0 -i 0 -T 50 --json
	first=$TRACER_PID
	MEMTRACE_DISABLE=tp_btf start_tracer "$T/tp" "$T/tp.err" leak --alloc-pid "$wl" -o 0 -i 0 -T 50 --json
	kleak_step "$T" "$wl" created
	stop_tracer
	TRACER_PID=$first
	stop_tracer
	kleak_step "$T" "$wl" released
	kill -USR1 "$wl"
	wait "$wl"
	grep -q "kmem_cache_free via tp_btf" "$T/btf.err"
	grep -q "kmem_cache_free via tracepoint" "$T/tp.err"
	python3 "$LEAK_CHECK" same "$T/btf" "$T/tp" __x64_sys_setxattr 600
}
