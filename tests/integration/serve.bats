#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# memtrace serve read by real clients: a Prometheus server scraping it
# every second (its answers read back through Prometheus's query API),
# promtool, go tool pprof; and bad HTTP. One serve and one Prometheus for
# the file (setup_file); the checks compare with ground truth from
# outside memtrace: the kernel's own kmalloc trace (tracefs), wait4(), the
# workloads' known leaks and readelf's build IDs. Every wait is for an
# observable condition, with a bound.

load helpers
# shellcheck source=tests/lib/prom.bash
. "$ROOT/tests/lib/prom.bash"

setup_file() {
	F=$BATS_FILE_TMPDIR
	# A leaker under a name of its own: --leak-comm picks it up when it
	# execs, and nothing else on the machine is named so.
	LEAKER_COMM=mtsrv$$
	cp "$WL/leaker" "$F/$LEAKER_COMM"
	start_serve "$F" --kmalloc-comms 1000 --procs-comms 1000 \
		--pagecache-files 1000 --leak-comm "$LEAKER_COMM"
	echo "$SERVE_PID" >"$F/serve.pid"
	start_prometheus "$F" "${SERVE_URL#http://}"
	echo "$PROM_PID" >"$F/prom.pid"
	export F LEAKER_COMM SERVE_URL PROM_URL
}

teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/prom.pid")" 2>/dev/null || true
	kill -TERM "$(cat "$BATS_FILE_TMPDIR/serve.pid")" 2>/dev/null || true
	for p in ${LEAKER_PID:-}; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}

setup() {
	T=$BATS_TEST_TMPDIR
	TRACER_PID=
}

teardown() {
	[ -z "$TRACER_PID" ] || kill -KILL "$TRACER_PID" 2>/dev/null || true
	[ -z "${TRACE_INSTANCE:-}" ] || rmdir "$TRACE_INSTANCE" 2>/dev/null || true
	umount "$T/tmpfs" 2>/dev/null || true
}

# kernel_kmallocs COMM: the kernel's own trace of kmalloc, for COMM only,
# in a tracefs instance of its own (TRACE_INSTANCE).
trace_kmalloc_start() {
	local tfs
	tfs=$(grep -m1 ' tracefs ' /proc/mounts | cut -d' ' -f2)
	[ -n "$tfs" ] || { mount -t tracefs nodev /sys/kernel/tracing; tfs=/sys/kernel/tracing; }
	TRACE_INSTANCE=$tfs/instances/mt-serve-$$-$BATS_TEST_NUMBER
	mkdir "$TRACE_INSTANCE"
	echo 8192 >"$TRACE_INSTANCE/buffer_size_kb"
	echo "comm == \"$1\"" >"$TRACE_INSTANCE/events/kmem/kmalloc/filter"
	echo 1 >"$TRACE_INSTANCE/events/kmem/kmalloc/enable"
}

trace_kmalloc_stop() {
	echo 0 >"$TRACE_INSTANCE/events/kmem/kmalloc/enable"
	cat "$TRACE_INSTANCE/trace" >"$T/ktrace"
	# Nothing overwritten: the counts are the kernel's every event.
	! grep -q '^overrun: [1-9]' "$TRACE_INSTANCE"/per_cpu/cpu*/stats
}

