// SPDX-License-Identifier: GPL-2.0
/* memtrace serve: its options and what its help and man page say. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "core/log.h"
#include "serve/serve.h"
#include "util/parse.h"

#define F(field) offsetof(struct serve_opts, field)

#define G_HTTP "Listening"
#define G_BOUNDS "Cardinality"
#define G_LEAK "Heap profiles"

/* ADDR:PORT, [ADDR6]:PORT: an address spelled out (no ":PORT" alone, so
 * that all interfaces are never opened by leaving a word out). */
static int parse_listen(const char *v, struct serve_opts *o)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&o->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&o->addr;
	const char *colon = strrchr(v, ':');
	char host[64];
	uint64_t port;
	size_t n;

	if (!colon || colon == v || parse_u64(colon + 1, 0, 65535, &port))
		return -EINVAL;
	n = colon - v;
	if (v[0] == '[') {
		if (n < 3 || v[n - 1] != ']' || n - 2 >= sizeof(host))
			return -EINVAL;
		memcpy(host, v + 1, n - 2);
		host[n - 2] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		o->addrlen = sizeof(*in6);
		return inet_pton(AF_INET6, host, &in6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, v, n);
	host[n] = '\0';
	in4->sin_family = AF_INET;
	in4->sin_port = htons(port);
	o->addrlen = sizeof(*in4);
	return inet_pton(AF_INET, host, &in4->sin_addr) == 1 ? 0 : -EINVAL;
}

static int opt_listen(const struct mt_opt *o, const char *v, void *opts)
{
	(void)o;
	if (parse_listen(v, opts))
		return args_bad_value("--listen", v, -EINVAL,
				      "expected IPV4:PORT or [IPV6]:PORT, e.g. 127.0.0.1:9776 or 0.0.0.0:9776");
	((struct serve_opts *)opts)->listen = v;
	return 0;
}

static int opt_leak_pid(const struct mt_opt *o, const char *v, void *opts)
{
	struct serve_opts *s = opts;
	pid_t pid;

	(void)o;
	if (parse_pid(v, &pid))
		return args_bad_value("--leak", v, -EINVAL,
				      "expected a process id, from 1 to 2147483647");
	if (s->nleak_pids == SERVE_MAX_TARGETS)
		return args_bad_value("--leak", v, -ERANGE, "at most 16 of them");
	s->leak_pids[s->nleak_pids++] = pid;
	return 0;
}

static int opt_leak_comm(const struct mt_opt *o, const char *v, void *opts)
{
	struct serve_opts *s = opts;

	(void)o;
	if (s->nleak_comms == SERVE_MAX_TARGETS)
		return args_bad_value("--leak-comm", v, -ERANGE, "at most 16 of them");
	if (arg_comm("--leak-comm", v, s->leak_comms[s->nleak_comms], MT_COMM_LEN) >= 0)
		return 2;
	s->nleak_comms++;
	return 0;
}

static const struct mt_opt options[] = {
	{ .name = "listen", .short_name = 'l', .arg = "ADDR:PORT", .group = G_HTTP,
	  .help = "where to answer HTTP (default " SERVE_DEFAULT_LISTEN ");\n"
		  "another host reaches it only at an address spelled\n"
		  "out here (0.0.0.0:9776, [::]:9776); port 0 picks one",
	  .parse = opt_listen, .offset = F(listen) },
	{ .name = "kmalloc-callsites", .arg = "N", .group = G_BOUNDS,
	  .help = "kmalloc call sites with their own series (default 50;\n"
		  "the others are summed as callsite=\"other\")",
	  .parse = opt_count, .offset = F(kmalloc_callsites), .min = 1, .max = 10000 },
	{ .name = "kmalloc-comms", .arg = "N", .group = G_BOUNDS,
	  .help = "command names with their own kmalloc series (default 50)",
	  .parse = opt_count, .offset = F(kmalloc_comms), .min = 1, .max = 10000 },
	{ .name = "procs-comms", .arg = "N", .group = G_BOUNDS,
	  .help = "command names with their own exit series (default 50)",
	  .parse = opt_count, .offset = F(procs_comms), .min = 1, .max = 10000 },
	{ .name = "pagecache-files", .arg = "N", .group = G_BOUNDS,
	  .help = "files with their own page cache series (default 50;\n"
		  "the others are summed as path=\"other\")",
	  .parse = opt_count, .offset = F(pagecache_files), .min = 1, .max = 10000 },
	{ .name = "pagecache-max-files", .arg = "N", .group = G_BOUNDS,
	  .help = "files the kernel keeps page cache counts of (default\n"
		  "16384); events of others count in \"other\" only",
	  .parse = opt_count, .offset = F(pagecache_max_files), .min = 1,
	  .max = 1 << 20 },
	{ .name = "leak", .arg = "PID", .group = G_LEAK,
	  .help = "trace process PID's allocations (repeatable, up to 16)",
	  .parse = opt_leak_pid },
	{ .name = "leak-comm", .arg = "COMM", .group = G_LEAK,
	  .help = "trace the processes named COMM, running now or that\n"
		  "exec later (repeatable, up to 16)",
	  .parse = opt_leak_comm },
	{ .name = "leak-max-procs", .arg = "N", .group = G_LEAK,
	  .help = "processes traced at once (default 8)",
	  .parse = opt_count, .offset = F(leak_max_procs), .min = 1, .max = 64 },
	{ .name = "leak-max-allocs", .arg = "N", .group = G_LEAK,
	  .help = "outstanding allocations kept per process (default 65536)",
	  .parse = opt_count, .offset = F(leak_max_allocs), .min = 1024,
	  .max = 1 << 24 },
	{ 0 },
};

