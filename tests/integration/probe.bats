#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# memtrace probe through the real kernel: what this machine offers each
# command, and why the methods before it were ruled out. tests/run runs
# this file once, without hook profiles: a test that wants MEMTRACE_DISABLE
# sets it.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	unset MEMTRACE_DISABLE
}

# run_probe ARGS...: memtrace probe, stdout in $T/out, stderr in $T/err.
run_probe() {
	status=0
	"$MEMTRACE" probe "$@" >"$T/out" 2>"$T/err" || status=$?
}

# section NAME: the lines of section NAME of $T/out, without its heading
# ("leak" is both of leak's, "leak (kernel" only the second).
section() {
	awk -v s="$1" '$0 == s || index($0, s " (") == 1 ||
		(s ~ /\(/ && index($0, s) == 1) { on = 1; next }
		/^$/ { on = 0 } on' "$T/out"
}

# method NAME HOOK: the method section NAME gives HOOK.
method() {
	section "$1" | awk -v h="$2" 'index($0, "  " h " ") == 1 {
		sub("^  " h " +", ""); print $1; exit }'
}

@test "probe: filecache gets test_run; without it, fentry (refused here) and kprobe (none) are ruled out" {
	run_probe
	[ "$status" = 0 ]
	[ ! -s "$T/err" ]
	[ "$(method filecache vfs_getattr_nosec)" = test_run ]
	grep -Eq '^  test_run on raw_tp +yes$' "$T/out"
	[ ! -e /sys/bus/event_source/devices/kprobe ] ||
		skip "this host has kprobes: filecache would use them"
	MEMTRACE_DISABLE=test_run run_probe
	section filecache >"$T/fc"
	cat "$T/fc"
	grep -Eq '^  vfs_getattr_nosec +none +no method works on this kernel' "$T/fc"
	grep -qx '    test_run disabled by MEMTRACE_DISABLE' "$T/fc"
	grep -qx '    fentry ruled out: fentry on vfs_getattr_nosec refused: Operation not permitted' "$T/fc"
	grep -qx '    kprobe ruled out: this kernel has no kprobes' "$T/fc"
	grep -Eq '^  fentry +no: refused on vfs_getattr_nosec: Operation not permitted$' "$T/out"
	grep -Eq '^  kprobes +no: ' "$T/out"
}

@test "probe: procs gets tp_btf; with MEMTRACE_DISABLE=tp_btf, tracepoint, and tp_btf shown disabled" {
	run_probe
	[ "$status" = 0 ]
	[ "$(method procs sched_process_exec/exit/fork)" = tp_btf ]
	MEMTRACE_DISABLE=tp_btf run_probe
	[ "$status" = 0 ]
	section procs >"$T/procs"
	cat "$T/procs"
	grep -Eq '^  sched_process_exec/exit/fork +tracepoint +tracefs' "$T/procs"
	grep -qx '    tp_btf disabled by MEMTRACE_DISABLE' "$T/procs"
	# Every chain that starts with tp_btf says the same (procs, kmalloc,
	# leak's kernel mode, filecache --watch, whose collector serve runs
	# too).
	[ "$(grep -c '^    tp_btf disabled by MEMTRACE_DISABLE$' "$T/out")" = 4 ]
}

@test "probe: each method it names is the one the command takes (-v)" {
	local d m
	for d in "" tp_btf; do
		MEMTRACE_DISABLE=$d run_probe
		m=$(method procs sched_process_exec/exit/fork)
		MEMTRACE_DISABLE=$d "$MEMTRACE" procs -v --duration 0.2 >/dev/null 2>"$T/cmd.err"
		grep -q "sched_process_exec via $m\$" "$T/cmd.err"
		m=$(method kmalloc kmem:kmalloc)
		MEMTRACE_DISABLE=$d "$MEMTRACE" kmalloc -v --duration 0.2 >/dev/null 2>"$T/cmd.err"
		grep -q "kmem:kmalloc via $m" "$T/cmd.err"
		m=$(method "leak (kernel" "kmem allocations")
		MEMTRACE_DISABLE=$d "$MEMTRACE" leak -v --duration 0.2 >/dev/null 2>"$T/cmd.err"
		grep -q "kmem:kfree via $m\$" "$T/cmd.err"
		m=$(method "filecache (--watch" mm_filemap_add/delete_from_page_cache)
		MEMTRACE_DISABLE=$d "$MEMTRACE" filecache --watch -v --duration 0.2 >/dev/null 2>"$T/cmd.err"
		grep -Eq "mm_filemap_add/delete_from_page_cache via $m( |\$)" "$T/cmd.err"
	done
	run_probe
	m=$(method filecache vfs_getattr_nosec)
	"$MEMTRACE" filecache -v / >/dev/null 2>"$T/cmd.err"
	grep -Eq "(page cache|vfs_getattr_nosec) via $m( |\$)" "$T/cmd.err"
}

