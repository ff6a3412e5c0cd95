/* SPDX-License-Identifier: GPL-2.0 */
/* leak's kernel mode: a snapshot's allocations by slab cache (--by-cache). */
#ifndef MEMTRACE_LEAK_CACHES_H
#define MEMTRACE_LEAK_CACHES_H

#include <stddef.h>
#include <stdint.h>
#include "leak/snapshot.h"

struct leak_collector;

struct leak_cache_row {
	uint64_t key;
	uint64_t objects, bytes;
	uint64_t size;			/* of the first item: names unnamed ones */
	uint16_t kind, flags;
	uint64_t cache;
};

/* The rows, most bytes first; *n of them. NULL if none or no memory. */
struct leak_cache_row *leak_cache_rows(const struct leak_snapshot *s, size_t *n);
/* SLUB's names: kmalloc-96, kmalloc-1k; kmalloc-cg-*, -rcl-*, dma-*; a
 * kmem_cache's own name. */
void leak_cache_name(struct leak_collector *c, const struct leak_cache_row *row,
		     char *buf, size_t len);

#endif /* MEMTRACE_LEAK_CACHES_H */