@test "serve: K setxattr calls of N bytes from a unique comm: the kernel's own trace's count, read through Prometheus" {
	local comm=mtxa$$ k=2000 n=3001 calls req
	mkdir "$T/tmpfs" && mount -t tmpfs none "$T/tmpfs" && touch "$T/tmpfs/f"
	trace_kmalloc_start "$comm"
	"$WL/xattr" --comm "$comm" "$T/tmpfs/f" "$n" "$k" >"$T/wl.out"
	trace_kmalloc_stop
	calls=$(grep -c ': kmalloc: ' "$T/ktrace")
	req=$(sed -n 's/.* bytes_req=\([0-9]*\) .*/\1/p' "$T/ktrace" | awk '{s += $1} END {print s}')
	[ "$(grep -c 'call_site=vmemdup_user+' "$T/ktrace")" = "$k" ]
	[ "$calls" -ge "$k" ] && [ "$req" -ge $((k * n)) ]
	# Prometheus, once its next scrape has them: exactly the kernel's.
	promq "memtrace_kmalloc_calls_total{comm=\"$comm\"}" == "$calls"
	promq "memtrace_kmalloc_requested_bytes_total{comm=\"$comm\"}" == "$req"
	promq "memtrace_kmalloc_allocated_bytes_total{comm=\"$comm\"}" '>=' "$req"
	# The call site, by function: every vmemdup_user of the machine.
	promq 'memtrace_kmalloc_calls_total{callsite="vmemdup_user"}' '>=' "$k"
	# The sum over the callsite series is the sum over the comm series.
	promq 'sum(memtrace_kmalloc_calls_total{callsite!=""}) - sum(memtrace_kmalloc_calls_total{comm!=""})' == 0
}

@test "serve: a child exiting with code 3 and one killed by SIGKILL: exits_total by exactly 1 each" {
	local c3=mtc3$$ kill=mtkl$$ ok=mtok$$
	"$WL/comms" --exit 3 "$c3" 1 >"$T/c3"
	"$WL/comms" --kill "$kill" 1 >"$T/kill"
	"$WL/comms" "$ok" 1 >"$T/ok"
	# wait4()'s statuses: 3 << 8, SIGKILL, 0.
	grep -q ' status 768 ' "$T/c3"
	grep -q ' status 9 ' "$T/kill"
	grep -q ' status 0 ' "$T/ok"
	promq "memtrace_process_exits_total{comm=\"$c3\",reason=\"exit_nonzero\"}" == 1
	promq "memtrace_process_exits_total{comm=\"$kill\",reason=\"SIGKILL\"}" == 1
	promq "memtrace_process_exits_total{comm=\"$ok\",reason=\"exit_0\"}" == 1
	promq "sum(memtrace_process_exits_total{comm=\"$c3\"})" == 1
	promq "sum(memtrace_process_exits_total{comm=\"$kill\"})" == 1
	promq "memtrace_process_lifetime_seconds_count{comm=\"$c3\"}" == 1
}

@test "serve: a 100 MB child is in the peak-RSS bucket wait4() puts it in" {
	local comm=mtrss$$ kb bytes le lo
	"$WL/comms" --rss $((100 << 20)) "$comm" 1 >"$T/rss"
	kb=$(sed -n 's/.* maxrss_kb \([0-9]*\)/\1/p' "$T/rss")
	bytes=$((kb * 1024))
	[ "$bytes" -ge $((100 << 20)) ]
	# The log2 bucket holding wait4's figure: (le/2, le].
	le=1
	while [ "$le" -lt "$bytes" ]; do le=$((le * 2)); done
	lo=$((le / 2))
	promq "memtrace_process_peak_rss_bytes_count{comm=\"$comm\"}" == 1
	promq "memtrace_process_peak_rss_bytes_bucket{comm=\"$comm\",le=\"$le\"} - ignoring(le) memtrace_process_peak_rss_bytes_bucket{comm=\"$comm\",le=\"$lo\"}" == 1
	promq "memtrace_process_peak_rss_bytes_sum{comm=\"$comm\"}" == "$bytes"
}

# leaker_traced: starts the leaker (waiting for SIGUSR1) under its own
# name, and waits until serve traces it (its series appear); LEAKER_PID.
leaker_traced() {
	"$F/$LEAKER_COMM" -w "$@" >"$T/leaker.out" 2>&1 &
	LEAKER_PID=$!
	for _ in $(seq 200); do
		curl -sf "$SERVE_URL/metrics" | grep -q "memtrace_leak_outstanding_bytes{pid=\"$LEAKER_PID\"" && return 0
		sleep 0.1
	done
	echo "serve did not trace the leaker: $(tail -5 "$F/serve.err")" >&2
	return 1
}

