// SPDX-License-Identifier: GPL-2.0
/* serve: the page cache as metrics (see serve/pcmetrics.h). */
#include <stddef.h>
#include <stdlib.h>
#include "filecache/wcollector.h"
#include "filecache/wviews.h"
#include "serve/metrics.h"
#include "serve/pcmetrics.h"
#include "serve/topn.h"

struct pcrow {
	char *label;
	uint64_t added, removed;
};

static uint64_t weight(const void *row)
{
	const struct pcrow *r = row;

	return r->added + r->removed;
}

static const char *label(const void *row)
{
	return ((const struct pcrow *)row)->label;
}

static void merge(void *into, void *row)
{
	struct pcrow *to = into, *r = row;

	to->added += r->added;
	to->removed += r->removed;
	free(r->label);
}

static void rows_free(struct pcrow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].label);
	free(rows);
}

/*
 * s's files, one row a label: the name filecache --watch shows, unquoted
 * (metrics.c escapes it) and without "(deleted) ", which changes in a
 * file's life; *n: how many. NULL when out of memory.
 */
static struct pcrow *labelled(const struct fcw_snapshot *s, size_t *n)
{
	struct pcrow *rows = calloc(s->nfiles + 1, sizeof(*rows));

	*n = 0;
	if (!rows)
		return NULL;
	for (size_t i = 0; i < s->nfiles; i++) {
		rows[i].label = fcw_row_name(&s->files[i], 0);
		if (!rows[i].label) {
			rows_free(rows, i);
			return NULL;
		}
		rows[i].added = s->files[i].added;
		rows[i].removed = s->files[i].removed;
	}
	*n = topn_merge(rows, s->nfiles, sizeof(*rows), label, merge);
	return rows;
}

void pcmetrics_write(const struct fcw_snapshot *s, struct metrics *m,
		     size_t top)
{
	size_t n = 0, shown = 0;
	struct pcrow *rows = labelled(s, &n);
	struct topn_shown t;
	const struct { const char *name, *help; uint64_t v; } totals[] = {
		{ "memtrace_pagecache_added_pages_total",
		  "Pages added to files' page cache, system-wide (base pages).",
		  s->t.all_added },
		{ "memtrace_pagecache_removed_pages_total",
		  "Pages removed from files' page cache, system-wide (base pages).",
		  s->t.all_removed },
		{ "memtrace_pagecache_counted_added_pages_total",
		  "Of those added, the pages counted to a file: the sum of memtrace_pagecache_file_added_pages_total.",
		  s->t.added },
		{ "memtrace_pagecache_counted_removed_pages_total",
		  "Of those removed, the pages counted to a file: the sum of memtrace_pagecache_file_removed_pages_total.",
		  s->t.removed },
	};

	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		metrics_family(m, totals[i].name, METRIC_COUNTER, totals[i].help);
		metrics_u64(m, totals[i].name, NULL, 0, totals[i].v);
	}
	if (rows)
		shown = topn_select(rows, n, sizeof(*rows), top, weight, label);
	t = (struct topn_shown){ rows, sizeof(*rows), shown, label };
	metrics_family(m, "memtrace_pagecache_file_added_pages_total", METRIC_COUNTER,
		       "Pages added to a file's page cache since serve started: the top files by pages added and removed, the others as \"other\".");
	topn_series(m, "memtrace_pagecache_file_added_pages_total", "path", &t,
		    offsetof(struct pcrow, added), s->t.added);
	metrics_family(m, "memtrace_pagecache_file_removed_pages_total", METRIC_COUNTER,
		       "Pages removed from a file's page cache since serve started: the same files, the others as \"other\".");
	topn_series(m, "memtrace_pagecache_file_removed_pages_total", "path", &t,
		    offsetof(struct pcrow, removed), s->t.removed);
	rows_free(rows, n);
}
