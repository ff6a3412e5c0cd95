# SPDX-License-Identifier: GPL-2.0
# Judges the kmalloc scenarios (kmalloc.sh); see procs.check.bash.

KMALLOC_CHECK=${MEMTRACE_ROOT:-.}/tests/scenarios/kmalloc_check.py

check_kmalloc_xattr() {
	assert_hook "$1/stream.err" kmem:kmalloc
	python3 "$KMALLOC_CHECK" xattr "$1"
}

check_kmalloc_filters() {
	python3 "$KMALLOC_CHECK" filters "$1"
}
