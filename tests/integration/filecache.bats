#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# memtrace filecache through the real kernel, against mincore(2) and
# cachestat(2). tests/run runs this file with the hook path this machine
# can use (test_run: it has no kprobes and refuses fentry); the scenarios
# (tests/scenarios/filecache.sh) run on the test kernels with fentry,
# kprobe and test_run.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
}

# still SCENARIO CHECK: runs scenario_SCENARIO again while the kernel's
# own count moved as memtrace looked (filecache_check.py CHECK exits 3:
# this machine may reclaim page cache at any time), 5 times at most; the
# test then judges the last run.
still() {
	local i s
	for i in 1 2 3 4 5; do
		"scenario_$1" "$T"
		s=0
		python3 "$FILECACHE_CHECK" "$2" "$T" >/dev/null || s=$?
		[ "$s" = 3 ] || return 0
	done
}

teardown() {
	umount "$T/tmpfs" 2>/dev/null || true
	for m in "$T"/fcovl.*/merged; do umount "$m" 2>/dev/null || true; done
}

@test "filecache: tmpfs, partly cached, empty and 4 GiB sparse files equal mincore and cachestat" {
	still filecache_files files
	check_filecache_files "$T"
}

@test "filecache: a tree of 1000 files: directory total and per-file rows, hard link once" {
	still filecache_tree tree
	check_filecache_tree "$T"
}

@test "filecache: --evict, --touch, --evict: 0%, 100%, 0%, as the kernel counts" {
	scenario_filecache_touch_evict "$T"
	check_filecache_touch_evict "$T"
}

@test "filecache: missing path, FIFO, device, path given twice: errors, no hang" {
	scenario_filecache_errors "$T"
	check_filecache_errors "$T"
}

@test "filecache: overlayfs files show the real file's pages" {
	still filecache_overlay overlay
	check_filecache_overlay "$T"
}

@test "filecache: symbolic links named on the command line count as their target, walks follow them with -L" {
	still filecache_symlinks symlinks
	check_filecache_symlinks "$T"
}

# Host only.

@test "filecache: each link to a file in /usr/lib/x86_64-linux-gnu counts as its target and as fincore" {
	local lib=/usr/lib/x86_64-linux-gnu links targets
	[ -d "$lib" ] || skip "no $lib"
	find "$lib" -maxdepth 1 -type l -xtype f | sort >"$T/links.list"
	[ "$(wc -l <"$T/links.list")" -gt 10 ]
	# One link per file: a file is counted once per run.
	xargs -d '\n' realpath <"$T/links.list" >"$T/targets.list"
	xargs -d '\n' stat -L -c %d:%i <"$T/links.list" >"$T/inodes.list"
	paste -d ' ' "$T/links.list" "$T/targets.list" "$T/inodes.list" |
		awk '!seen[$3]++ { print $1, $2 }' >"$T/pairs"
	mapfile -t links < <(cut -d ' ' -f 1 "$T/pairs")
	mapfile -t targets < <(cut -d ' ' -f 2 "$T/pairs")
	for i in 1 2 3 4 5; do	# again while the cache moved: see still()
		cat "${targets[0]}" >/dev/null	# one file with pages cached
		fincore --raw --noheadings -o PAGES,FILE "${targets[@]}" >"$T/before"
		filecache "$T/links" --json "${links[@]}"
		filecache "$T/targets" --json "${targets[@]}"
		fincore --raw --noheadings -o PAGES,FILE "${targets[@]}" >"$T/after"
		s=0
		python3 "$FILECACHE_CHECK" libs "$T" >/dev/null || s=$?
		[ "$s" = 3 ] || break
	done
	python3 "$FILECACHE_CHECK" libs "$T"
}

