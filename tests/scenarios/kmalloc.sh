# SPDX-License-Identifier: GPL-2.0
# kmalloc scenarios (see procs.sh for how scenarios work). The ground truth
# is the kernel's own: setxattr(2) of N bytes kmallocs exactly N bytes
# (vmemdup_user; kvmalloc before 5.13, through kmalloc_node before 6.1),
# and the kmem:kmalloc (kmalloc_node) event in tracefs records each such
# allocation with its call site, size class and GFP flags.

GUEST_SCENARIOS="${GUEST_SCENARIOS:-} kmalloc_xattr kmalloc_filters"
PROFILES_kmalloc="tp_btf: tracepoint:tp_btf"

XATTR_SIZE=3001
XATTR_COUNT=1000

# A tmpfs of the scenario's own: it keeps xattrs in kmalloc'ed memory.
kmalloc_tmpfs() {
	mkdir -p "$1" && mount -t tmpfs -o size=1m none "$1" && touch "$1/f" "$1/g"
}

# The tracefs directory, mounting it if nobody has. Called only once
# memtrace runs, so that memtrace's own mounting is not pre-empted.
tracefs_dir() {
	if [ -d /sys/kernel/tracing/events ]; then
		echo /sys/kernel/tracing
	elif [ -d /sys/kernel/debug/tracing/events ]; then
		echo /sys/kernel/debug/tracing
	elif mount -t tracefs tracefs /sys/kernel/tracing; then
		echo /sys/kernel/tracing
	fi
}

# kmalloc_tracer DIR NAME ARGS...: "memtrace kmalloc ARGS" writing DIR/NAME,
# its pid added to _pids.
kmalloc_tracer() {
	_d=$1
	_nm=$2
	shift 2
	start_tracer "$_d/$_nm" "$_d/$_nm.err" kmalloc "$@" --ringbuf-size 4M &&
		_pids="$_pids $TRACER_PID"
}

stop_tracers() {
	for TRACER_PID in $_pids; do
		stop_tracer
	done
}

# One workload, K setxattr of N bytes, seen by streams and tables in text
# and JSON, and by the kernel's own kmem:kmalloc event (filtered on N).
scenario_kmalloc_xattr() {
	_n=$XATTR_SIZE
	echo "$_n $XATTR_COUNT" >"$1/params"
	kmalloc_tmpfs "$1/tmpfs" || return 1
	_pids=
	kmalloc_tracer "$1" stream -f mt-xattr --json &&
		kmalloc_tracer "$1" stream.txt -f mt-xattr -s "$_n" --max-size "$_n" &&
		kmalloc_tracer "$1" size -f mt-xattr --top 10 --by size --json &&
		kmalloc_tracer "$1" site -f mt-xattr -s "$_n" --max-size "$_n" --top 5 --json &&
		kmalloc_tracer "$1" site.txt -f mt-xattr -s "$_n" --max-size "$_n" --top 5 &&
		kmalloc_tracer "$1" pid -f mt-xattr -s "$_n" --max-size "$_n" --top 5 --by pid --json ||
		return 1
	_t=$(tracefs_dir)
	# Before 6.1, kvmalloc() of a small block fires kmalloc_node instead.
	_events=kmalloc
	[ -d "$_t/events/kmem/kmalloc_node" ] && _events="kmalloc kmalloc_node"
	for _e in $_events; do
		echo "bytes_req == $_n" >"$_t/events/kmem/$_e/filter"
	done
	echo >"$_t/trace"
	for _e in $_events; do echo 1 >"$_t/events/kmem/$_e/enable"; done
	"$WL/xattr" "$1/tmpfs/f" "$_n" "$XATTR_COUNT" >"$1/wl"
	for _e in $_events; do echo 0 >"$_t/events/kmem/$_e/enable"; done
	cp "$_t/trace" "$1/trace"
	for _e in $_events; do echo 0 >"$_t/events/kmem/$_e/filter"; done
	stop_tracers
	umount "$1/tmpfs"
}

# Two processes at once, A (100-byte values, mt-xa) and B (3001 bytes,
# mt-xb), against one tracer per filter.
scenario_kmalloc_filters() {
	kmalloc_tmpfs "$1/tmpfs" || return 1
	mkfifo "$1/goa" "$1/gob"
	"$WL/xattr" --comm mt-xa --wait "$1/goa" "$1/tmpfs/f" 100 200 >"$1/wla" &
	_a=$!
	"$WL/xattr" --comm mt-xb --wait "$1/gob" "$1/tmpfs/g" 3001 200 >"$1/wlb" &
	_b=$!
	_pids=
	if ! { kmalloc_tracer "$1" pid -p "$_a" --json &&
		kmalloc_tracer "$1" minsize -s 1000 --json &&
		kmalloc_tracer "$1" comm -f mt-xb --json &&
		kmalloc_tracer "$1" maxsize --max-size 100 -f mt-xa --json &&
		kmalloc_tracer "$1" gfp --gfp __GFP_FS -f mt-xb --json &&
		kmalloc_tracer "$1" gfpdma --gfp __GFP_DMA -f mt-xb --json &&
		kmalloc_tracer "$1" tid --tid "$_b" --json; }; then
		kill "$_a" "$_b"
		stop_tracers
		return 1
	fi
	echo go >"$1/goa"
	echo go >"$1/gob"
	wait "$_a"
	wait "$_b"
	stop_tracers
	umount "$1/tmpfs"
}