static void defaults(void *opts)
{
	struct serve_opts *o = opts;

	parse_listen(SERVE_DEFAULT_LISTEN, o);
	o->listen = SERVE_DEFAULT_LISTEN;
	o->kmalloc_callsites = 50;
	o->kmalloc_comms = 50;
	o->procs_comms = 50;
	o->pagecache_files = 50;
	o->pagecache_max_files = 16384;
	o->leak_max_procs = 8;
	o->leak_max_allocs = 65536;
}

static int check(void *opts, const struct mt_opt_seen *seen, char **rest,
		 int nrest)
{
	struct serve_opts *o = opts;

	(void)seen, (void)rest, (void)nrest;
	if (o->common.json)
		return log_usage("--json: serve answers HTTP; its formats are Prometheus's and pprof's");
	return 0;
}

#define ENDPOINTS \
	"  GET /                         the endpoints\n" \
	"  GET /metrics                  Prometheus text 0.0.4, or OpenMetrics 1.0\n" \
	"                                when Accept asks for it\n" \
	"  GET /debug/pprof/heap?pid=N   a heap profile of a process traced with\n" \
	"                                --leak or --leak-comm (gzipped pprof)\n"

static const struct mt_man_section man[] = {
	{ "ENDPOINTS",
	  "Only GET and HEAD; anything else is answered 405, an unknown path 404.\n"
	  "\n" ENDPOINTS },
	{ "METRICS",
	  "memtrace_kmalloc_calls_total, memtrace_kmalloc_requested_bytes_total and "
	  "memtrace_kmalloc_allocated_bytes_total by callsite and, in other series, "
	  "by comm; memtrace_process_exits_total{comm,reason}, the histograms "
	  "memtrace_process_lifetime_seconds and memtrace_process_peak_rss_bytes "
	  "by comm; memtrace_pagecache_added_pages_total and "
	  "memtrace_pagecache_removed_pages_total, system-wide, "
	  "memtrace_pagecache_counted_added_pages_total and "
	  "memtrace_pagecache_counted_removed_pages_total, the pages counted to a "
	  "file, and memtrace_pagecache_file_added_pages_total and "
	  "memtrace_pagecache_file_removed_pages_total{path}, by file, the files "
	  "ranked by pages added and removed since serve started; "
	  "memtrace_leak_outstanding_bytes and "
	  "memtrace_leak_outstanding_allocations{pid,comm,kind}; and memtrace's own "
	  "health: memtrace_events_lost_total, memtrace_map_entries, "
	  "memtrace_map_capacity, memtrace_scrape_duration_seconds, "
	  "memtrace_build_info and, when kernel.bpf_stats_enabled is 1, "
	  "memtrace_bpf_run_seconds_total and memtrace_bpf_runs_total by program. "
	  "Each family keeps its top N label values by size (the options above) and "
	  "sums the rest as \"other\", so that totals stay exact and series bounded." },
	{ "PAGE CACHE",
	  "The page cache is counted by filecache --watch's collector over every "
	  "file, in base pages, since serve started. The counted totals fall short "
	  "of the system-wide ones by the pages no file could be found for "
	  "(reason=\"folio_not_found\"). Each per-file family sums to its counted "
	  "total exactly: the top --pagecache-files files by pages added plus "
	  "removed, and path=\"other\". A file's label is its name as "
	  "filecache --watch shows it, unquoted and without \"(deleted)\" "
	  "(\"(no name: inode N on MAJ:MIN)\" without one); rows of one label are "
	  "one series (a file deleted and the one made in its place). The kernel "
	  "keeps --pagecache-max-files files: a file first seen after the table is "
	  "full counts in \"other\" only, exactly (memtrace_map_entries and "
	  "memtrace_map_capacity{map=\"pagecache_files\"} say how full it is). "
	  "A file that enters the top N leaves \"other\", which Prometheus reads "
	  "as a counter reset of \"other\" alone." },
	{ "SIGNALS",
	  "SIGTERM and SIGINT stop it cleanly (BPF links detached, sockets closed, "
	  "exit 0). SIGHUP is ignored." },
	{ "EXIT STATUS",
	  "0 after SIGTERM or SIGINT, 1 when it cannot start (the address is taken, "
	  "a hook cannot be attached), 2 on a usage error." },
	{ "EXAMPLES",
	  "  memtrace serve                                 127.0.0.1:9776\n"
	  "  memtrace serve --listen 0.0.0.0:9776 --leak-comm nginx" },
	{ NULL, NULL },
};

const struct mt_cli serve_cli = {
	.name = "serve",
	.summary = "all collectors at once, for Prometheus (/metrics) and pprof readers",
	.synopsis = "serve [--listen ADDR:PORT] [options]",
	.description =
		"Load the kmalloc, procs, page cache and (for the processes named) leak\n"
		"collectors once, and answer HTTP: metrics for Prometheus, heap profiles\n"
		"for go tool pprof, Parca and Pyroscope. Runs in the foreground until\n"
		"SIGTERM or SIGINT.\n",
	.opts = options,
	.common_group = G_HTTP,
	.json_help = "not taken: serve's formats are Prometheus's and pprof's",
	.positional = MT_POS_NONE,
	.help_tail =
		"Endpoints:\n" ENDPOINTS
		"\n"
		"Examples:\n"
		"  memtrace serve                                 127.0.0.1:9776\n"
		"  memtrace serve --listen 0.0.0.0:9776 --leak-comm nginx\n",
	.man = man,
	.opts_size = sizeof(struct serve_opts),
	.defaults = defaults,
	.check = check,
};