@test "filecache: test_run first, relocated by the kernel: no BTF read, no libbpf, one program" {
	run env -u MEMTRACE_DISABLE strace -f -e trace=openat,bpf "$MEMTRACE" filecache -v /
	[ "$status" = 0 ]
	[[ $output == *"page cache via test_run (BPF_PROG_TEST_RUN on memtrace's own file descriptors; relocated by the kernel)"* ]]
	# No method before it, nothing of the kernel's BTF read, one
	# program loaded, and libbpf (which would probe the kernel first)
	# not involved.
	[[ $output != *"fentry"* && $output != *"kprobe"* ]]
	[[ $output != *"/sys/kernel/btf"* ]]
	[ "$(grep -c "^bpf(BPF_PROG_LOAD" <<<"$output")" = 1 ]
	[[ $output != *"libbpf"* ]]
}

@test "filecache: without test_run, the chain rules out fentry and kprobe on this machine; MEMTRACE_BTF: libbpf relocates" {
	[ ! -e /sys/bus/event_source/devices/kprobe ] ||
		skip "this host has kprobes: the test kernels cover the fallback"
	run env MEMTRACE_DISABLE=test_run "$MEMTRACE" filecache -v /
	[ "$status" = 1 ]
	[[ $output == *"page cache: fentry on vfs_getattr_nosec refused: Operation not permitted"* ]]
	[[ $output == *"page cache: this kernel has no kprobes"* ]]
	[[ $output == *"cannot attach to page cache: no hook method available on this kernel"* ]]
	# Ruled out without libbpf: no skeleton was loaded for them.
	[[ $output != *"libbpf"* ]]
	run env -u MEMTRACE_DISABLE MEMTRACE_BTF=/sys/kernel/btf/vmlinux "$MEMTRACE" filecache -v /
	[ "$status" = 0 ]
	[[ $output == *"page cache via test_run (BPF_PROG_TEST_RUN on memtrace's own file descriptors; relocated by libbpf)"* ]]
}

# nested DEPTH NAMELEN: a file of 100 pages, 50 of them in the cache,
# hard-linked at the bottom of DEPTH nested directories with NAMELEN-byte
# names below $T/tmpfs/deep, as $deep_file; the kernel's count of it in
# $T/before. On tmpfs, where the pages written stay (there is no swap to
# take them), and a hole has none.
nested() {
	local seg
	mkdir "$T/tmpfs"
	mount -t tmpfs -o size=16m none "$T/tmpfs"
	"$WL/pages" sparse "$T/tmpfs/f" 409600
	dd if=/dev/zero of="$T/tmpfs/f" bs=4096 count=50 conv=notrunc status=none
	"$WL/pages" nest "$T/tmpfs/deep" "$1" "$2" "$T/tmpfs/f"
	seg=$(printf '%*s' "$2" '' | tr ' ' d)
	# shellcheck disable=SC2046
	deep_file=$T/tmpfs/deep$(printf "/$seg%.0s" $(seq "$1"))/f
	"$WL/pages" count "$T/tmpfs/f" >"$T/before"
}

# check_nested OUT DEPTH: memtrace's JSON in OUT (filecache -r -v --json
# $T/tmpfs/deep) counts the file once, under its whole path, as mincore does,
# and DEPTH directories below the top one.
check_nested() {
	local mc
	"$WL/pages" count "$T/tmpfs/f" >"$T/after"
	cmp "$T/before" "$T/after"	# the cache did not move meanwhile
	mc=$(sed -n 's/.* mincore=\([0-9]*\) .*/\1/p' "$T/before")
	[ "$mc" = 50 ]
	grep -qF "{\"type\":\"file\",\"path\":\"$deep_file\",\"size\":409600,\"pages\":100,\"cached_pages\":$mc," "$1"
	grep -q "^{\"type\":\"summary\",\"files\":1,\"directories\":$(($2 + 1)),\"size\":409600,\"pages\":100,\"cached_pages\":$mc," "$1"
}

@test "filecache: -r on a tree 3000 directories deep: no crash, the file at the bottom counted" {
	nested 3000 1
	# Many descriptors allowed (the old recursion ran out of stack), and
	# few: a walk keeps a bounded number open, whatever the depth.
	for n in 20000 256; do
		s=0
		(ulimit -n "$n" && exec timeout 120 "$MEMTRACE" filecache -r -v --json "$T/tmpfs/deep") \
			>"$T/out.$n" 2>"$T/err.$n" || s=$?
		echo "ulimit -n $n: status $s: $(grep -v "page cache" "$T/err.$n")"
		[ "$s" = 0 ]
		check_nested "$T/out.$n" 3000
	done
}

@test "filecache: a path longer than PATH_MAX: whole in JSON, marked where the text cuts it" {
	nested 45 200
	[ "${#deep_file}" -gt 9000 ]
	filecache "$T/json" -r -v --json "$T/tmpfs/deep"
	filecache "$T/text" -r -v "$T/tmpfs/deep"
	[ "$(cat "$T/json.status") $(cat "$T/text.status")" = "0 0" ]
	check_nested "$T/json" 45
	# The text row: the path cut to 4096 bytes, ending in "...".
	row=$(sed -n 2p "$T/text")
	cell=${row##* }
	[ "${#cell}" = 4096 ]
	[[ $cell == *... ]]
	[[ $deep_file == "${cell%...}"* ]]
}

@test "filecache: a file name with a newline and an ESC is quoted in text rows and messages" {
	local name=$'a\nb\e[31mc' shown
	mkdir "$T/q"
	"$WL/pages" fill "$T/q/$name" 8192
	shown="\$'$T/q/a\\nb\\x1b[31mc'"
	filecache "$T/text" "$T/q/$name" "$T/q/$name.missing"
	filecache "$T/walk" -r -v "$T/q"
	filecache "$T/json" --json "$T/q/$name"
	# A header, one row, the summary; one line on stderr.
	[ "$(cat "$T/text.status")" = 1 ]
	[ "$(wc -l <"$T/text")" = 3 ]
	[[ $(sed -n 2p "$T/text") == *" $shown" ]]
	[ "$(cat "$T/text.err")" = "memtrace filecache: \$'$T/q/a\\nb\\x1b[31mc.missing': No such file or directory" ]
	[ "$(cat "$T/walk.status")" = 0 ]
	[ "$(wc -l <"$T/walk")" = 3 ]
	[[ $(sed -n 2p "$T/walk") == *" $shown" ]]
	refute grep -q $'\e' "$T/text" "$T/text.err" "$T/walk" "$T/walk.err"
	# JSON has the name's bytes, escaped as JSON escapes them.
	grep -qF "\"path\":\"$T/q/a\\nb\\u001b[31mc\"" "$T/json"
}

@test "filecache: SIGINT or SIGTERM during a walk: the summary, a line saying it is partial, status 1" {
	mkdir "$T/a" "$T/b"
	for i in 1 2 3; do "$WL/pages" fill "$T/a/f$i" 4096; done
	for i in $(seq 10); do "$WL/pages" fill "$T/b/g$i" 4096; done
	# Its message, in the walk of $T/a, is where memtrace gets the signal.
	ln -s "$T/missing" "$T/a/dangling"
	for sig in 2 15; do
		s=0
		timeout 120 "$HELPERS/stall-stderr" "$sig" \
			"$MEMTRACE" filecache -r -L "$T/a" "$T/b" >"$T/out" 2>"$T/err" || s=$?
		echo "signal $sig: status $s: $(cat "$T/err")"
		[ "$s" = 1 ]
		grep -qx "memtrace filecache: interrupted: the totals cover only the paths walked so far" "$T/err"
		# Only $T/a was walked, maybe not all of it.
		[[ $(tail -n 1 "$T/out") == "Files: "[0-3]"  Directories: 1  "* ]]
		refute grep -q " $T/b\$" "$T/out"
	done
}

# swap_runs DIR ARGS...: 50 runs of "memtrace filecache ARGS -r DIR" while
# DIR/f, a fully cached file, and DIR/p, a FIFO, swap names. None may hang
# or fail otherwise than with one line about a path that changed; the file,
# fully cached, is counted with all its pages (never with the FIFO's 0) or
# not at all (when both names were the FIFO as the walk saw them).
swap_runs() {
	local dir=$1 i s
	shift
	for i in $(seq 50); do
		s=0
		timeout 10 "$MEMTRACE" filecache "$@" -r "$dir" >"$T/out" 2>"$T/err" || s=$?
		if [ "$s" != 0 ] && [ "$s" != 1 ]; then
			echo "run $i of $*: status $s: $(cat "$T/err")"
			return 1
		fi
		if grep -vxF -e "memtrace filecache: $dir/f: changed while being read" \
			-e "memtrace filecache: $dir/p: changed while being read" "$T/err" ||
			[ -n "$(sort "$T/err" | uniq -d)" ]; then
			echo "run $i of $*: stderr: $(cat "$T/err")"
			return 1
		fi
		if grep '"pages":' "$T/out" | grep -v '"pages":\([0-9]*\),"cached_pages":\1,'; then
			echo "run $i of $*: a row without the file's pages"
			return 1
		fi
	done
}

@test "filecache: a file swapped with a FIFO while walking: no hang, no FIFO's count, one line" {
	mkdir "$T/tmpfs"
	# tmpfs: without swap, nothing takes the file's pages out of the cache
	mount -t tmpfs -o size=16m none "$T/tmpfs"
	"$WL/pages" fill "$T/tmpfs/f" 65536
	mkfifo "$T/tmpfs/p"
	"$HELPERS/exchange" "$T/tmpfs/f" "$T/tmpfs/p" 600 &
	pid=$!
	s=0
	{ swap_runs "$T/tmpfs" --json && swap_runs "$T/tmpfs" --json --touch &&
		swap_runs "$T/tmpfs" --json --evict &&
		swap_runs "$T/tmpfs" --json --detail; } || s=$?
	kill "$pid"
	wait "$pid" || :
	[ "$s" = 0 ]
}

@test "filecache: an unreadable path as an unprivileged user (CAP_BPF, CAP_PERFMON)" {
	# bats' own temporary directory is private to root
	U=$(mktemp -d /tmp/memtrace-unpriv.XXXXXX)
	chmod 755 "$U"
	mkdir -m 700 "$U/secret"
	"$WL/pages" fill "$U/secret/f" 4096
	"$WL/pages" fill "$U/open" 8192
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon \
		"$MEMTRACE" filecache "$U/secret/f" "$U/open"
	rm -rf "$U"
	[ "$status" = 1 ]
	[[ $output == *"memtrace filecache: $U/secret/f: Permission denied"* ]]
	[[ $output == *" $U/open"* ]]
	[[ ${lines[-1]} == "Files: 1  "* ]]
}

@test "filecache: usage errors" {
	run "$MEMTRACE" filecache
	[ "$status" = 2 ]
	[[ $output == *"no PATH given"* ]]
	run "$MEMTRACE" filecache --touch --evict /
	[ "$status" = 2 ]
	run "$MEMTRACE" filecache --sort bogus /
	[ "$status" = 2 ]
	[[ $output == *"invalid value 'bogus' for --sort"* ]]
	run "$MEMTRACE" filecache --top 0 /
	[ "$status" = 2 ]
}

@test "filecache: --files gives a row per file of a walk; -v still does, with a note" {
	local note="memtrace filecache: -v for a row per file is now --files; -v will only mean --verbose"
	mkdir "$T/d"
	"$WL/pages" fill "$T/d/f1" 4096
	"$WL/pages" fill "$T/d/f2" 8192
	filecache "$T/dir" -r "$T/d"
	filecache "$T/files" -r --files "$T/d"
	filecache "$T/v" -r -v "$T/d"
	filecache "$T/both" -r --files --verbose "$T/d"
	cat "$T"/*.err
	[ "$(sort -u "$T"/*.status)" = 0 ]
	# Without either: one row, the directory's.
	[ "$(wc -l <"$T/dir")" = 3 ]
	[[ $(sed -n 2p "$T/dir") == *" $T/d" ]]
	# A row per file, and nothing on stderr.
	[ "$(wc -l <"$T/files")" = 4 ]
	grep -q " $T/d/f1\$" "$T/files"
	grep -q " $T/d/f2\$" "$T/files"
	[ ! -s "$T/files.err" ]
	# -v, the old spelling: the same rows, the note first, and still the
	# hook used.
	[ "$(awk '{ print $NF }' "$T/v")" = "$(awk '{ print $NF }' "$T/files")" ]
	[ "$(head -n 1 "$T/v.err")" = "$note" ]
	grep -q "via" "$T/v.err"
	# --files with --verbose: no note.
	[ "$(awk '{ print $NF }' "$T/both")" = "$(awk '{ print $NF }' "$T/files")" ]
	refute grep -qF "$note" "$T/both.err"
	grep -q "via" "$T/both.err"
}

@test "filecache: --detail adds dirty, writeback and evicted pages from cachestat" {
	"$WL/pages" fill "$T/f" 1048576
	run "$MEMTRACE" filecache --detail --json "$T/f"
	[ "$status" = 0 ]
	[[ ${lines[0]} == *'"dirty_pages":0,"writeback_pages":0,"evicted_pages":0'* ]]
	run "$MEMTRACE" filecache --detail "$T/f"
	[[ ${lines[0]} == *" DIRTY WRITEBACK  EVICTED  RECENT PATH" ]]
}

@test "filecache: --sort and --top pick the most cached files" {
	for n in 1 2 3 4; do "$WL/pages" fill "$T/f$n" $((n * 40960)); done
	"$WL/pages" drop "$T/f4" 0 0
	run "$MEMTRACE" filecache --top 2 --json "$T/f1" "$T/f2" "$T/f3" "$T/f4"
	[ "$status" = 0 ]
	[ "${#lines[@]}" = 3 ]
	[[ ${lines[0]} == *"\"path\":\"$T/f3\""* ]]
	[[ ${lines[1]} == *"\"path\":\"$T/f2\""* ]]
	run "$MEMTRACE" filecache --sort name "$T/f3" "$T/f1"
	[[ ${lines[1]} == *" $T/f1" ]] && [[ ${lines[2]} == *" $T/f3" ]]
}

@test "filecache: user space runs clean under valgrind" {
	MEMTRACE=$MEMTRACE_GLIBC
	"$WL/pages" tree "$T/tree" 3 30
	run valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=all --suppressions="$ROOT/tests/valgrind.supp" \
		"$MEMTRACE" filecache -r -v --sort cached "$T/tree" "$T/missing"
	echo "$output" | grep -v "unhandled eBPF"
	[ "$status" = 1 ]
	refute grep -q "^==" <<<"$output"
	[[ ${lines[-1]} == "Files: 30  Directories: 4  "* ]]
}
