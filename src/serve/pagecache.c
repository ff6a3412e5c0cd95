// SPDX-License-Identifier: GPL-2.0
/* serve's page cache (see serve/pagecache.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "filecache/wcollector.h"
#include "serve/pagecache.h"
#include "serve/pcmetrics.h"
#include "serve/server.h"

/* Files' names: at most FCW_PATH_MAX bytes each, read every 100 ms. */
#define PC_RINGBUF (1 << 22)

struct serve_pagecache {
	struct ev_src src;		/* rb's epoll fd; first: epoll's
					 * data.ptr is the struct's */
	struct fcw_collector *c;
	struct ring_buffer *rb;
	uint32_t max_files;
	size_t files;			/* at the last scrape */
	struct fcw_losses lost;
};

static int on_event(void *ctx, void *data, size_t size)
{
	return fcw_collector_on_event(ctx, data, size);
}

static void ready(struct ev_src *src, uint32_t events)
{
	(void)events;
	pagecache_poll((struct serve_pagecache *)src);
}

struct serve_pagecache *pagecache_open(uint32_t max_files, int epfd)
{
	struct fcw_config cfg = { .max_files = max_files, .ringbuf_size = PC_RINGBUF };
	struct serve_pagecache *p = calloc(1, sizeof(*p));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = p };

	if (!p) {
		log_err("out of memory");
		return NULL;
	}
	p->src.ready = ready;
	p->max_files = max_files;
	p->c = fcw_collector_open(&cfg);
	if (!p->c) {
		pagecache_close(p);
		return NULL;
	}
	p->rb = ring_buffer__new(fcw_collector_events_fd(p->c), on_event, p->c, NULL);
	if (!p->rb ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(p->rb), &ev)) {
		log_err("cannot set up the ring buffer: %s", strerror(errno));
		pagecache_close(p);
		return NULL;
	}
	return p;
}

void pagecache_close(struct serve_pagecache *p)
{
	if (!p)
		return;
	ring_buffer__free(p->rb);
	fcw_collector_close(p->c);
	free(p);
}

void pagecache_poll(struct serve_pagecache *p)
{
	ring_buffer__consume(p->rb);
}

void pagecache_metrics(struct serve_pagecache *p, struct metrics *m,
		       size_t top)
{
	struct fcw_snapshot s;
	int err;

	err = fcw_collector_snapshot(p->c, &s);
	if (err) {
		/* The totals are read whatever befell the rows: every file
		 * in "other" for this scrape. */
		struct fcw_snapshot counts = { .t = s.t, .l = s.l };

		log_warn("page cache: reading the kernel's table of files: %s",
			 strerror(-err));
		fcw_snapshot_free(&s);
		s = counts;
	} else {
		p->files = s.nfiles;
	}
	p->lost = s.l;
	pcmetrics_write(&s, m, top);
	fcw_snapshot_free(&s);
}

void pagecache_table(const struct serve_pagecache *p, uint64_t *entries,
		     uint64_t *cap)
{
	*entries = p->files;
	*cap = p->max_files;
}

void pagecache_losses(const struct serve_pagecache *p, struct fcw_losses *l)
{
	*l = p->lost;
}

struct bpf_object *pagecache_object(const struct serve_pagecache *p)
{
	return fcw_collector_object(p->c);
}