# leaker_done: lets it leak, and waits for its "done".
leaker_done() {
	kill -USR1 "$LEAKER_PID"
	for _ in $(seq 200); do
		grep -q '^done' "$T/leaker.out" && return 0
		sleep 0.05
	done
	return 1
}

# check_raw FILE: the leaker's kinds, as go tool pprof -raw read them:
# each leak_<kind> at its LEAK: line holds its bytes in one allocation.
check_raw() {
	local src=$ROOT/tests/workloads/leaker.c kind line bytes
	for kind in malloc calloc realloc posix_memalign aligned_alloc memalign valloc pvalloc mmap; do
		line=$(grep -n "LEAK:$kind\b" "$src" | cut -d: -f1)
		bytes=30000
		[ "$kind" = pvalloc ] && bytes=32768
		grep -q "^leak_$kind leaker.c:$line .*inuse_objects=1 inuse_space=$bytes " "$1" ||
			{ echo "leak_$kind at line $line: not $bytes bytes in:"; cat "$1"; return 1; }
	done
	grep -q "^leak_mmap .* kind=mmap$" "$1"
	grep -q "^leak_malloc .* kind=heap$" "$1"
}

@test "serve: go tool pprof reads /debug/pprof/heap?pid=N of a process --leak-comm picked up at exec" {
	leaker_traced kinds
	leaker_done
	go tool pprof -top -sample_index=inuse_space -unit=B \
		"$SERVE_URL/debug/pprof/heap?pid=$LEAKER_PID" >"$T/top" 2>"$T/top.err"
	grep -Eq '^ +30000B .* leak_malloc$' "$T/top"
	grep -Eq '^ +32768B .* leak_pvalloc$' "$T/top"
	curl -sf -o "$T/heap.pb.gz" "$SERVE_URL/debug/pprof/heap?pid=$LEAKER_PID"
	go tool pprof -raw "$T/heap.pb.gz" 2>/dev/null | python3 "$ROOT/tests/lib/pprof_raw.py" >"$T/raw"
	check_raw "$T/raw"
	# The mapping's build ID is the file's, as readelf reads it.
	local id
	id=$(readelf -n "$F/$LEAKER_COMM" | sed -n 's/.*Build ID: //p')
	grep -q "^mapping .* $F/$LEAKER_COMM $id " "$T/raw"
	# What it allocated since the start: its frees are not taken off.
	grep -q "^leak_malloc .* alloc_objects=1 alloc_space=100 " "$T/raw"
	# Its metrics, the same bytes (leak_mmap's mapping is the mmap kind).
	promq "memtrace_leak_outstanding_bytes{pid=\"$LEAKER_PID\",kind=\"mmap\"}" '>=' 30000
	kill -TERM "$LEAKER_PID"
	wait "$LEAKER_PID" || true
	# Gone: no longer traced, and its series with it.
	for _ in $(seq 100); do
		curl -s -o /dev/null -w '%{http_code}' "$SERVE_URL/debug/pprof/heap?pid=$LEAKER_PID" | grep -q 404 && break
		sleep 0.1
	done
	curl -s "$SERVE_URL/metrics" >"$T/after"
	! grep -q "pid=\"$LEAKER_PID\"" "$T/after"
	LEAKER_PID=
}

