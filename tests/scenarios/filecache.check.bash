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
	# From 5.17 the kernel relocates the test_run program itself.
	if [ "$HOOK" = test_run ]; then
		case $(cat "$1/kernel") in
		[1-4].* | 5.[0-9].* | 5.1[0-6].*) grep -q "relocated by libbpf)$" "$1/out.err" ;;
		*) grep -q "relocated by the kernel)$" "$1/out.err" ;;
		esac
	fi
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

# --watch: the -v line naming the hook path under test.
FCWATCH_CHECK=${MEMTRACE_ROOT:-.}/tests/scenarios/fcwatch_check.py

assert_fcwatch_hook() {
	grep -q "^memtrace filecache: mm_filemap_add/delete_from_page_cache via $2\\( (pfns followed to struct pages)\\)\\?$" "$1" || {
		echo "expected the $2 path in: $(cat "$1")" >&2
		return 1
	}
}

check_fcwatch_read() {
	assert_fcwatch_hook "$1/err" "$HOOK"
	python3 "$FCWATCH_CHECK" read "$1"
}

check_fcwatch_write() {
	assert_fcwatch_hook "$1/err" "$HOOK"
	python3 "$FCWATCH_CHECK" write "$1"
}

check_fcwatch_delete() {
	assert_fcwatch_hook "$1/err" "$HOOK"
	python3 "$FCWATCH_CHECK" delete "$1"
}

check_fcwatch_names() {
	assert_fcwatch_hook "$1/err" "$HOOK"
	python3 "$FCWATCH_CHECK" names "$1"
}

check_fcwatch_filters() {
	assert_fcwatch_hook "$1/err.comm" "$HOOK"
	python3 "$FCWATCH_CHECK" filters "$1"
}

# Two tracers at once, one on each hook path, whatever the profile.
check_fcwatch_agree() {
	assert_fcwatch_hook "$1/err.btf" tp_btf
	assert_fcwatch_hook "$1/err.tp" tracepoint
	python3 "$FCWATCH_CHECK" agree "$1"
}
