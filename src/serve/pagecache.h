/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve's page cache: filecache --watch's collector over every file (no
 * filters), its table of files bounded by --pagecache-max-files, its ring
 * buffer of files' names read in serve's event loop.
 */
#ifndef MEMTRACE_SERVE_PAGECACHE_H
#define MEMTRACE_SERVE_PAGECACHE_H

#include <stddef.h>
#include <stdint.h>

struct serve_pagecache;
struct bpf_object;
struct fcw_losses;
struct metrics;

/* NULL after an error naming what failed. epfd: serve's epoll set. */
struct serve_pagecache *pagecache_open(uint32_t max_files, int epfd);
void pagecache_close(struct serve_pagecache *p);
/* Reads the names waiting in the ring buffer. */
void pagecache_poll(struct serve_pagecache *p);

/* The page cache's families (serve/pcmetrics.h), top files each. */
void pagecache_metrics(struct serve_pagecache *p, struct metrics *m,
		       size_t top);
/* At the last pagecache_metrics(): the rows of the table of files, and
 * the collector's losses. */
void pagecache_table(const struct serve_pagecache *p, uint64_t *entries,
		     uint64_t *cap);
void pagecache_losses(const struct serve_pagecache *p, struct fcw_losses *l);
struct bpf_object *pagecache_object(const struct serve_pagecache *p);

#endif /* MEMTRACE_SERVE_PAGECACHE_H */