@test "serve: promtool check metrics passes on a scrape where every collector has data" {
	leaker_traced kinds
	leaker_done
	"$WL/comms" --exit 1 mtpt$$ 1 >/dev/null
	curl -sf "$SERVE_URL/metrics" >"$T/scrape"
	kill -TERM "$LEAKER_PID"
	wait "$LEAKER_PID" || true
	LEAKER_PID=
	grep -q '^memtrace_kmalloc_calls_total{callsite=' "$T/scrape"
	grep -q "^memtrace_process_exits_total{comm=\"mtpt$$\",reason=\"exit_nonzero\"} 1$" "$T/scrape"
	grep -q '^memtrace_leak_outstanding_bytes{pid=.*,kind="heap"} [1-9]' "$T/scrape"
	grep -q '^memtrace_build_info{version=' "$T/scrape"
	promtool check metrics <"$T/scrape"
	# And Prometheus, which asks for OpenMetrics, scrapes it without error.
	promq 'up{job="memtrace"}' == 1
	curl -sf -H 'Accept: application/openmetrics-text;version=1.0.0' -D "$T/h" \
		"$SERVE_URL/metrics" >"$T/om"
	grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0' "$T/h"
	[ "$(tail -1 "$T/om")" = "# EOF" ]
	grep -q '^# TYPE memtrace_kmalloc_calls counter$' "$T/om"
	grep -q '^# TYPE memtrace_build info$' "$T/om"
}

@test "serve: bad HTTP is answered (400/404/405/408/431/503/505) or dropped; the next scrape works; RSS flat" {
	local pid r1 r2
	pid=$(cat "$F/serve.pid")
	python3 "$ROOT/tests/lib/http_abuse.py" 127.0.0.1 "${SERVE_URL##*:}" 1
	r1=$(rss_kb "$pid")
	python3 "$ROOT/tests/lib/http_abuse.py" 127.0.0.1 "${SERVE_URL##*:}" 2
	r2=$(rss_kb "$pid")
	echo "rss before $r1 KiB, after 2 more rounds $r2 KiB"
	[ $((r2 * 10)) -lt $((r1 * 11)) ]
	curl -sf "$SERVE_URL/metrics" | grep -q '^memtrace_build_info'
}

@test "serve: GET / lists the endpoints, HEAD has no body, anything else 404" {
	curl -sf "$SERVE_URL/" >"$T/index"
	grep -q '/metrics' "$T/index"
	grep -q '/debug/pprof/heap?pid=N' "$T/index"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$SERVE_URL/metricsx")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$SERVE_URL/metrics")" = 405 ]
	curl -sfI "$SERVE_URL/metrics" >"$T/head"
	grep -q '^HTTP/1.1 200' "$T/head"
	grep -qi '^Content-Length: [1-9]' "$T/head"
}