# agree JSON TEXT: the JSON report says what the text says, line for line.
agree() {
	python3 - "$1" "$2" <<'PY'
import json, re, sys

j = json.load(open(sys.argv[1]))
sections = open(sys.argv[2]).read().rstrip("\n").split("\n\n")

def keys(o):
    if isinstance(o, dict):
        for k, v in o.items():
            assert re.fullmatch(r"[a-z][a-z0-9_]*", k), k
            keys(v)
    elif isinstance(o, list):
        for v in o:
            keys(v)
keys(j)

host = sections[0].split("\n")
assert host[0] == "Host", host[0]
assert len(host) - 1 == len(j["host"]), (len(host), len(j["host"]))
privileges = {"root": "root", "cap_sys_admin": "CAP_SYS_ADMIN",
              "cap_bpf_perfmon": "CAP_BPF and CAP_PERFMON",
              "missing": "missing: needs root or CAP_BPF and CAP_PERFMON"}
for (key, v), line in zip(j["host"].items(), host[1:]):
    if isinstance(v, dict):
        want = ("yes" if v["available"] else "no") + \
               (": " + v["detail"] if v["detail"] else "")
    elif v is None:
        want = None
    elif key == "privileges":
        want = privileges[v]
    else:
        want = str(v)
    if want is None:
        assert re.search(r"  unknown: ", line), (key, line)
    else:
        assert line.endswith("  " + want) or line.endswith(" " + want), (key, want, line)

assert len(sections) - 1 == len(j["commands"])
for c, sec in zip(j["commands"], sections[1:]):
    lines = sec.split("\n")
    head = lines.pop(0)
    assert head == c["command"] if c["mode"] is None else head.startswith(c["command"] + " ("), (c, head)
    for h in c["hooks"]:
        line = lines.pop(0)
        pat = "  %s +%s +%s$" % (re.escape(h["hook"]), re.escape(h["method"] or "none"),
                                re.escape(h["detail"]))
        assert re.fullmatch(pat, line), (pat, line)
        for r in h["ruled_out"]:
            want = "    %s %s" % (r["method"], r["reason"] if r["disabled"]
                                  else "ruled out: " + r["reason"])
            assert lines.pop(0) == want, want
    assert not lines, lines
print("agree:", len(j["host"]), "host facts,", len(j["commands"]), "command sections")
PY
}

@test "probe: --json is one object, snake_case keys, that agrees with the text" {
	local d
	for d in "" tp_btf; do
		MEMTRACE_DISABLE=$d run_probe --json
		[ "$status" = 0 ]
		[ "$(wc -l <"$T/out")" = 1 ]
		cp "$T/out" "$T/json"
		MEMTRACE_DISABLE=$d run_probe
		agree "$T/json" "$T/out"
	done
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
fc = [c for c in j["commands"] if c["command"] == "filecache"][0]["hooks"][0]
assert j["host"]["btf"]["available"] and j["host"]["ringbuf"]["available"]
assert fc["method"] in ("fentry", "kprobe", "test_run"), fc' "$T/json"
}

@test "probe: loads nothing of the commands' and leaves nothing behind: no pin, attach or mount" {
	strace -f -qq -e trace=bpf,mount -o "$T/trace" "$MEMTRACE" probe >/dev/null
	grep -q 'BPF_PROG_LOAD' "$T/trace"
	# Only "r0 = 0; exit" programs (and libbpf's own probes, as small).
	! grep 'BPF_PROG_LOAD' "$T/trace" | grep -v 'insn_cnt=2,'
	! grep -E 'BPF_RAW_TRACEPOINT_OPEN|BPF_OBJ_PIN|BPF_PROG_ATTACH|(^|[0-9] )mount\(' "$T/trace"
	# The one link it asks for (multi-uprobe, on "/") is refused.
	! grep 'BPF_LINK_CREATE' "$T/trace" | grep -v '= -1 E'
}

@test "probe: runs clean under valgrind (no leaks, no invalid access), text and JSON" {
	MEMTRACE=$MEMTRACE_GLIBC
	local args
	for args in "" --json; do
		valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
			--errors-for-leak-kinds=all --suppressions="$ROOT/tests/valgrind.supp" \
			"$MEMTRACE" probe $args >/dev/null 2>"$T/vg"
		# Only valgrind's note that it does not know BPF_LINK_CREATE.
		! grep -v 'unhandled eBPF command' "$T/vg"
	done
}

@test "probe: without privileges it says they are missing, reports the rest, exits 0" {
	local s=0
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$MEMTRACE" probe >"$T/out" 2>"$T/err" || s=$?
	cat "$T/out"
	[ "$s" = 0 ]
	[ ! -s "$T/err" ]
	grep -Eq '^  privileges +missing: needs root or CAP_BPF and CAP_PERFMON$' "$T/out"
	grep -Eq '^  BPF ring buffer +no: refused: Operation not permitted$' "$T/out"
	grep -Eq '^  kernel BTF +yes: /sys/kernel/btf/vmlinux$' "$T/out"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$MEMTRACE" probe --json >"$T/json"
	python3 -c 'import json, sys
assert json.load(open(sys.argv[1]))["host"]["privileges"] == "missing"' "$T/json"
}

@test "probe: errors: an unknown MEMTRACE_DISABLE method (1), an argument (2)" {
	MEMTRACE_DISABLE=bogus run_probe
	[ "$status" = 1 ]
	[ ! -s "$T/out" ]
	[ "$(wc -l <"$T/err")" = 1 ]
	grep -q "memtrace probe: MEMTRACE_DISABLE: unknown hook method 'bogus'" "$T/err"
	run_probe extra
	[ "$status" = 2 ]
	grep -q "memtrace probe: unexpected argument 'extra'" "$T/err"
	status=0
	"$MEMTRACE" probe >/dev/full 2>"$T/err" || status=$?
	[ "$status" = 1 ]
	grep -q "writing output: No space left on device" "$T/err"
}

@test "probe: listed in help; its man page has no warnings" {
	run "$MEMTRACE" help
	[[ $output == *"  probe "*"what this kernel offers each command"* ]]
	"$MEMTRACE" help --man probe >"$T/probe.8"
	grep -q '^\.SH "\?EXIT STATUS' "$T/probe.8"
	man --warnings -l "$T/probe.8" 2>"$T/warn" >/dev/null
	[ ! -s "$T/warn" ]
	"$MEMTRACE" help --bash-completion | grep -q probe
}
