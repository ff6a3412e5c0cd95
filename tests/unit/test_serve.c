// SPDX-License-Identifier: GPL-2.0
// Tests for src/serve/: the HTTP request reader, Accept, the metrics
// formats, the top-N selection, the page cache's files and the exit
// table.
#include <stddef.h>
#include <string.h>
#include "serve/exits.h"
#include "serve/httpreq.h"
#include "filecache/wcollector.h"
#include "serve/metrics.h"
#include "serve/pcmetrics.h"
#include "serve/topn.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *req;
	int want;			/* > 0: the head's length (strlen) */
} cases[] = {
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 1 },
	{ "GET /metrics HTTP/1.1\nHost: x\n\n", 1 },
	{ "\r\nGET / HTTP/1.0\r\n\r\n", 1 },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\n", 0 },
	{ "GET /metrics", 0 },
	{ "GARBAGE\r\n\r\n", -400 },
	{ "GET  / HTTP/1.1\r\n\r\n", -400 },
	{ "GET http://h/ HTTP/1.1\r\n\r\n", -400 },
	{ "GET / HTTP/2.0\r\n\r\n", -505 },
	{ "GET / HTTP/1.1x\r\n\r\n", -400 },
	{ "G(T / HTTP/1.1\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nHost : x\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nNo colon\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", -400 },
	{ "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", -400 },
};

