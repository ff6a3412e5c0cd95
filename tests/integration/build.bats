#!/usr/bin/env bats
# The build: one binary with every skeleton, static builds, tracked header
# dependencies, vmlinux.h regeneration, install, and the README's commands.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$ROOT"
	cp vmlinux/x86/vmlinux.h "$T/vmlinux.h.orig"
}

# Whatever a test did to the tree, leave it as it was.
teardown() {
	cmp -s vmlinux/x86/vmlinux.h "$T/vmlinux.h.orig" ||
		cp "$T/vmlinux.h.orig" vmlinux/x86/vmlinux.h
	cmp -s memtrace .output/memtrace.musl || make -s
}

@test "build: one executable embeds every command's BPF skeleton" {
	local cmds
	cmds=$(sed -n 's/^CMDS *:= *//p' Makefile)
	for cmd in $cmds; do
		[ -f "bpf/$cmd.bpf.c" ] && [ -f "include/$cmd.h" ] && [ -f "src/$cmd.c" ]
		run "$MEMTRACE" help
		[[ $output == *"  $cmd "* ]]
	done
	# Each skeleton embeds its BPF object: an ELF for machine 247 (BPF)
	# inside the executable, compiled from that command's bpf/<cmd>.bpf.c.
	run python3 - "$MEMTRACE" $cmds <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
objs, i = [], data.find(b"\x7fELF", 1)
while i > 0:
    if struct.unpack_from("<H", data, i + 18)[0] == 247:
        shoff, = struct.unpack_from("<Q", data, i + 40)
        objs.append(data[i:i + shoff + 64 * 64])
    i = data.find(b"\x7fELF", i + 1)
for cmd in sys.argv[2:]:
    # BTF line info names the source file each object came from.
    assert any(("%s.bpf.c" % cmd).encode() in o for o in objs), cmd
print(len(objs), "BPF objects")
PY
	echo "$output"
	[ "$status" = 0 ]
}

@test "build: ./memtrace is static (musl); LIBC=glibc links glibc, dynamically or with STATIC=1 statically" {
	make -s
	run readelf -d memtrace
	[[ $output == *"There is no dynamic section"* ]]
	# musl's start (glibc's has __libc_setup_tls instead).
	nm memtrace | grep -qw __init_libc
	make -s STATIC=1
	cmp memtrace .output/memtrace.musl
	make -s LIBC=glibc STATIC=1
	run readelf -d memtrace
	[[ $output == *"There is no dynamic section"* ]]
	nm memtrace | grep -qw __libc_setup_tls
	run ./memtrace procs --duration 0.2
	[ "$status" = 0 ]
	[[ ${lines[-1]} == "Summary: "* ]]
	make -s LIBC=glibc
	# The glibc build links every library but the C library in (loading
	# them cost more than filecache's whole run on one file).
	run readelf -d memtrace
	[[ $output == *"NEEDED"*"libc.so"* ]]
	[[ $output != *"libbpf"* && $output != *"libiberty"* && $output != *"libdw"* ]]
	run ./memtrace procs --duration 0.2
	[ "$status" = 0 ]
	[[ ${lines[-1]} == "Summary: "* ]]
	make -s
	cmp memtrace .output/memtrace.musl
}

@test "build: editing include/memtrace/procs.h rebuilds the BPF object and user space" {
	make -s
	touch include/memtrace/procs.h
	run make -n
	[[ $output == *"bpf/procs.bpf.c"* ]]
	[[ $output == *"src/procs/procs.c"* ]]
	make -s
	run make -n
	[[ $output != *"bpf/procs.bpf.c"* ]]
	[[ $output != *"src/procs/procs.c"* ]]
}

@test "build: make vmlinux regenerates vmlinux.h from this kernel's BTF" {
	rm vmlinux/x86/vmlinux.h
	make -s vmlinux
	grep -q "struct task_struct {" vmlinux/x86/vmlinux.h
	grep -q "btf_trace_sched_process_exec" vmlinux/x86/vmlinux.h
	# This kernel's BTF, as bpftool dumps it. (The committed header may
	# come from another build of the kernel: machines differ.)
	bpftool btf dump file /sys/kernel/btf/vmlinux format c | cmp - vmlinux/x86/vmlinux.h
}

@test "build: make install PREFIX=... installs the binary, man pages and completion" {
	make -s install PREFIX="$T/prefix"
	local want
	want=$(printf '%s\n' ./bin/memtrace ./share/bash-completion/completions/memtrace \
		./share/man/man8/memtrace.8 \
		$(./memtrace --help | awk '/^Commands:/ { c = 1; next } c && NF == 0 { c = 0 }
			c { print "./share/man/man8/memtrace-" $1 ".8" }') | sort)
	[ "$(cd "$T/prefix" && find . -type f | sort)" = "$want" ]
	run "$T/prefix/bin/memtrace" procs --duration 0.2
	[ "$status" = 0 ]
	# Each page renders without a warning.
	local page
	for page in "$T"/prefix/share/man/man8/*.8; do
		# What man says on stderr only: the pages speak of warnings too.
		run bash -c 'MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' _ "$page"
		[ "$status" = 0 ]
		[ -z "$output" ] || { echo "$page: $output" >&2; false; }
	done
}

@test "build: make run ARGS=... builds and runs memtrace" {
	run timeout 60 make -s run ARGS="procs --duration 0.5 --json"
	[ "$status" = 0 ]
	[[ ${lines[-1]} == '{"type":"summary"'* ]]
}

@test "build: CI runs make test, and the README documents it" {
	[ -x .ci/run ]
	grep -q "make test" .ci/run
	grep -q "make test" README.md
	grep -q "make run" README.md
}

@test "build: BPF programs declare a GPL-compatible license" {
	for f in bpf/*.bpf.c; do
		grep -q 'SEC("license") = "GPL"' "$f"
	done
	head -3 LICENSE | grep -q "GNU GENERAL PUBLIC LICENSE"
}
