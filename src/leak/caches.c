// SPDX-License-Identifier: GPL-2.0
/* leak's kernel mode: outstanding objects and bytes per slab cache. */
#include <stdio.h>
#include <stdlib.h>
#include "leak/caches.h"

/* Groups: a cache's key (a pointer or a name's hash: bit 63 set), else
 * kmalloc by class and size, pages, per-CPU, unnamed caches by size. */
static uint64_t cache_group(const struct leak_item *it)
{
	switch (it->kind) {
	case LEAK_KMEM_CACHE:
		return it->cache ? it->cache : (1ULL << 60) | it->size;
	case LEAK_KMALLOC:
		return (2ULL << 60) | ((uint64_t)it->flags << 40) |
		       (it->size > 8192 ? 0 : it->size);
	case LEAK_PAGES:
		return 3ULL << 60;
	default:
		return 4ULL << 60;
	}
}

static int cmp_row_key(const void *a, const void *b)
{
	const struct leak_cache_row *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static int cmp_row_bytes(const void *a, const void *b)
{
	const struct leak_cache_row *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

void leak_cache_name(struct leak_collector *c, const struct leak_cache_row *row,
		     char *buf, size_t len)
{
	char size[24];

	switch (row->kind) {
	case LEAK_KMEM_CACHE:
		if (!leak_cache_name_read(c, row->cache, buf))
			snprintf(buf, len, "(a cache of %llu-byte objects)",
				 (unsigned long long)row->size);
		buf[len < LEAK_CACHE_NAME_LEN ? len - 1 : LEAK_CACHE_NAME_LEN - 1] = '\0';
		return;
	case LEAK_KMALLOC:
		if (row->size > 8192) {
			snprintf(buf, len, "kmalloc (pages)");
			return;
		}
		if (row->size >= 1024 && !(row->size % 1024))
			snprintf(size, sizeof(size), "%lluk",
				 (unsigned long long)row->size / 1024);
		else
			snprintf(size, sizeof(size), "%llu",
				 (unsigned long long)row->size);
		snprintf(buf, len, "%skmalloc-%s%s",
			 row->flags & LEAK_KMALLOC_DMA ? "dma-" : "",
			 row->flags & LEAK_KMALLOC_CG ? "cg-" :
			 row->flags & LEAK_KMALLOC_RCL ? "rcl-" : "", size);
		return;
	case LEAK_PAGES:
		snprintf(buf, len, "pages");
		return;
	default:
		snprintf(buf, len, "percpu");
	}
}

struct leak_cache_row *leak_cache_rows(const struct leak_snapshot *s, size_t *n)
{
	struct leak_cache_row *rows = calloc(s->nr_items ? s->nr_items : 1,
					     sizeof(*rows));
	size_t m = 0;

	*n = 0;
	if (!rows)
		return NULL;
	for (size_t i = 0; i < s->nr_items; i++) {
		const struct leak_item *it = &s->items[i];

		rows[i] = (struct leak_cache_row){
			.key = cache_group(it), .objects = it->count,
			.bytes = it->size, .size = it->size, .kind = it->kind,
			.flags = it->flags, .cache = it->cache,
		};
	}
	qsort(rows, s->nr_items, sizeof(*rows), cmp_row_key);
	for (size_t i = 0; i < s->nr_items; i++) {
		if (m && rows[m - 1].key == rows[i].key) {
			rows[m - 1].objects += rows[i].objects;
			rows[m - 1].bytes += rows[i].bytes;
		} else {
			rows[m++] = rows[i];
		}
	}
	qsort(rows, m, sizeof(*rows), cmp_row_bytes);
	*n = m;
	return rows;
}
