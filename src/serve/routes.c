// SPDX-License-Identifier: GPL-2.0
/* serve: what each path answers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/loop.h"
#include "serve/kmetrics.h"
#include "serve/leaks.h"
#include "serve/metrics.h"
#include "serve/pagecache.h"
#include "serve/serve.h"
#include "serve/serve_priv.h"
#include "util/parse.h"

static const char index_text[] =
	"memtrace serve\n"
	"\n"
	"  /metrics                  Prometheus text 0.0.4, or OpenMetrics 1.0 when\n"
	"                            Accept asks for it\n"
	"  /debug/pprof/heap?pid=N   heap profile (gzipped pprof) of a process traced\n"
	"                            with --leak or --leak-comm\n";

static void metrics_page(struct serve *s, const struct http_request *r,
			 struct http_response *resp)
{
	uint64_t started = mono_ns();
	bool om = r->accept && http_accepts_openmetrics(r->accept, r->accept_len);
	struct metrics m;

	serve_poll(s);
	metrics_init(&m, om);
	kmetrics_write(s->km, s->ksyms, &m, s->o->kmalloc_callsites,
		       s->o->kmalloc_comms, s->km_used);
	exits_metrics(&s->exits, &m, s->o->procs_comms);
	pagecache_metrics(s->pc, &m, s->o->pagecache_files);
	leaks_metrics(s->leaks, &m);
	health_write(s, &m, started);
	metrics_end(&m);
	if (m.oom) {
		metrics_free(&m);
		http_text(resp, 503, "out of memory\n");
		return;
	}
	resp->status = 200;
	resp->content_type = om ? METRICS_CONTENT_TYPE_OM : METRICS_CONTENT_TYPE_TEXT;
	resp->body = m.buf;
	resp->len = m.len;
}

static void heap_page(struct serve *s, const struct http_request *r,
		      struct http_response *resp)
{
	char arg[16], msg[160];
	const char *v;
	size_t len;
	pid_t pid;
	uint8_t *buf;
	int err;

	if (!http_query(r, "pid", &v, &len) || len >= sizeof(arg)) {
		http_text(resp, 400, "expected ?pid=N, N a process traced with --leak or --leak-comm\n");
		return;
	}
	memcpy(arg, v, len);
	arg[len] = '\0';
	if (parse_pid(arg, &pid)) {
		http_text(resp, 400, "pid: expected a process id\n");
		return;
	}
	err = leaks_profile(s->leaks, pid, &buf, &len);
	if (err) {
		snprintf(msg, sizeof(msg), err == -ENOENT ?
			 "process %d is not traced (--leak, --leak-comm)\n" :
			 "process %d: cannot make its profile: %s\n", pid,
			 strerror(-err));
		http_text(resp, err == -ENOENT ? 404 : 503, msg);
		return;
	}
	resp->status = 200;
	resp->content_type = "application/octet-stream";
	resp->extra = "Content-Disposition: attachment; filename=\"heap.pb.gz\"\r\n";
	resp->body = (char *)buf;
	resp->len = len;
}

static bool path_is(const struct http_request *r, const char *path)
{
	size_t n = http_path_len(r);

	return n == strlen(path) && !memcmp(r->target, path, n);
}

void serve_route(void *ctx, const struct http_request *r,
		 struct http_response *resp)
{
	struct serve *s = ctx;

	if (path_is(r, "/"))
		http_text(resp, 200, index_text);
	else if (path_is(r, "/metrics"))
		metrics_page(s, r, resp);
	else if (path_is(r, "/debug/pprof/heap"))
		heap_page(s, r, resp);
	else
		http_text(resp, 404, "not found; GET / lists what there is\n");
}
