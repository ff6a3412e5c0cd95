/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve's page cache totals: base pages added to and removed from files'
 * page cache, system-wide (bpf/serve.bpf.c), through serve's hook chain.
 */
#ifndef MEMTRACE_SERVE_PAGECACHE_H
#define MEMTRACE_SERVE_PAGECACHE_H

#include <stdint.h>

struct serve_pagecache;
struct bpf_object;
struct metrics;

/* NULL after an error naming what could not be hooked. */
struct serve_pagecache *pagecache_open(void);
void pagecache_close(struct serve_pagecache *p);
/* memtrace_pagecache_{added,removed}_pages_total. */
void pagecache_metrics(struct serve_pagecache *p, struct metrics *m);
struct bpf_object *pagecache_object(const struct serve_pagecache *p);

#endif /* MEMTRACE_SERVE_PAGECACHE_H */
