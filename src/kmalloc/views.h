/* SPDX-License-Identifier: GPL-2.0 */
/* kmalloc's views: what a person (text) or a script (JSON) reads of the
 * collector's events, rows, histograms and totals. */
#ifndef MEMTRACE_KMALLOC_VIEWS_H
#define MEMTRACE_KMALLOC_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kmalloc/collector.h"
#include "util/json.h"

enum kmalloc_sort { KMALLOC_SORT_BYTES, KMALLOC_SORT_CALLS, KMALLOC_SORT_WASTE };

/* The names of enum kmalloc_by and enum kmalloc_sort, NULL-ended. */
extern const char *const kmalloc_by_names[];
extern const char *const kmalloc_sort_names[];

#define KMALLOC_SYM_CACHE 4096	/* call sites: power of 2 */
#define KMALLOC_GFP_CACHE 64	/* GFP values: power of 2 */

/* A formatted string for a value that repeats: a call site, a GFP mask. */
struct kmalloc_str_cache {
	uint64_t key;
	char str[96];
	bool used;
};

struct ksyms;

struct kmalloc_view {
	bool json_out;
	enum kmalloc_by by;
	enum kmalloc_sort sort;
	uint64_t top;			/* rows shown */
	struct ksyms *ksyms;		/* NULL: call sites as addresses */
	struct json json;
	uint64_t events;
	struct kmalloc_str_cache syms[KMALLOC_SYM_CACHE];
	struct kmalloc_str_cache gfps[KMALLOC_GFP_CACHE];
};

void kmalloc_view_init(struct kmalloc_view *v, bool json, enum kmalloc_by by,
		       enum kmalloc_sort sort, uint64_t top);
/* Reads the kernel's symbols for call sites, or warns why they will be
 * shown as addresses. */
void kmalloc_view_load_symbols(struct kmalloc_view *v);
/* The stream's header (text only). */
void kmalloc_view_header(struct kmalloc_view *v);
/* One ring-buffer record: 0, or a failed write's negative errno. */
int kmalloc_view_event(struct kmalloc_view *v, const void *data, size_t size);
/* The --top table: rows (sorted here) as the collector read them. */
void kmalloc_view_top(struct kmalloc_view *v, struct kmalloc_row *rows,
		      size_t n, const char *when);
/* The --hist histograms, slots as kmalloc_collector_hists() fills them. */
void kmalloc_view_hist(struct kmalloc_view *v, const uint64_t *slots,
		       const char *when);
/* The end of a stream: its events and losses. */
void kmalloc_view_stream_summary(struct kmalloc_view *v,
				 const struct kmalloc_losses *l);
/* The end of a report of the aggregates: totals and losses (in text, and
 * a blank line before the next report). */
void kmalloc_view_summary(struct kmalloc_view *v, const struct kmalloc_stats *t,
			  const struct kmalloc_losses *l, const char *when);
void kmalloc_view_free(struct kmalloc_view *v);

#endif /* MEMTRACE_KMALLOC_VIEWS_H */
