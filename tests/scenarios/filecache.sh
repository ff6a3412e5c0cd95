# SPDX-License-Identifier: GPL-2.0
# filecache scenarios (see procs.sh for how scenarios work). The ground
# truth is the kernel's own: mincore(2) on a mapping of each file and
# cachestat(2) (6.5+), counted by tests/workloads/pages before and after
# memtrace looks. DISKDIR is a directory on a disk filesystem (default: the
# scenario's own directory; the test kernel's guest mounts a loop device).

GUEST_SCENARIOS="${GUEST_SCENARIOS:-} filecache_files filecache_tree
	filecache_touch_evict filecache_errors filecache_overlay filecache_symlinks"
# METHOD:DISABLED, the hook paths the test kernels run these under.
PROFILES_filecache="test_run: fentry:test_run kprobe:test_run,fentry"

# A fresh directory on the disk filesystem, in _d.
disk_dir() {
	_d=${DISKDIR:-$1}/$2.$$
	rm -rf "$_d"
	mkdir -p "$_d"
}

# filecache OUT ARGS...: memtrace filecache ARGS, its status in OUT.status.
filecache() {
	_o=$1
	shift
	_s=0
	timeout 60 "$MEMTRACE" filecache "$@" >"$_o" 2>"$_o.err" || _s=$?
	echo $_s >"$_o.status"
}

# A fully cached file on tmpfs, a disk file with ranges dropped, an empty
# file, a 4 GiB sparse file with a few pages read.
scenario_filecache_files() {
	disk_dir "$1" fcfiles
	mkdir -p "$1/tmpfs"
	mount -t tmpfs -o size=64m none "$1/tmpfs" || return 1
	"$WL/pages" fill "$1/tmpfs/full" 8388608
	"$WL/pages" fill "$_d/partial" 16777216
	"$WL/pages" drop "$_d/partial" 0 0
	"$WL/pages" read "$_d/partial" 2097152 4194304
	"$WL/pages" read "$_d/partial" 10485760 1048576
	"$WL/pages" drop "$_d/partial" 3145728 524288
	: >"$_d/empty"
	"$WL/pages" sparse "$_d/sparse" 4294967296
	"$WL/pages" read "$_d/sparse" 0 4096
	"$WL/pages" read "$_d/sparse" 1073741824 8192
	"$WL/pages" read "$_d/sparse" 3221237472 4096
	set -- "$1" "$1/tmpfs/full" "$_d/partial" "$_d/empty" "$_d/sparse"
	_dir=$1
	shift
	uname -r >"$_dir/kernel"
	"$WL/pages" count "$@" >"$_dir/before"
	filecache "$_dir/out" --json -v "$@"
	"$WL/pages" count "$@" >"$_dir/after"
	umount "$_dir/tmpfs"
	rm -rf "$_d"
}

# 1000 files in 10 directories, every third evicted, one hard link and one
# symbolic link added: per-directory total and per-file rows.
scenario_filecache_tree() {
	disk_dir "$1" fctree
	"$WL/pages" tree "$_d/tree" 10 1000
	ln "$_d/tree/d00/f000" "$_d/tree/d01/hardlink"
	ln -s ../d00/f001 "$_d/tree/d02/symlink"
	echo "$_d/tree" >"$1/root"
	find "$_d/tree" -type f ! -name hardlink | sort >"$1/list"
	# shellcheck disable=SC2046
	"$WL/pages" count $(cat "$1/list") >"$1/before"
	filecache "$1/total" --json -r "$_d/tree"
	filecache "$1/rows" --json -r -v "$_d/tree"
	filecache "$1/text" -r "$_d/tree"
	# shellcheck disable=SC2046
	"$WL/pages" count $(cat "$1/list") >"$1/after"
	rm -rf "$_d"
}

# --evict, --touch, --evict on an 8 MiB disk file.
scenario_filecache_touch_evict() {
	disk_dir "$1" fctouch
	"$WL/pages" fill "$_d/f" 8388608
	filecache "$1/evict1" --json --evict "$_d/f"
	"$WL/pages" count "$_d/f" >"$1/evict1.truth"
	filecache "$1/touch" --json --touch "$_d/f"
	"$WL/pages" count "$_d/f" >"$1/touch.truth"
	filecache "$1/evict2" --json --evict "$_d/f"
	"$WL/pages" count "$_d/f" >"$1/evict2.truth"
	rm -rf "$_d"
}

