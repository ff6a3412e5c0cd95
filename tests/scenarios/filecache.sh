# SPDX-License-Identifier: GPL-2.0
# filecache scenarios (see procs.sh for how scenarios work). The ground
# truth is the kernel's own: mincore(2) on a mapping of each file and
# cachestat(2) (6.5+), counted by tests/workloads/pages before and after
# memtrace looks. DISKDIR is a directory on a disk filesystem (default: the
# scenario's own directory; the test kernel's guest mounts a loop device).

GUEST_SCENARIOS="${GUEST_SCENARIOS:-} filecache_files filecache_tree
	filecache_touch_evict filecache_errors filecache_overlay filecache_symlinks"
# METHOD:DISABLED, the hook paths the test kernels run these under.
PROFILES_filecache="fentry: kprobe:fentry test_run:fentry,kprobe"

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
