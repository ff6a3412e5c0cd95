/* SPDX-License-Identifier: GPL-2.0 */
/* What serve's files share (serve.c, routes.c, health.c): its state. */
#ifndef MEMTRACE_SERVE_PRIV_H
#define MEMTRACE_SERVE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include "serve/exits.h"
#include "serve/server.h"

struct serve_opts;
struct kmalloc_collector;
struct procs_collector;
struct ring_buffer;
struct leaks;
struct serve_pagecache;
struct ksyms;
struct metrics;

struct serve {
	const struct serve_opts *o;
	int epfd;
	struct ksyms *ksyms;		/* kmalloc's call sites by name */
	struct kmalloc_collector *km;
	struct procs_collector *pr;
	struct ring_buffer *pr_rb;
	struct ev_src pr_src;		/* pr_rb's epoll fd */
	struct exits exits;
	struct leaks *leaks;
	struct serve_pagecache *pc;
	struct http_server *http;
	size_t km_used[2];		/* rows in kmalloc's tables, at the
					 * last scrape */
};

/* routes.c: what each path answers. */
void serve_route(void *ctx, const struct http_request *r,
		 struct http_response *resp);
/* Reads what waits in every ring buffer. */
void serve_poll(struct serve *s);

/* health.c: memtrace's own metrics; started: when the scrape began. */
void health_write(struct serve *s, struct metrics *m, uint64_t started);

#endif /* MEMTRACE_SERVE_PRIV_H */
