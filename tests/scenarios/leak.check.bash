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
