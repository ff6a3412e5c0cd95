# SPDX-License-Identifier: GPL-2.0
# Judges the leak scenarios (leak.sh); see procs.check.bash.

LEAK_CHECK=${MEMTRACE_ROOT:-.}/tests/scenarios/leak_check.py
LEAKER_SRC=${MEMTRACE_ROOT:-.}/tests/workloads/leaker.c

check_leak_leaker() {
	local k
	[ "$(cat "$1/status")" = 0 ] || { cat "$1/err" >&2; return 1; }
	grep -q "free: .*: uprobe at +[1-9]" "$1/err"
	for k in malloc calloc realloc posix_memalign valloc memalign aligned_alloc mmap; do
		python3 "$LEAK_CHECK" stack "$1/out" "$LEAKER_SRC" "leak_$k" "$k" 30000 1
	done
	python3 "$LEAK_CHECK" stack "$1/out" "$LEAKER_SRC" leak_pvalloc pvalloc 32768 1
	python3 "$LEAK_CHECK" stack "$1/out" "$LEAKER_SRC" thread_leak thread 800000 200
	python3 "$LEAK_CHECK" stack "$1/out" "$LEAKER_SRC" leak_nested nested 1048576 1
	python3 "$LEAK_CHECK" stack "$1/out" "$LEAKER_SRC" leak_grown realloc_grow 20000 1
	python3 "$LEAK_CHECK" stack "$1/out" "$LEAKER_SRC" leak_failed_realloc realloc_kept 3000 1
	python3 "$LEAK_CHECK" stack "$1/out" "$LEAKER_SRC" leak_unmapped munmap 36864 1
	python3 "$LEAK_CHECK" stack "$1/out" "$LEAKER_SRC" leak_remapped mremap 32768 1
	python3 "$LEAK_CHECK" stack "$1/out" "$LEAKER_SRC" leak_nofp - 5000 1
}

# The hook the profile asks for; but kernel mode takes tp_btf only where
# the kmem tracepoints have their 6.1+ arguments: before, the tp_btf
# profile must get the documented fallback, and say why.
kleak_method() {
	if [ "$HOOK" = tp_btf ] && grep -q "kmem: no tp_btf with 6.1+ arguments" "$1"; then
		echo tracepoint
	else
		echo "$HOOK"
	fi
}

assert_kleak_hook() {
	HOOK=$(kleak_method "$1") assert_hook "$1" "$2"
}

# Kernel mode: while the objects exist, at least N more outstanding; after
# the release, fewer than a tenth of them.
check_kleak_xattr() {
	assert_kleak_hook "$1/created.err" kmem_cache_free
	python3 "$LEAK_CHECK" kstacks "$1/created" __x64_sys_setxattr ge "$KLEAK_N"
	python3 "$LEAK_CHECK" kstacks "$1/released" __x64_sys_setxattr lt $((KLEAK_N / 10))
	python3 "$LEAK_CHECK" cache "$1/created" 'kmalloc-*' ge "$KLEAK_N"
}

check_kleak_eventfd() {
	local filp=filp
	assert_kleak_hook "$1/created.err" kmem_cache_free
	python3 "$LEAK_CHECK" kstacks "$1/created" eventfd ge "$KLEAK_N"
	# Classic kmem_cache_alloc records name the cache only from 6.18;
	# before, a cache is known by its object size.
	if [ "$(kleak_method "$1/created.err")" = tracepoint ] &&
		! grep -q '"cache":"filp"' "$1/created"; then
		filp='(a cache of *'
	fi
	python3 "$LEAK_CHECK" cache "$1/created" "$filp" ge "$KLEAK_N"
	python3 "$LEAK_CHECK" cache "$1/released" "$filp" lt $((KLEAK_N / 10))
}

check_kleak_pipe() {
	assert_kleak_hook "$1/created.err" kmem_cache_free
	python3 "$LEAK_CHECK" cache "$1/created" pages ge $((50 * 16))
	python3 "$LEAK_CHECK" cache "$1/released" pages lt 50
	python3 "$LEAK_CHECK" kstacks "$1/created" pipe_write ge $((50 * 16))
}