# A missing path, a FIFO (must not block), a device, a file given twice:
# errors on stderr, the good file still shown, status 1.
scenario_filecache_errors() {
	disk_dir "$1" fcerr
	"$WL/pages" fill "$_d/f" 65536
	mkfifo "$_d/fifo"
	echo "$_d" >"$1/dir"
	filecache "$1/out" "$_d/missing" "$_d/fifo" /dev/null "$_d/f" "$_d/f"
	rm -rf "$_d"
}

# overlayfs: a file of the lower layer, partly cached, and one written
# through the overlay (copied up): the pages of the real files.
scenario_filecache_overlay() {
	disk_dir "$1" fcovl
	mkdir -p "$_d/lower" "$_d/upper" "$_d/work" "$_d/merged"
	"$WL/pages" fill "$_d/lower/f" 4194304
	"$WL/pages" drop "$_d/lower/f" 0 0
	"$WL/pages" read "$_d/lower/f" 0 1048576
	mount -t overlay overlay \
		-o "lowerdir=$_d/lower,upperdir=$_d/upper,workdir=$_d/work" \
		"$_d/merged" || return 1
	"$WL/pages" fill "$_d/merged/g" 2097152
	"$WL/pages" count "$_d/lower/f" "$_d/upper/g" >"$1/before"
	filecache "$1/out" --json -v "$_d/merged/f" "$_d/merged/g"
	"$WL/pages" count "$_d/lower/f" "$_d/upper/g" >"$1/after"
	umount "$_d/merged"
	rm -rf "$_d"
}

# Symbolic links: relative, absolute, a link to a link, to a partly cached
# file, and one to a directory. Named on the command line they are followed
# (counting, --detail, --evict, --touch); in a walk only with -L, which
# reaches a file outside the tree through real/out.
scenario_filecache_symlinks() {
	disk_dir "$1" fclinks
	mkdir -p "$_d/real" "$_d/other"
	"$WL/pages" fill "$_d/real/f" 2097152
	"$WL/pages" drop "$_d/real/f" 0 0
	"$WL/pages" read "$_d/real/f" 0 1048576
	"$WL/pages" fill "$_d/other/g" 65536
	ln -s real/f "$_d/rel"
	ln -s "$_d/real/f" "$_d/abs"
	ln -s rel "$_d/chain"
	ln -s real "$_d/dirlink"
	ln -s ../other/g "$_d/real/out"
	echo "$_d" >"$1/dir"
	set -- "$1" "$_d/real/f" "$_d/other/g"
	"$WL/pages" count "$2" "$3" >"$1/before"
	# One run per link: the same file is counted once per run.
	for _l in rel abs chain; do
		filecache "$1/$_l" --json -v "$_d/$_l"
	done
	filecache "$1/walk" --json -r "$_d/dirlink"
	filecache "$1/walkL" --json -r -L "$_d/dirlink"
	filecache "$1/detail" --json --detail "$_d/chain"
	"$WL/pages" count "$2" "$3" >"$1/after"
	filecache "$1/evict" --json --evict "$_d/chain"
	"$WL/pages" count "$2" >"$1/evict.truth"
	filecache "$1/touch" --json --touch "$_d/abs"
	"$WL/pages" count "$2" >"$1/touch.truth"
	rm -rf "$_d"
}

# -- --watch --------------------------------------------------------------
# The files entering and leaving the page cache, on both hook paths; the
# ground truth is mincore(2) and cachestat(2) through tests/workloads/pages,
# counted after each step.
GUEST_SCENARIOS="${GUEST_SCENARIOS:-} fcwatch_read fcwatch_write
	fcwatch_delete fcwatch_names fcwatch_filters fcwatch_agree"
PROFILES_fcwatch="tp_btf: tracepoint:tp_btf"

# A copy of the pages workload under a name of its own ($_prog), so that
# its command name is known: fcwatch_prog DIR NAME.
fcwatch_prog() {
	_prog=$1/$2
	cp "$WL/pages" "$_prog"
	echo "$2" >"$_scenario/comm.$2"
}