static void test_parse(void)
{
	struct http_request r;
	char big[HTTP_MAX_HEAD + 64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int n = http_parse_request(cases[i].req, strlen(cases[i].req), &r);
		int want = cases[i].want == 1 ? (int)strlen(cases[i].req) : cases[i].want;

		ok(n == want, "parse case %zu: %d (want %d)", i, n, want);
	}
	/* Head longer than the limit, complete or not: 431. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	ok(http_parse_request(big, sizeof(big), &r) == -431, "8 KiB of head without its end: 431");
	memcpy(big + sizeof(big) - 4, "\r\n\r\n", 4);
	ok(http_parse_request(big, sizeof(big), &r) == -431, "a complete head over 8 KiB: 431");
}

static void test_fields(void)
{
	const char *req = "HEAD /debug/pprof/heap?x=1&pid=42 HTTP/1.0\r\n"
			  "accept: text/plain\r\nConnection: keep-alive\r\n"
			  "Content-Length: 0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
	struct http_request r;
	const char *v;
	size_t len;
	int n = http_parse_request(req, strlen(req), &r);

	ok(n > 0 && !strncmp(req + n, "GET /", 5), "the next request starts after the head");
	ok(r.method == HTTP_HEAD && r.minor == 0, "HEAD, HTTP/1.0");
	ok(r.keep_alive && !r.has_body, "keep-alive asked for; Content-Length 0 is no body");
	ok(http_path_len(&r) == strlen("/debug/pprof/heap"), "the path ends at '?'");
	ok(http_query(&r, "pid", &v, &len) && len == 2 && !strncmp(v, "42", 2), "pid=42");
	ok(!http_query(&r, "pi", &v, &len), "no parameter 'pi'");
	ok(r.accept && r.accept_len == 10, "Accept, case-insensitive name");
	n = http_parse_request("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 37, &r);
	ok(n == 37 && !r.keep_alive, "HTTP/1.1 with Connection: close");
}

static void test_accept(void)
{
	static const struct { const char *a; bool om; } c[] = {
		{ "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true },
		{ "text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5", false },
		{ "application/openmetrics-text; version=0.0.1", false },
		{ "*/*", false },
		{ "application/openmetrics-text", true },
		{ "text/plain, application/openmetrics-text", false },
		{ "application/openmetrics-text;q=0", false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		ok(http_accepts_openmetrics(c[i].a, strlen(c[i].a)) == c[i].om,
		   "Accept %s: %s", c[i].a, c[i].om ? "OpenMetrics" : "text");
}

static void test_metrics(void)
{
	static const double le[] = { 1, 2 };
	static const uint64_t counts[] = { 1, 0, 2 };
	struct metrics m;

	metrics_init(&m, false);
	metrics_family(&m, "a_total", METRIC_COUNTER, "say \"x\"\\");
	metrics_u64(&m, "a_total", &(struct mlabel){ "comm", "q\"\\\n\xff" }, 1, 7);
	metrics_histogram(&m, "h", NULL, 0, &(struct mhist){ le, counts, 2, 2.5 });
	ok(!strcmp(m.buf, "# HELP a_total say \"x\"\\\\\n# TYPE a_total counter\n"
			  "a_total{comm=\"q\\\"\\\\\\n\xef\xbf\xbd\"} 7\n"
			  "h_bucket{le=\"1\"} 1\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 3\n"
			  "h_sum 2.5\nh_count 3\n"), "text 0.0.4: escaping, UTF-8, cumulative buckets");
	metrics_free(&m);
	metrics_init(&m, true);
	metrics_family(&m, "a_total", METRIC_COUNTER, "say \"x\"");
	metrics_family(&m, "b_info", METRIC_INFO, "i");
	metrics_end(&m);
	ok(!strcmp(m.buf, "# HELP a say \\\"x\\\"\n# TYPE a counter\n"
			  "# HELP b i\n# TYPE b info\n# EOF\n"),
	   "OpenMetrics: names without _total and _info, \\\" in HELP, # EOF");
	metrics_free(&m);
}

struct row {
	const char *name;
	uint64_t w;
};

static uint64_t weight(const void *r)
{
	return ((const struct row *)r)->w;
}

static const char *label(const void *r)
{
	return ((const struct row *)r)->name;
}

static void test_topn(void)
{
	struct row rows[] = { { "a", 1 }, { "other", 100 }, { "c", 5 }, { "b", 5 }, { "d", 9 } };
	size_t n = topn_select(rows, 5, sizeof(rows[0]), 3, weight, label);

	ok(n == 3 && !strcmp(rows[0].name, "d") && !strcmp(rows[1].name, "b") &&
	   !strcmp(rows[2].name, "c"), "top 3 by weight, ties by name, never \"other\"");
	n = topn_select(rows, 5, sizeof(rows[0]), 10, weight, label);
	ok(n == 4, "a row named \"other\" stays in the sum");
}

static void merge(void *into, void *row)
{
	((struct row *)into)->w += ((struct row *)row)->w;
}

static void test_topn_merge(void)
{
	struct row rows[] = { { "b", 1 }, { "a", 2 }, { "b", 4 }, { "c", 8 }, { "a", 16 } };
	size_t n = topn_merge(rows, 5, sizeof(rows[0]), label, merge);
	struct metrics m;

	ok(n == 3 && !strcmp(rows[0].name, "a") && rows[0].w == 18 &&
	   !strcmp(rows[1].name, "b") && rows[1].w == 5 &&
	   !strcmp(rows[2].name, "c") && rows[2].w == 8,
	   "rows of one label summed into one");
	metrics_init(&m, false);
	topn_series(&m, "x_total", "k",
		    &(struct topn_shown){ rows, sizeof(rows[0]), 2, label },
		    offsetof(struct row, w), 40);
	ok(m.buf && !strcmp(m.buf, "x_total{k=\"a\"} 18\nx_total{k=\"b\"} 5\n"
				   "x_total{k=\"other\"} 17\n"),
	   "the rows shown, then what the total leaves");
	metrics_free(&m);
	metrics_init(&m, false);
	topn_series(&m, "x_total", "k",
		    &(struct topn_shown){ rows, sizeof(rows[0]), 1, label },
		    offsetof(struct row, w), 10);
	ok(m.buf && strstr(m.buf, "x_total{k=\"other\"} 0\n"),
	   "a total read short of the rows: \"other\" is 0, not negative");
	metrics_free(&m);
}

/* A file deleted and the one made in its place share a series; a file
 * without a name is named by its inode; the rest is "other". */
static void test_pcmetrics(void)
{
	const uint32_t dev = 8 << 20 | 1;
	struct fcw_file_row files[] = {
		{ .key = { .ino = 10, .dev = dev }, .path = "/a", .flags = FCW_NAME_DELETED,
		  .added = 5, .removed = 5 },
		{ .key = { .ino = 11, .dev = dev }, .path = "/a", .added = 3, .removed = 1 },
		{ .key = { .ino = 1234, .dev = dev }, .flags = FCW_NAME_NO_DENTRY,
		  .removed = 7 },
		{ .key = { .ino = 12, .dev = dev }, .path = "/b", .added = 1 },
	};
	struct fcw_snapshot s = { .files = files, .nfiles = 4,
				  .t = { .added = 11, .removed = 13, .all_added = 12,
					 .all_removed = 13 } };
	struct metrics m;

	metrics_init(&m, false);
	pcmetrics_write(&s, &m, 2);
	ok(m.buf && strstr(m.buf, "memtrace_pagecache_added_pages_total 12\n") &&
	   strstr(m.buf, "memtrace_pagecache_counted_added_pages_total 11\n"),
	   "page cache: system-wide and counted totals");
	ok(m.buf && strstr(m.buf, "\nmemtrace_pagecache_file_added_pages_total{path=\"/a\"} 8\n"
				  "memtrace_pagecache_file_added_pages_total{path=\"(no name: inode 1234 on 8:1)\"} 0\n"
				  "memtrace_pagecache_file_added_pages_total{path=\"other\"} 3\n"),
	   "page cache: rows of one path merged, a row without a name by its inode, the rest in other");
	ok(m.buf && strstr(m.buf, "\nmemtrace_pagecache_file_removed_pages_total{path=\"/a\"} 6\n"
				  "memtrace_pagecache_file_removed_pages_total{path=\"(no name: inode 1234 on 8:1)\"} 7\n"
				  "memtrace_pagecache_file_removed_pages_total{path=\"other\"} 0\n"),
	   "page cache: the same files for removed, ranked by added and removed");
	ok(files[0].path && !strcmp(files[0].path, "/a") && files[2].key.ino == 1234,
	   "page cache: the snapshot's rows left as they were");
	metrics_free(&m);
}

static void test_exits(void)
{
	struct exits x;
	struct procs_exit_event e = { .type = PROCS_EXIT, .lifetime_ns = 3000000000ULL,
				      .self_peak_rss_pages = 25600, .status = 3 << 8 };
	struct metrics m;

	exits_init(&x);
	memcpy(e.comm, "mt-a", 5);
	exits_add(&x, &e);
	e.status = 9;
	exits_add(&x, &e);
	metrics_init(&m, false);
	exits_metrics(&x, &m, 10);
	ok(strstr(m.buf, "memtrace_process_exits_total{comm=\"mt-a\",reason=\"exit_nonzero\"} 1\n") &&
	   strstr(m.buf, "memtrace_process_exits_total{comm=\"mt-a\",reason=\"SIGKILL\"} 1\n"),
	   "a code and a signal, by name");
	/* 3 s is in (2, 4]; 100 MiB (with 4 KiB pages) in (64 MiB, 128 MiB]. */
	ok(strstr(m.buf, "memtrace_process_lifetime_seconds_bucket{comm=\"mt-a\",le=\"2\"} 0\n") &&
	   strstr(m.buf, "memtrace_process_lifetime_seconds_bucket{comm=\"mt-a\",le=\"4\"} 2\n"),
	   "lifetime in its log2 bucket");
	ok(x.page_size != 4096 ||
	   (strstr(m.buf, "memtrace_process_peak_rss_bytes_bucket{comm=\"mt-a\",le=\"67108864\"} 0\n") &&
	    strstr(m.buf, "memtrace_process_peak_rss_bytes_bucket{comm=\"mt-a\",le=\"134217728\"} 2\n")),
	   "peak RSS in its log2 bucket");
	metrics_free(&m);
	exits_free(&x);
}

int main(void)
{
	test_parse();
	test_fields();
	test_accept();
	test_metrics();
	test_topn();
	test_topn_merge();
	test_pcmetrics();
	test_exits();
	return tap_done();
}
