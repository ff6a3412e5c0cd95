#!/usr/bin/env bats
# The command line: help, version, dispatch, and every documented error,
# each a single line on stderr with the right exit status.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
}

# run_split CMD...: like run, but stdout and stderr apart (bats 1.8 has no
# --separate-stderr for every version we meet).
run_split() {
	status=0
	"$@" >"$T/stdout" 2>"$T/stderr" || status=$?
	out=$(cat "$T/stdout")
	err=$(cat "$T/stderr")
}

one_line_err() { # the error is exactly one line naming its subject
	[ "$(wc -l <"$T/stderr")" = 1 ] || {
		echo "stderr: $err" >&2
		return 1
	}
	[[ $err == *"$1"* ]] || {
		echo "expected '$1' in: $err" >&2
		return 1
	}
}

@test "cli: help lists the commands and the shared options" {
	for args in "help" "--help" "-h"; do
		run_split "$MEMTRACE" $args
		[ "$status" = 0 ]
		[[ $out == *"Usage: memtrace <command>"* ]]
		[[ $out == *"procs "*"process exec/exit"* ]]
		[[ $out == *"MEMTRACE_DISABLE"* ]]
		[ -z "$err" ]
	done
}

@test "cli: help for a command, both ways, lists every option" {
	run_split "$MEMTRACE" help procs
	[ "$status" = 0 ]
	local help=$out
	run_split "$MEMTRACE" procs --help
	[ "$status" = 0 ]
	[ "$out" = "$help" ]
	for opt in --pid --comm --min-lifetime --exec --exit --duration \
		--ringbuf-size --verbose --json --help; do
		[[ $help == *"$opt"* ]] || { echo "missing $opt" >&2; false; }
	done
}

@test "cli: --version names the version, the commit and libbpf" {
	run_split "$MEMTRACE" --version
	[ "$status" = 0 ]
	# "unknown" when built outside a git checkout
	[[ $out =~ ^memtrace\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ ([0-9a-f]{12}(-dirty)?|unknown),\ libbpf\ v[0-9]+\.[0-9]+\)$ ]]
	[ ! -d "$ROOT/.git" ] || [[ $out != *"commit unknown"* ]]
}

@test "cli: no command is a usage error" {
	run_split "$MEMTRACE"
	[ "$status" = 2 ]
	[[ $err == *"Usage: memtrace"* ]]
}

@test "cli: unknown command, option, or help topic: one line, status 2" {
	run_split "$MEMTRACE" bogus
	[ "$status" = 2 ]
	one_line_err "memtrace: unknown command 'bogus' (see 'memtrace --help')"
	run_split "$MEMTRACE" --bogus
	[ "$status" = 2 ]
	one_line_err "unknown option '--bogus'"
	run_split "$MEMTRACE" help bogus
	[ "$status" = 2 ]
	one_line_err "unknown command 'bogus'"
	run_split "$MEMTRACE" procs --bogus=1
	[ "$status" = 2 ]
	one_line_err "memtrace procs: unknown option '--bogus' (see 'memtrace procs --help')"
	run_split "$MEMTRACE" procs -Z
	[ "$status" = 2 ]
	one_line_err "unknown option '-Z'"
	run_split "$MEMTRACE" procs extra
	[ "$status" = 2 ]
	one_line_err "unexpected argument 'extra'"
}

@test "cli: bad numbers are usage errors naming the value" {
	run_split "$MEMTRACE" procs -d 12x
	[ "$status" = 2 ]
	one_line_err "invalid value '12x' for -d"
	run_split "$MEMTRACE" procs -p -5
	[ "$status" = 2 ]
	one_line_err "invalid value '-5' for -p"
	run_split "$MEMTRACE" procs -p 99999999999999999999
	[ "$status" = 2 ]
	one_line_err "for -p: out of range"
	run_split "$MEMTRACE" procs --duration 0
	[ "$status" = 2 ]
	one_line_err "invalid value '0' for --duration: out of range"
	run_split "$MEMTRACE" procs --ringbuf-size 1Q
	[ "$status" = 2 ]
	one_line_err "invalid value '1Q' for --ringbuf-size"
	run_split "$MEMTRACE" procs --duration
	[ "$status" = 2 ]
	one_line_err "option '--duration' needs a value"
	run_split "$MEMTRACE" procs -d 5 --exec
	[ "$status" = 2 ]
	one_line_err "cannot be used with --exec"
}

@test "cli: a value given to a flag, a value missing at the end: usage errors naming the option" {
	# The C library's getopt_long() decides these (musl's here).
	run_split "$MEMTRACE" procs --json=1
	[ "$status" = 2 ]
	one_line_err "option '--json' takes no value"
	run_split "$MEMTRACE" leak -a -p
	[ "$status" = 2 ]
	one_line_err "option '-p' needs a value"
	run_split "$MEMTRACE" leak -a --pid
	[ "$status" = 2 ]
	one_line_err "option '--pid' needs a value"
	run_split "$MEMTRACE" procs --dur
	[ "$status" = 2 ]
	one_line_err "option '--dur' needs a value"
	run_split "$MEMTRACE" leak -+ 1
	[ "$status" = 2 ]
	one_line_err "unknown option '-+'"
}

@test "cli: without privileges: 'needs root or CAP_BPF and CAP_PERFMON'" {
	run_split setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$MEMTRACE" procs --duration 1
	[ "$status" = 1 ]
	one_line_err "memtrace procs: needs root or CAP_BPF and CAP_PERFMON"
}

