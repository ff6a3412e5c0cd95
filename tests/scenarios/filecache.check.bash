# SPDX-License-Identifier: GPL-2.0
# Judges the filecache scenarios (filecache.sh); see procs.check.bash.

FILECACHE_CHECK=${MEMTRACE_ROOT:-.}/tests/scenarios/filecache_check.py

# The -v line naming how the kernel was asked; and libbpf relocated against
# the small BTF memtrace made, not the whole kernel's.
assert_filecache_hook() {
	refute grep -q "retrying with the whole kernel BTF" "$1"
	if [ "$HOOK" = test_run ]; then
		grep -q "^memtrace filecache: page cache via test_run" "$1"
	else
		grep -q "^memtrace filecache: vfs_getattr_nosec via $HOOK$" "$1"
	fi || {
		echo "expected the $HOOK path in: $(cat "$1")" >&2
		return 1
	}
}

check_filecache_files() {
	assert_filecache_hook "$1/out.err"
	python3 "$FILECACHE_CHECK" files "$1"
}

check_filecache_tree() {
	assert_filecache_hook "$1/rows.err"
	python3 "$FILECACHE_CHECK" tree "$1"
}

check_filecache_touch_evict() {
	python3 "$FILECACHE_CHECK" touch "$1"
}

check_filecache_errors() {
	python3 "$FILECACHE_CHECK" errors "$1"
}

check_filecache_overlay() {
	assert_filecache_hook "$1/out.err"
	python3 "$FILECACHE_CHECK" overlay "$1"
}

check_filecache_symlinks() {
	assert_filecache_hook "$1/rel.err"
	python3 "$FILECACHE_CHECK" symlinks "$1"
}