# A file of 1024 pages evicted, then read by a process of a name of its
# own (with the kernel's readahead), then evicted again.
scenario_fcwatch_read() {
	_scenario=$1
	disk_dir "$1" fcwread
	fcwatch_prog "$_d" mtrd$$
	echo "$_d/f" >"$1/file"
	"$WL/pages" fill "$_d/f" 4194304
	"$WL/pages" drop "$_d/f" 0 0
	"$WL/pages" count "$_d/f" >"$1/evicted"
	start_tracer "$1/out" "$1/err" filecache --watch --json "$_d" || return 1
	"$_prog" readall "$_d/f"
	"$WL/pages" count "$_d/f" >"$1/read"
	"$WL/pages" drop "$_d/f" 0 0
	"$WL/pages" count "$_d/f" >"$1/dropped"
	stop_tracer
	echo "$TRACER_STATUS" >"$1/status"
	rm -rf "$_d"
}

# A new file of 512 pages written by a process of a name of its own, seen
# by a watch of every file.
scenario_fcwatch_write() {
	_scenario=$1
	disk_dir "$1" fcwwrite
	fcwatch_prog "$_d" mtwr$$
	echo "$_d/new" >"$1/file"
	start_tracer "$1/out" "$1/err" filecache --watch --json || return 1
	"$_prog" fill "$_d/new" 2097152
	"$WL/pages" count "$_d/new" >"$1/after"
	stop_tracer
	echo "$TRACER_STATUS" >"$1/status"
	rm -rf "$_d"
}

# A file written, then deleted while cached: its removal is counted as
# its pages go, and it is shown as deleted (in JSON and in text).
scenario_fcwatch_delete() {
	_scenario=$1
	disk_dir "$1" fcwdel
	fcwatch_prog "$_d" mtdel$$
	echo "$_d/gone" >"$1/file"
	start_tracer "$1/out" "$1/err" filecache --watch --json "$_d" || return 1
	_json=$TRACER_PID
	start_tracer "$1/text" "$1/err2" filecache --watch "$_d" || return 1
	"$_prog" fill "$_d/gone" 1048576
	"$WL/pages" count "$_d/gone" >"$1/before"
	rm "$_d/gone"
	stop_tracer
	TRACER_PID=$_json
	stop_tracer
	echo "$TRACER_STATUS" >"$1/status"
	rm -rf "$_d"
}

# Names on tmpfs, on a disk image through a loop device, and through
# overlayfs (the real files'): tmpfs adds its pages without the
# tracepoint, so its file is seen as it is truncated.
scenario_fcwatch_names() {
	_scenario=$1
	disk_dir "$1" fcwnames
	mkdir -p "$1/tmpfs" "$_d/lower" "$_d/upper" "$_d/work" "$_d/merged"
	mount -t tmpfs -o size=16m none "$1/tmpfs" || return 1
	"$WL/pages" fill "$1/tmpfs/t" 262144
	# The guest's disk is already an image on a loop device.
	if [ -n "${DISKDIR:-}" ]; then
		_img=$_d
	else
		_img=$1/img
		mkdir -p "$_img"
		dd if=/dev/zero of="$1/img.ext4" bs=1M count=32 2>/dev/null
		mkfs.ext4 -q -F "$1/img.ext4" >/dev/null 2>&1 &&
			mount -o loop "$1/img.ext4" "$_img" || return 1
	fi
	"$WL/pages" fill "$_d/lower/f" 1048576
	"$WL/pages" drop "$_d/lower/f" 0 0
	mount -t overlay overlay \
		-o "lowerdir=$_d/lower,upperdir=$_d/upper,workdir=$_d/work" \
		"$_d/merged" || return 1
	echo "$1/tmpfs/t $_img/e $_d/lower/f $_d/upper/g" >"$1/files"
	"$WL/pages" count "$1/tmpfs/t" >"$1/tmpfs.before"
	start_tracer "$1/out" "$1/err" filecache --watch --json "$1/tmpfs" "$_img" "$_d" || return 1
	: >"$1/tmpfs/t"
	"$WL/pages" fill "$_img/e" 131072
	"$WL/pages" readall "$_d/merged/f"
	"$WL/pages" fill "$_d/merged/g" 65536
	"$WL/pages" count "$_img/e" "$_d/lower/f" "$_d/upper/g" >"$1/after"
	stop_tracer
	echo "$TRACER_STATUS" >"$1/status"
	umount "$_d/merged"
	umount "$1/tmpfs"
	[ -n "${DISKDIR:-}" ] || umount "$_img"
	rm -rf "$_d" "$1/img.ext4"
}

