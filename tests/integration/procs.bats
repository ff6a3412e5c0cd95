#!/usr/bin/env bats
# memtrace procs through the real kernel, against wait4()'s accounting.
# tests/run runs this file once per hook path: MEMTRACE_TEST_HOOK=tp_btf,
# and MEMTRACE_TEST_HOOK=tracepoint with MEMTRACE_DISABLE=tp_btf.

load helpers

CHECK=$BATS_TEST_DIRNAME/procs_check.py

setup() {
	T=$BATS_TEST_TMPDIR
	TRACER_PID=
}

teardown() {
	[ -z "$TRACER_PID" ] || kill -KILL "$TRACER_PID" 2>/dev/null || true
}

pid_of() { # pid_of SCENARIO GROUND_TRUTH
	sed -n "s/^child $1 pid=\([0-9]*\).*/\1/p" "$2"
}

@test "procs: exit code, signal, lifetime, peak RSS and faults equal wait4()" {
	start_tracer "$T/out" "$T/err" procs --exit --json
	assert_hook "$T/err" sched_process_exit
	"$WL/lifecycle" code3 killed touch200 threads >"$T/gt"
	stop_tracer
	[ "$TRACER_STATUS" = 0 ]
	run python3 "$CHECK" lifecycle "$T/gt" "$T/out"
	echo "$output"
	[ "$status" = 0 ]
}

@test "procs: the text output says what --json says, and ends with the summary" {
	start_tracer "$T/json" "$T/err1" procs --exit --json
	local json_pid=$TRACER_PID
	start_tracer "$T/text" "$T/err2" procs --exit
	local text_pid=$TRACER_PID
	"$WL/lifecycle" code3 killed touch200 threads short >"$T/gt"
	stop_tracer
	TRACER_PID=$json_pid
	stop_tracer
	run python3 "$CHECK" agree "$T/json" "$T/text"
	echo "$output"
	[ "$status" = 0 ]
	tail -n 1 "$T/text" | grep -Eq '^Summary: 0 exec, [0-9]+ exit events, 0 lost$'
	tail -n 1 "$T/json" | grep -q '"type":"summary"'
	[ "$text_pid" != "$json_pid" ]
}

@test "procs: -d 20 hides a 1 ms child and exec lines, shows a 50 ms child" {
	start_tracer "$T/out" "$T/err" procs -d 20 --json
	"$WL/lifecycle" short long50 >"$T/gt"
	stop_tracer
	short=$(pid_of short "$T/gt")
	long=$(pid_of long50 "$T/gt")
	! grep -q '"type":"exec"' "$T/out"
	! grep -q "\"pid\":$short," "$T/out"
	[ "$(grep -c "\"type\":\"exit\",.*\"pid\":$long," "$T/out")" = 1 ]
}

@test "procs: exec storm of 500 children: exactly 500 exec and 500 exit, 0 lost" {
	comm=mtstorm$RANDOM
	cp "$WL/noop" "$T/$comm"
	start_tracer "$T/out" "$T/err" procs -c "$comm" --json
	run "$WL/execstorm" 500 "$T/$comm"
	echo "$output"
	[[ $output == "spawned 500 failed 0 "* ]]
	stop_tracer
	[ "$(python3 "$CHECK" count "$T/out" exec "$comm")" = 500 ]
	[ "$(python3 "$CHECK" count "$T/out" exit "$comm")" = 500 ]
	tail -n 1 "$T/out" | grep -q '"exec":500,"exit":500,"lost":0,'
}

@test "procs: -p follows a process and its descendants, and stops when they exit" {
	mkfifo "$T/go"
	bash -c 'read -r x <"$1"; sh -c "exit 4"; (sleep 0.05; exit 5); exit 6' _ "$T/go" &
	root=$!
	start_tracer "$T/out" "$T/err" procs -p "$root" --json
	assert_hook "$T/err" sched_process_fork
	/bin/true # outside the traced tree
	echo go >"$T/go"
	wait_tracer # no signal: memtrace stops by itself
	[ "$TRACER_STATUS" = 0 ]
	run python3 - "$T/out" "$root" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
root = int(sys.argv[2])
exits = [e for e in ev if e["type"] == "exit"]
pids = {root} | {e["pid"] for e in ev if e["type"] in ("exec", "exit")}
assert all(e["ppid"] in pids or e["pid"] == root for e in ev if "ppid" in e), ev
# sh -c "exit 4", the subshell's sleep (0), the subshell (5), the root (6)
assert sorted(e["exit_code"] for e in exits) == [0, 4, 5, 6], exits
assert [e["exit_code"] for e in exits if e["pid"] == root] == [6], exits
assert not [e for e in ev if e.get("comm") == "true"], ev
assert ev[-1]["type"] == "summary", ev[-1]
PY
	echo "$output"
	[ "$status" = 0 ]
}

@test "procs: -c matches the command name exactly" {
	start_tracer "$T/exact" "$T/err1" procs -c lc-code3 --json
	local exact=$TRACER_PID
	start_tracer "$T/prefix" "$T/err2" procs -c lc-code --json
	"$WL/lifecycle" code3 long50 >"$T/gt"
	stop_tracer
	TRACER_PID=$exact
	stop_tracer
	[ "$(python3 "$CHECK" count "$T/exact" exit lc-code3)" = 1 ]
	[ "$(grep -c '"type":"exit"' "$T/exact")" = 1 ]
	! grep -q '"type":"exit"' "$T/prefix"
}

