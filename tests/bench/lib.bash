# SPDX-License-Identifier: GPL-2.0
#
# Shared by tests/bench/run and the benchmarks (sourced, not run: its name
# does not end in .sh so that run does not take it for a benchmark).

BENCH_ROOT=${MEMTRACE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MEMTRACE=${MEMTRACE:-$BENCH_ROOT/memtrace}
BENCH_WL=$BENCH_ROOT/.output/tests/workloads
# The peers; overridable to try another build of libbpf-tools.
EXECSNOOP=${EXECSNOOP:-/usr/sbin/execsnoop}
EXITSNOOP=${EXITSNOOP:-/usr/sbin/exitsnoop}

bench_die() {
	echo "bench: $*" >&2
	exit 1
}

# bench_check: everything the benchmarks need, with a message saying how to
# get what is missing. Prints nothing and returns 0 when all is there.
bench_check() {
	local bad=0 c f

	if [ "$(id -u)" != 0 ]; then
		echo "bench: must run as root (memtrace and the peers load BPF programs)" >&2
		bad=1
	fi
	for c in awk sort timeout getconf mkfifo uname; do
		command -v "$c" >/dev/null 2>&1 ||
			{ echo "bench: '$c' not found" >&2; bad=1; }
	done
	for f in "$MEMTRACE" "$BENCH_WL/execstorm" "$BENCH_WL/noop"; do
		[ -x "$f" ] ||
			{ echo "bench: $f missing: run 'make test-build' (or 'make bench')" >&2; bad=1; }
	done
	for f in "$EXECSNOOP" "$EXITSNOOP"; do
		bench_check_libbpf_tool "$f" || bad=1
	done
	return $bad
}

# Other packages install scripts of the same names (bpftrace's *.bt, bcc's
# Python tools) with other output formats and costs: insist on the ELF
# binaries of libbpf-tools, whose output the benchmarks parse.
bench_check_libbpf_tool() {
	local f=$1 magic

	if [ ! -x "$f" ]; then
		echo "bench: $f not found: install the Debian package libbpf-tools" >&2
		return 1
	fi
	magic=$(head -c 4 "$f" | tr -d '\0')
	if [ "$magic" != $'\x7fELF' ] ||
	   ! "$f" --help 2>&1 | grep -q 'libbpf-tools'; then
		echo "bench: $f is not the libbpf-tools binary (a script?): install libbpf-tools, or point EXECSNOOP/EXITSNOOP at its binaries" >&2
		return 1
	fi
}

# bench_sleep_init DIR: sets up bench_sleep, a sleep that forks nothing
# (a read timing out on a FIFO nobody writes), so that polling loops do not
# add exec/exit events of their own to what the tracers see.
bench_sleep_init() {
	mkfifo "$1/sleep.fifo" || return 1
	exec {BENCH_SLEEP_FD}<>"$1/sleep.fifo"
}

bench_sleep() {
	read -r -t "$1" -u "$BENCH_SLEEP_FD" _ 2>/dev/null
	return 0
}