@test "serve: a long run, compressed: 2,000 scrapes while comms and PIDs churn; RSS within 10%, series bounded" {
	# A serve of its own, with the default bounds.
	start_serve "$T"
	local port=${SERVE_URL##*:} bound r1 r2 series churn
	# More names than the tables keep: full from here on.
	"$WL/comms" mtch 5000 >/dev/null
	(for i in $(seq 20); do "$WL/comms" "mtc$i-" 250 >/dev/null; done) &
	churn=$!
	python3 "$ROOT/tests/lib/scrape_loop.py" 127.0.0.1 "$port" "$SERVE_PID" 2000 >"$T/loop"
	wait "$churn"
	cat "$T/loop"
	r1=$(awk '/^rss_kb_at_100/ {print $2}' "$T/loop")
	r2=$(awk '/^rss_kb_at_end/ {print $2}' "$T/loop")
	series=$(awk '/^max_series/ {print $2}' "$T/loop")
	[ $((r2 * 10)) -lt $((r1 * 11)) ] && [ $((r1 * 10)) -lt $((r2 * 11)) ]
	# The bound the README gives, for the defaults (50 call sites, 50
	# comms each for kmalloc and procs, 50 files, 8 traced processes).
	bound=$((3 * (50 + 1 + 50 + 1) + 4 + 2 * (50 + 1) + (50 + 1) * (67 + 30 + 24) + 8 * 4 + 11 + 10 + 2 + 2 * 64))
	echo "series $series, bound $bound"
	[ "$series" -le "$bound" ]
	kill -TERM "$SERVE_PID"
	wait_tracer
	[ "$TRACER_STATUS" = 0 ]
}

@test "serve: leak --pprof FILE: go tool pprof -top and -raw show each function's bytes" {
	run "$MEMTRACE" leak --pprof "$T/leak.pb.gz" -- "$WL/leaker" kinds
	[ "$status" = 0 ]
	go tool pprof -top -sample_index=inuse_space -unit=B "$T/leak.pb.gz" >"$T/top" 2>/dev/null
	grep -Eq '^ +30000B .* leak_calloc$' "$T/top"
	go tool pprof -raw "$T/leak.pb.gz" 2>/dev/null | python3 "$ROOT/tests/lib/pprof_raw.py" >"$T/raw"
	check_raw "$T/raw"
	local id
	id=$(readelf -n "$WL/leaker" | sed -n 's/.*Build ID: //p')
	grep -q "^mapping .* $WL/leaker $id " "$T/raw"
	# An unwritable place: one line, status 1, no file left behind.
	run "$MEMTRACE" leak --pprof /proc/nope/p.pb.gz -- "$WL/leaker" kinds
	[ "$status" = 1 ]
	[[ $output == *"memtrace leak: cannot write /proc/nope/p.pb.gz: "* ]]
}

@test "serve: leak --pprof FILE in kernel mode: kernel frames in a [kernel] mapping, the eventfds' files held" {
	"$WL/kobjects" eventfd 1000 >"$T/wl.out" &
	local wl=$! id
	for _ in $(seq 100); do grep -q '^ready' "$T/wl.out" && break; sleep 0.05; done
	start_tracer "$T/out" "$T/err" leak --alloc-pid "$wl" --pprof "$T/k.pb.gz"
	kill -USR1 "$wl"
	for _ in $(seq 200); do grep -q '^created' "$T/wl.out" && break; sleep 0.05; done
	stop_tracer
	# Released, then gone: a signal each, once the last is handled (two
	# pending at once would be one).
	kill -USR1 "$wl"
	for _ in $(seq 200); do grep -q '^released' "$T/wl.out" && break; sleep 0.05; done
	kill -USR1 "$wl"
	for _ in $(seq 200); do kill -0 "$wl" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$wl" 2>/dev/null || true
	wait "$wl" || true
	[ "$TRACER_STATUS" = 0 ]
	go tool pprof -raw "$T/k.pb.gz" 2>/dev/null | python3 "$ROOT/tests/lib/pprof_raw.py" >"$T/raw"
	id=$(python3 -c '
import struct
d = open("/sys/kernel/notes", "rb").read(); o = 0
while o + 12 <= len(d):
    n, s, t = struct.unpack_from("<III", d, o); name = o + 12; desc = name + (n + 3) // 4 * 4
    if t == 3 and d[name:name + n] == b"GNU\0": print(d[desc:desc + s].hex()); break
    o = desc + (s + 3) // 4 * 4')
	grep -q "^mapping 1: 0x[0-9a-f]*/0x[0-9a-f]*/0x0 \[kernel\] $id " "$T/raw"
	go tool pprof -top -sample_index=inuse_objects "$T/k.pb.gz" >"$T/top" 2>/dev/null
	# Each eventfd holds a struct file: at least 1000 objects through
	# do_eventfd, of the slab kind.
	awk '$NF ~ /do_eventfd/ && $4 + 0 >= 1000 {ok = 1} END {exit !ok}' "$T/top"
	grep -q 'kind=slab$' "$T/raw"
}

@test "serve: SIGHUP is ignored; SIGTERM and SIGINT stop it with status 0" {
	for sig in TERM INT; do
		start_serve "$T"
		kill -HUP "$SERVE_PID"
		curl -sf "$SERVE_URL/metrics" | grep -q '^memtrace_build_info'
		kill -"$sig" "$SERVE_PID"
		wait_tracer
		[ "$TRACER_STATUS" = 0 ]
		# Nothing left attached: the BPF links went with it.
		! curl -s "$SERVE_URL/" >/dev/null
	done
}

@test "serve: errors: a bad --listen, an address in use, --leak of no process, --json" {
	run "$MEMTRACE" serve --listen :9776
	[ "$status" = 2 ]
	[[ $output == "memtrace serve: invalid value ':9776' for --listen: expected IPV4:PORT or [IPV6]:PORT"* ]]
	run "$MEMTRACE" serve --listen 127.0.0.1:70000
	[ "$status" = 2 ]
	run "$MEMTRACE" serve --listen "${SERVE_URL#http://}"
	[ "$status" = 1 ]
	# EADDRINUSE as the C library words it: musl's, or glibc's.
	[[ $output == *"memtrace serve: cannot listen on ${SERVE_URL#http://}: Address in use"* ||
		$output == *"memtrace serve: cannot listen on ${SERVE_URL#http://}: Address already in use"* ]]
	run "$MEMTRACE" serve --listen 127.0.0.1:0 --leak 4194303
	[ "$status" = 1 ]
	[[ $output == *"memtrace serve: no process with PID 4194303"* ]]
	run "$MEMTRACE" serve --json
	[ "$status" = 2 ]
}

@test "serve: the default address is loopback, and the start-up line says so" {
	run "$MEMTRACE" help serve
	[[ $output == *"default 127.0.0.1:9776"* ]]
	start_serve "$T" --listen "[::1]:0"
	grep -q 'listening on http://\[::1\]:[0-9]*/$' "$T/serve.err"
	kill -TERM "$SERVE_PID"
	wait_tracer
	[ "$TRACER_STATUS" = 0 ]
}

@test "serve: user space runs clean under valgrind (scrapes, a profile, bad HTTP)" {
	MEMTRACE=$MEMTRACE_GLIBC
	TRACER_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --suppressions=$ROOT/tests/valgrind.supp"
	START_SECONDS=120
	"$WL/leaker" -w kinds >"$T/leaker.out" 2>&1 &
	LEAKER_PID=$!
	start_serve "$T" --leak "$LEAKER_PID"
	leaker_done
	"$WL/comms" --exit 2 mtvg$$ 3 >/dev/null
	for _ in 1 2 3; do curl -sf "$SERVE_URL/metrics" >/dev/null; done
	curl -sf -o "$T/p.gz" "$SERVE_URL/debug/pprof/heap?pid=$LEAKER_PID"
	curl -s "$SERVE_URL/nope" >/dev/null
	printf 'GARBAGE\r\n\r\n' | timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(sys.stdin.buffer.read()); s.recv(100)' "${SERVE_URL##*:}"
	kill -TERM "$LEAKER_PID"
	wait "$LEAKER_PID" || true
	LEAKER_PID=
	# SIGINT: under valgrind, a SIGTERM ends any program with 143 (procs
	# too), before its handler runs.
	stop_tracer
	! grep -q "^==" "$T/serve.err"
	[ "$TRACER_STATUS" = 0 ]
	go tool pprof -top "$T/p.gz" 2>/dev/null | grep -q leak_malloc
}

# metric NAME: its value in a scrape of serve now.
metric() {
	curl -sf "$SERVE_URL/metrics" | awk -v n="$1" '$1 == n {print $2}'
}

@test "serve: page cache totals: a file read in raises added, evicted raises removed, by at least its pages" {
	local f=$ROOT/.output/tests/serve-pc.$$ a0 a1 r0 r1 pages
	dd if=/dev/urandom of="$f" bs=1M count=8 status=none
	sync "$f"
	python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$f"
	[ "$(fincore --bytes --raw --noheadings --output RES "$f")" = 0 ]
	a0=$(metric memtrace_pagecache_added_pages_total)
	cat "$f" >/dev/null
	a1=$(metric memtrace_pagecache_added_pages_total)
	# What the kernel says is cached now (mincore), in pages.
	pages=$(( $(fincore --bytes --raw --noheadings --output RES "$f") / $(getconf PAGESIZE) ))
	echo "added $a0 -> $a1, file's pages cached $pages"
	[ "$pages" -gt 0 ] && [ $((a1 - a0)) -ge "$pages" ]
	r0=$(metric memtrace_pagecache_removed_pages_total)
	python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$f"
	[ "$(fincore --bytes --raw --noheadings --output RES "$f")" = 0 ]
	r1=$(metric memtrace_pagecache_removed_pages_total)
	echo "removed $r0 -> $r1"
	rm -f "$f"
	[ $((r1 - r0)) -ge "$pages" ]
}

# pc_file_series SCRAPE PATH: checks one scrape's per-file page cache
# families (each label value once, one "other", their sum the counted
# total of the same scrape) and prints PATH's added and removed.
pc_file_series() {
	python3 - "$1" "$2" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
def unescape(v):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)
got = []
for op in ("added", "removed"):
    fam = "memtrace_pagecache_file_%s_pages_total" % op
    series = {}
    for line in lines:
        m = re.fullmatch(fam + r'\{path="((?:[^"\\]|\\.)*)"\} (\d+)', line)
        if m:
            path = unescape(m.group(1))
            assert path not in series, "two series of %s in %s" % (path, fam)
            series[path] = int(m.group(2))
    counted = [int(l.split()[1]) for l in lines
               if l.startswith("memtrace_pagecache_counted_%s_pages_total " % op)]
    assert len(counted) == 1, counted
    assert "other" in series, fam
    assert sum(series.values()) == counted[0], (fam, sum(series.values()), counted[0])
    assert sys.argv[2] in series, "%s: no series of %s among %d" % (fam, sys.argv[2], len(series))
    got.append(series[sys.argv[2]])
print(*got)
PY
}

# pc_write_evict FILE PAGES: FILE made anew with PAGES pages (written,
# fsync'ed), then evicted; checked with mincore.
pc_write_evict() {
	"$WL/pages" fill "$1" $(($2 * $(getconf PAGESIZE)))
	"$WL/pages" drop "$1" 0 0
	"$WL/pages" count "$1" >"$T/count"
	cat "$T/count"
	grep -q " pages=$2 mincore=0 " "$T/count"
}

# pc_file_is FILE N: a scrape whose per-file families pass pc_file_series,
# FILE's added and removed N each.
pc_file_is() {
	local got
	curl -sf "$SERVE_URL/metrics" >"$T/scrape"
	got=$(pc_file_series "$T/scrape" "$1")
	echo "$1: added, removed: $got; $2 each written and evicted"
	[ "$got" = "$2 $2" ]
}

@test "serve: page cache per file: a file written then evicted, deleted, made again: its pages exactly, one series; the family sums to the counted total" {
	local f=$T/mtpcf$$
	pc_write_evict "$f" 4096
	pc_file_is "$f" 4096
	# Another file in its place: the deleted one's row and its own, one
	# label value.
	rm "$f"
	pc_write_evict "$f" 1024
	pc_file_is "$f" 5120
	# The table of files, as the health families say.
	grep -q '^memtrace_map_capacity{map="pagecache_files"} 16384$' "$T/scrape"
	grep -q '^memtrace_map_entries{map="pagecache_files"} [1-9]' "$T/scrape"
	grep -q '^memtrace_events_lost_total{collector="pagecache",reason="folio_not_found"} [0-9]' "$T/scrape"
	# Prometheus reads them as counters; deleted, they stay.
	rm "$f"
	promq "memtrace_pagecache_file_added_pages_total{path=\"$f\"}" == 5120
	promq "memtrace_pagecache_file_removed_pages_total{path=\"$f\"}" == 5120
}
