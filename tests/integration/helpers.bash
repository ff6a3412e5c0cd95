# SPDX-License-Identifier: GPL-2.0
# Shared by the integration suites (bats): runs the real binary as root.

ROOT=${MEMTRACE_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
export MEMTRACE_ROOT=$ROOT
MEMTRACE=${MEMTRACE:-$ROOT/memtrace}
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