@test "procs: --exec shows the file and its arguments, quoted and bounded" {
	cp "$WL/noop" "$T/mtargs"
	long=$(head -c 3000 /dev/zero | tr '\0' x)
	start_tracer "$T/json" "$T/err1" procs --exec -c mtargs --json
	local json_pid=$TRACER_PID
	start_tracer "$T/text" "$T/err2" procs --exec -c mtargs
	"$T/mtargs" 'a b' "it's"
	"$T/mtargs" "$long"
	stop_tracer
	TRACER_PID=$json_pid
	stop_tracer
	run python3 - "$T/json" "$T/mtargs" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ex = [e for e in ev if e["type"] == "exec"]
assert not [e for e in ev if e["type"] == "exit"], ev
assert len(ex) == 2, ex
assert ex[0]["filename"] == sys.argv[2] and ex[0]["args"] == [sys.argv[2], "a b", "it's"], ex[0]
assert not ex[0]["args_truncated"], ex[0]
assert ex[1]["args_truncated"] and ex[1]["args"][1] == "x" * len(ex[1]["args"][1]), ex[1]
assert len("\0".join(ex[1]["args"])) == 1024, len("\0".join(ex[1]["args"]))
PY
	echo "$output"
	[ "$status" = 0 ]
	grep -q " EXEC .* $T/mtargs 'a b' 'it'\\\\''s'\$" "$T/text"
	grep -q " EXEC .* $T/mtargs x*x \.\.\.\$" "$T/text"
}

@test "procs: execveat(2) is seen like execve(2)" {
	cp "$WL/noop" "$T/mtexecat"
	start_tracer "$T/out" "$T/err" procs -c mtexecat --json
	"$WL/execveat" "$T" mtexecat one two
	stop_tracer
	run python3 - "$T/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ex = [e for e in ev if e["type"] == "exec"]
assert len(ex) == 1, ev
# the kernel names a file reached through a directory fd /dev/fd/N/NAME
assert ex[0]["filename"].endswith("/mtexecat"), ex[0]
assert ex[0]["args"] == ["mtexecat", "one", "two"], ex[0]
assert [e["exit_code"] for e in ev if e["type"] == "exit"] == [0], ev
PY
	echo "$output"
	[ "$status" = 0 ]
}

@test "procs: tracefs is mounted only by the classic tracepoint path" {
	if [ -d /sys/kernel/debug/tracing/events ]; then
		skip "debugfs provides tracefs on this host: nothing to mount"
	fi
	umount -l /sys/kernel/tracing 2>/dev/null || true
	[ ! -d /sys/kernel/tracing/events ]
	run "$MEMTRACE" procs --duration 0.3 -v
	[ "$status" = 0 ]
	if [ "$HOOK" = tracepoint ]; then
		[[ $output == *"mounted tracefs at /sys/kernel/tracing"* ]]
		[ -d /sys/kernel/tracing/events ]
	else
		[[ $output != *"mounted tracefs"* ]]
		[ ! -d /sys/kernel/tracing/events ]
	fi
}

@test "procs: --duration stops by itself and prints the summary" {
	SECONDS=0
	run timeout 20 "$MEMTRACE" procs --duration 1
	[ "$status" = 0 ]
	[ "$SECONDS" -lt 10 ]
	[[ ${lines[-1]} == "Summary: "*" lost" ]]
}

@test "procs: a closed pipe (| head) ends memtrace quietly with status 0" {
	(for i in $(seq 2000); do /bin/true; done) &
	local load=$!
	run timeout 30 bash -c '"$1" procs | head -n 2 >/dev/null; echo "status ${PIPESTATUS[0]}"' _ "$MEMTRACE"
	kill "$load" 2>/dev/null || true
	wait "$load" 2>/dev/null || true
	echo "$output"
	[ "$output" = "status 0" ]
}

@test "procs: the static binary gives the same numbers" {
	MEMTRACE=$ROOT/.output/memtrace.static
	! readelf -d "$MEMTRACE" | grep -q NEEDED
	start_tracer "$T/out" "$T/err" procs --exit --json
	assert_hook "$T/err" sched_process_exit
	"$WL/lifecycle" code3 killed threads >"$T/gt"
	stop_tracer
	run python3 "$CHECK" lifecycle "$T/gt" "$T/out"
	echo "$output"
	[ "$status" = 0 ]
}

@test "procs: user space runs clean under valgrind (no leaks, no invalid access)" {
	TRACER_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --suppressions=$ROOT/tests/valgrind.supp"
	START_SECONDS=120
	start_tracer "$T/out" "$T/err" procs --json
	"$WL/lifecycle" code3 killed >"$T/gt"
	stop_tracer
	grep -v "unhandled eBPF command" "$T/err" | grep "==" && false
	[ "$TRACER_STATUS" = 0 ]
	grep -q '"comm":"lc-code3"' "$T/out"
}

@test "procs: user space runs clean under ASan and UBSan" {
	MEMTRACE=$ROOT/.output/memtrace.asan
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=98
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	start_tracer "$T/out" "$T/err" procs --exit
	"$WL/lifecycle" code3 killed threads >"$T/gt"
	stop_tracer
	[ "$TRACER_STATUS" = 0 ]
	! grep -E "Sanitizer|runtime error" "$T/err"
	grep -q " lc-code3 .* code 3$" "$T/out"
}