# Filters: --comm and --pid keep one reader's pages each, PATH one file,
# --cgroup the pages of a reader in a cgroup (cgroup v2, mounted for the
# test where nobody has).
scenario_fcwatch_filters() {
	_scenario=$1
	disk_dir "$1" fcwfilt
	for _f in fa fb fc fd; do
		"$WL/pages" fill "$_d/$_f" 524288
		"$WL/pages" drop "$_d/$_f" 0 0
	done
	echo "$_d" >"$1/dir"
	fcwatch_prog "$_d" mtA$$
	_a=$_prog
	fcwatch_prog "$_d" mtB$$
	_b=$_prog
	fcwatch_prog "$_d" mtC$$
	_c=$_prog
	fcwatch_prog "$_d" mtD$$
	_dd=$_prog
	_cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -z "$_cg" ]; then
		mkdir -p "$1/cgroup2"
		mount -t cgroup2 none "$1/cgroup2" && _cg=$1/cgroup2
	fi
	_cgdir=$_cg/mtwatch$$
	mkdir "$_cgdir" || return 1
	mkfifo "$1/go"
	# shellcheck disable=SC2016
	sh -c 'read -r _ <"$1"; exec "$2" readall "$3"' _ "$1/go" "$_c" "$_d/fc" &
	_pid=$!
	echo "$_pid" >"$1/pid"
	start_tracer "$1/comm" "$1/err.comm" filecache --watch --json --comm "mtA$$" || return 1
	_t1=$TRACER_PID
	start_tracer "$1/bypid" "$1/err.pid" filecache --watch --json -p "$_pid" || return 1
	_t2=$TRACER_PID
	start_tracer "$1/path" "$1/err.path" filecache --watch --json "$_d/fa" || return 1
	_t3=$TRACER_PID
	start_tracer "$1/cgroup" "$1/err.cgroup" filecache --watch --json --cgroup "$_cgdir" || return 1
	"$_a" readall "$_d/fa"
	"$_b" readall "$_d/fb"
	echo go >"$1/go"
	wait "$_pid"
	# shellcheck disable=SC2016
	sh -c 'echo $$ >"$1/cgroup.procs"; echo $$ >"$4"; exec "$2" readall "$3"' \
		_ "$_cgdir" "$_dd" "$_d/fd" "$1/cgpid"
	"$WL/pages" count "$_d/fa" "$_d/fb" "$_d/fc" "$_d/fd" >"$1/after"
	for _t in $TRACER_PID $_t3 $_t2 $_t1; do
		TRACER_PID=$_t
		stop_tracer
	done
	rmdir "$_cgdir"
	[ "$_cg" != "$1/cgroup2" ] || umount "$_cg"
	rm -rf "$_d"
}

# Both hook paths at once on the same work: the same rows.
scenario_fcwatch_agree() {
	_scenario=$1
	disk_dir "$1" fcwagree
	fcwatch_prog "$_d" mtag$$
	"$WL/pages" fill "$_d/c" 3145728
	"$WL/pages" drop "$_d/c" 0 0
	_disabled=${MEMTRACE_DISABLE:-}
	export MEMTRACE_DISABLE=
	start_tracer "$1/btf" "$1/err.btf" filecache --watch --json "$_d" || return 1
	_t1=$TRACER_PID
	MEMTRACE_DISABLE=tp_btf
	start_tracer "$1/tp" "$1/err.tp" filecache --watch --json "$_d" || return 1
	MEMTRACE_DISABLE=$_disabled
	"$_prog" fill "$_d/a" 1048576
	"$_prog" fill "$_d/b" 4194304
	"$_prog" readall "$_d/c"
	"$WL/pages" drop "$_d/b" 0 0
	rm "$_d/a"
	stop_tracer
	TRACER_PID=$_t1
	stop_tracer
	rm -rf "$_d"
}
