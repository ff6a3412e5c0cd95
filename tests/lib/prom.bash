# SPDX-License-Identifier: GPL-2.0
# A real Prometheus server (Debian's package) and memtrace serve, for the
# serve suite: all on loopback, ports the kernel picks or that are free.

# free_port: a TCP port on 127.0.0.1 that nobody listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_serve DIR ARGS...: memtrace serve on 127.0.0.1 (unless ARGS say
# another --listen), a port of the kernel's choosing, once it is ready;
# SERVE_PID, SERVE_URL (http://HOST:PORT, as its start-up line says).
start_serve() {
	_dir=$1
	shift
	start_tracer "$_dir/serve.out" "$_dir/serve.err" serve --listen 127.0.0.1:0 "$@" ||
		return 1
	SERVE_PID=$TRACER_PID
	SERVE_URL=$(sed -n 's|.*listening on \(http://[^/]*\)/.*|\1|p' "$_dir/serve.err")
	[ -n "$SERVE_URL" ] || { echo "no listening line: $(cat "$_dir/serve.err")" >&2; return 1; }
}

# start_prometheus DIR TARGET: scrapes TARGET (host:port) every second;
# PROM_URL once it says it is ready (at most 60 s), PROM_PID.
start_prometheus() {
	_dir=$1
	_port=$(free_port)
	cat >"$_dir/prometheus.yml" <<EOC
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: memtrace
    static_configs:
      - targets: ['$2']
EOC
	prometheus --config.file="$_dir/prometheus.yml" --storage.tsdb.path="$_dir/tsdb" \
		--web.listen-address="127.0.0.1:$_port" --log.level=warn \
		>"$_dir/prometheus.log" 2>&1 &
	PROM_PID=$!
	PROM_URL=http://127.0.0.1:$_port
	for _ in $(seq 600); do
		curl -sf "$PROM_URL/-/ready" >/dev/null 2>&1 && return 0
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "prometheus did not start: $(tail -5 "$_dir/prometheus.log")" >&2
	return 1
}

# promq QUERY [OP VALUE]: tests/lib/promq.py against PROM_URL.
promq() {
	python3 "$ROOT/tests/lib/promq.py" "$PROM_URL" "$@"
}

# rss_kb PID: VmRSS of a process, in KiB.
rss_kb() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}
