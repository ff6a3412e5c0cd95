# SPDX-License-Identifier: GPL-2.0
# Shared by the integration suites (bats): runs the real binary as root.

ROOT=${MEMTRACE_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
export MEMTRACE_ROOT=$ROOT
MEMTRACE=${MEMTRACE:-$ROOT/memtrace}
# valgrind replaces malloc only in a shared C library, and ./memtrace is
# static (musl): the valgrind tests run the glibc build of the same sources.
MEMTRACE_GLIBC=${MEMTRACE_GLIBC:-$ROOT/.output/memtrace.dynamic}
WL=$ROOT/.output/tests/workloads
HELPERS=$ROOT/.output/tests/helpers

# shellcheck source=tests/lib/tracer.sh
. "$ROOT/tests/lib/tracer.sh"
# shellcheck source=tests/lib/check.bash
. "$ROOT/tests/lib/check.bash"
for f in "$ROOT"/tests/scenarios/*.sh "$ROOT"/tests/scenarios/*.check.bash; do
	# shellcheck disable=SC1090
	. "$f"
done

# make_zombie: a process that has exited and that its parent does not
# reap: ZOMBIE, and its parent ZOMBIE_PARENT (kill it when done).
make_zombie() {
	sh -c 'sleep 0.01 & exec sleep 30' &
	ZOMBIE_PARENT=$!
	ZOMBIE=
	for _ in $(seq 100); do
		ZOMBIE=$(ps -o pid=,stat= --ppid "$ZOMBIE_PARENT" | awk '$2 ~ /^Z/ {print $1}')
		[ -z "$ZOMBIE" ] || return 0
		sleep 0.05
	done
	return 1
}
