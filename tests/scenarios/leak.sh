# SPDX-License-Identifier: GPL-2.0
# leak scenarios (see procs.sh for how scenarios work): uprobes on the
# allocator of tests/workloads/leaker, whose leaks are known exactly. On
# the test kernels the workloads are static: the allocator is the
# program's own copy of glibc's, found in its symbol table.

# One hook path: uprobes have no fallback.
PROFILES_leak="uprobe:"
GUEST_SCENARIOS="${GUEST_SCENARIOS:-} leak_leaker"

# Every kind of leak, from a command memtrace starts, as JSON and as text.
scenario_leak_leaker() {
	_st=0
	"$MEMTRACE" leak --json -T 30 -v -- "$WL/leaker" kinds threads \
		nested realloc munmap nofp >"$1/out" 2>"$1/err" || _st=$?
	echo "$_st" >"$1/status"
}
