# SPDX-License-Identifier: GPL-2.0
# leak scenarios (see procs.sh for how scenarios work): uprobes on the
# allocator of tests/workloads/leaker, whose leaks are known exactly. On
# the test kernels the workloads are static: the allocator is the
# program's own copy of glibc's, found in its symbol table.

# One hook path: uprobes have no fallback.
PROFILES_leak="uprobe:"
GUEST_SCENARIOS="${GUEST_SCENARIOS:-} leak_leaker"

# Every kind of leak, from a command memtrace starts, as JSON and as text.
scenario_leak_leaker() {
	_st=0
	"$MEMTRACE" leak --json -T 30 -v -- "$WL/leaker" kinds threads \
		nested realloc munmap nofp >"$1/out" 2>"$1/err" || _st=$?
	echo "$_st" >"$1/status"
}

# Kernel mode (no -p, no command) on both tracepoint paths.
PROFILES_kleak="tp_btf: tracepoint:tp_btf"
GUEST_SCENARIOS="${GUEST_SCENARIOS:-} kleak_xattr kleak_eventfd kleak_pipe"
KLEAK_N=500

# kleak_run DIR MODE ARGS...: tests/workloads/kobjects MODE ARGS, traced by
# two "memtrace leak --alloc-pid" at once: one stopped once the objects
# exist (DIR/created), one after they are released (DIR/released).
kleak_run() {
	_d=$1
	shift
	"$WL/kobjects" "$@" >"$_d/wl.out" &
	_wl=$!
	_i=0
	while [ "$_i" -lt 200 ] && ! grep -q ready "$_d/wl.out"; do
		sleep 0.05
		_i=$((_i + 1))
	done
	start_tracer "$_d/created" "$_d/created.err" leak --alloc-pid "$_wl" \
		-o 0 -i 0 -T 50 --json --by-cache --pages || return 1
	_first=$TRACER_PID
	_every=0
	[ -z "${KLEAK_SETTLE:-}" ] || _every=0.3
	start_tracer "$_d/released" "$_d/released.err" leak --alloc-pid "$_wl" \
		-o 0 -i "$_every" -T 50 --json --by-cache --pages || return 1
	_second=$TRACER_PID
	kleak_step "$_d" "$_wl" created
	TRACER_PID=$_first
	stop_tracer
	kleak_step "$_d" "$_wl" released
	kleak_settle "$_d/released"
	TRACER_PID=$_second
	stop_tracer
	kill -USR1 "$_wl"
	wait "$_wl"
}

# kleak_settle REPORTS: with KLEAK_SETTLE (an extended regex naming the
# caches of the objects released), until the last periodic report of
# REPORTS holds fewer than KLEAK_N / 10 of them, for up to 30 s. Before 6.7
# a struct file is freed after an RCU grace period, by a callback the
# kernel runs when it gets to it: later the busier the machine (on 5.10
# under load, 100 of 500 were still waiting 0.5 s after the close).
kleak_settle() {
	[ -n "${KLEAK_SETTLE:-}" ] || return 0
	_seen=$(wc -l <"$1")
	_i=0
	while [ "$_i" -lt 100 ]; do
		# The last whole line: the one after it may be half written.
		_lines=$(wc -l <"$1")
		_n=$(sed -n "${_lines}p" "$1" |
			grep -oE '"cache":"('"$KLEAK_SETTLE"')","objects":[0-9]+' |
			sed 's/.*://' | awk '{ s += $1 } END { print s + 0 }')
		# A report since the release, and the objects gone.
		[ "$_lines" -gt "$_seen" ] && [ "$_n" -lt $((KLEAK_N / 10)) ] &&
			return 0
		sleep 0.3
		_i=$((_i + 1))
	done
}

# kleak_step DIR PID WORD: signals the workload, waits for it to say WORD.
kleak_step() {
	kill -USR1 "$2"
	_i=0
	while [ "$_i" -lt 400 ] && ! grep -q "$3" "$1/wl.out"; do
		sleep 0.05
		_i=$((_i + 1))
	done
}

# N xattrs on a tmpfs file: tmpfs keeps each value in a kmalloc'ed block.
scenario_kleak_xattr() {
	mkdir -p "$1/tmpfs" && mount -t tmpfs -o size=4m none "$1/tmpfs" &&
		touch "$1/tmpfs/f" || return 1
	kleak_run "$1" xattr "$1/tmpfs/f" "$KLEAK_N"
	_st=$?
	umount "$1/tmpfs"
	return $_st
}

# N eventfds: a struct file each, from the filp cache.
scenario_kleak_eventfd() {
	KLEAK_SETTLE='filp|\(a cache of [0-9]+-byte objects\)' \
		kleak_run "$1" eventfd "$KLEAK_N"
}

# 50 pipes of 64 KiB each: 16 pages a pipe.
scenario_kleak_pipe() {
	kleak_run "$1" pipe 50
}
