# SPDX-License-Identifier: GPL-2.0
# Assertions for the checks in tests/scenarios/*.check.bash (host side,
# bash, under errexit). A bare "! cmd" never fails under errexit: use
# refute.

# refute CMD...: fails when CMD succeeds.
refute() {
	if "$@"; then
		echo "unexpectedly true: $*" >&2
		return 1
	fi
}

# assert_hook ERR EVENT: the -v output names the hook this run is for.
assert_hook() {
	grep -q "$2 via $HOOK" "$1" || {
		echo "expected '$2 via $HOOK' in: $(cat "$1")" >&2
		return 1
	}
}

# gt_pid SCENARIO GROUND_TRUTH: the pid tests/workloads/lifecycle gave a child.
gt_pid() {
	sed -n "s/^child $1 pid=\([0-9]*\).*/\1/p" "$2"
}