@test "cli: root without the capabilities is refused too" {
	run_split setpriv --inh-caps=-all --bounding-set=-bpf,-perfmon,-sys_admin \
		"$MEMTRACE" procs --duration 1
	[ "$status" = 1 ]
	one_line_err "needs root or CAP_BPF and CAP_PERFMON"
}

@test "cli: a kernel without BTF is named, not a libbpf dump" {
	# A private mount namespace where /sys/kernel/btf is empty: what
	# memtrace sees on a kernel built without CONFIG_DEBUG_INFO_BTF.
	run_split unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$@"' \
		_ "$MEMTRACE" procs --duration 1
	[ "$status" = 1 ]
	one_line_err "memtrace procs: no kernel BTF at /sys/kernel/btf/vmlinux"
	run_split env MEMTRACE_BTF=$T/missing "$MEMTRACE" procs --duration 1
	[ "$status" = 1 ]
	one_line_err "cannot read kernel BTF from $T/missing (MEMTRACE_BTF)"
}

@test "cli: a kernel without the BPF ring buffer is named" {
	# bpf(BPF_MAP_CREATE) answering EINVAL, as a pre-5.8 kernel does for
	# BPF_MAP_TYPE_RINGBUF.
	run_split "$HELPERS/deny-bpf" 0 22 "$MEMTRACE" procs --duration 1
	[ "$status" = 1 ]
	one_line_err "this kernel has no BPF ring buffer (needs Linux 5.8 or later)"
}

@test "cli: -p of a process that does not exist" {
	local pid=4194303
	while [ -e /proc/$pid ]; do pid=$((pid - 1)); done
	run_split "$MEMTRACE" procs -p $pid
	[ "$status" = 1 ]
	one_line_err "memtrace procs: no process with PID $pid"
}

@test "cli: MEMTRACE_DISABLE: unknown method, and every method disabled" {
	run_split env MEMTRACE_DISABLE=bogus "$MEMTRACE" procs --duration 1
	[ "$status" = 1 ]
	one_line_err "MEMTRACE_DISABLE: unknown hook method 'bogus'"
	run_split env MEMTRACE_DISABLE=tp_btf,tracepoint "$MEMTRACE" procs --duration 1
	[ "$status" = 1 ]
	one_line_err "cannot attach to sched_process_exec/exit: every hook method it can use is disabled by MEMTRACE_DISABLE"
}

@test "cli: libbpf speaks only with -v (and its debug log with -vv)" {
	run_split "$MEMTRACE" procs --duration 0.2
	[ "$status" = 0 ]
	[ -z "$err" ]
	run_split "$MEMTRACE" procs --duration 0.2 -vv
	[ "$status" = 0 ]
	[[ $err == *"libbpf: "* ]]
	[[ $err == *"sched_process_exec via"* ]]
}

# The options a command's --help lists, its man page lists, its bash
# completion offers: one "--name" per line, sorted.
help_options() {
	"$MEMTRACE" "$1" --help | sed -n 's/^  \(-., \|    \)--\([a-z0-9-]*\).*/--\2/p' | sort
}

man_options() {
	"$MEMTRACE" help --man "$1" | sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' |
		sed -n 's/.*\\fB\\-\\-\([a-z0-9\\-]*\)\\fR.*/--\1/p' |
		sed 's/\\-/-/g' | grep -v '^--$' | sort -u
}

completion_options() {
	"$MEMTRACE" help --bash-completion | awk -v c="$1" '
		$1 == c ")" { on = 1; next }
		on && /compgen -W \047 *-/ { print; exit }' |
		grep -o -- '--[a-z0-9][a-z0-9-]*' | sort
}

# A value each kind of option takes, by the name --help gives it.
value_for() {
	case $1 in
	PID | TID) echo 1 ;;
	COMM) echo x ;;
	SIZE) echo 4K ;;
	SEC | MS) echo 1 ;;
	N) echo 64 ;;
	KEY) "$MEMTRACE" help --bash-completion | grep -A1 -- "--$2)" |
		sed -n "s/.*compgen -W '\([^ ']*\).*/\1/p" | head -1 ;;
	FLAG) echo GFP_KERNEL ;;
	LIB) echo libc.so.6 ;;
	*) echo value ;;
	esac
}

@test "cli: for every command, --help, the man page and the completion list the same options, each accepted" {
	local cmds cmd line name arg value
	cmds=$("$MEMTRACE" --help | awk '/^Commands:/ { c = 1; next } c && NF == 0 { c = 0 } c { print $1 }')
	[ -n "$cmds" ]
	for cmd in $cmds; do
		help_options "$cmd" >"$T/help"
		man_options "$cmd" >"$T/man"
		completion_options "$cmd" >"$T/completion"
		[ -s "$T/help" ]
		diff -u "$T/help" "$T/man" || { echo "$cmd: --help and the man page differ" >&2; false; }
		diff -u "$T/help" "$T/completion" || { echo "$cmd: --help and the completion differ" >&2; false; }
		# Each option parses (its value too); --help at the end stops
		# before anything is loaded.
		while read -r line; do
			name=$(sed -n 's/^  \(-., \|    \)--\([a-z0-9-]*\).*/\2/p' <<<"$line")
			[ -n "$name" ] || continue
			arg=$(sed -n 's/^  \(-., \|    \)--[a-z0-9-]* \([A-Z]*\) .*/\2/p' <<<"$line")
			if [ -n "$arg" ]; then
				value=$(value_for "$arg" "$name")
				run "$MEMTRACE" "$cmd" "--$name" "$value" --help
			else
				run "$MEMTRACE" "$cmd" "--$name" --help
			fi
			[ "$status" = 0 ] || { echo "$cmd --$name ${value:-}: $output" >&2; false; }
		done < <("$MEMTRACE" "$cmd" --help)
	done
}
