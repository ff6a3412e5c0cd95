// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "serve/metrics.h"
#include "serve/topn.h"

/* qsort has no context argument: the row's accessors, for one sort. */
static uint64_t (*sort_weight)(const void *row);
static const char *(*sort_label)(const void *row);

static int cmp_label(const void *a, const void *b)
{
	return strcmp(sort_label(a), sort_label(b));
}

size_t topn_merge(void *base, size_t n, size_t size,
		  const char *(*label)(const void *row),
		  void (*merge)(void *into, void *row))
{
	char *rows = base;
	size_t m = 0;

	sort_label = label;
	qsort(base, n, size, cmp_label);
	for (size_t i = 0; i < n; i++) {
		if (m && !strcmp(label(rows + (m - 1) * size), label(rows + i * size)))
			merge(rows + (m - 1) * size, rows + i * size);
		else if (m++ != i)
			memcpy(rows + (m - 1) * size, rows + i * size, size);
	}
	return m;
}

static int rank(const void *row)
{
	return !strcmp(sort_label(row), TOPN_OTHER);
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = sort_weight(a), y = sort_weight(b);

	if (rank(a) != rank(b))
		return rank(a) - rank(b);
	if (x != y)
		return x < y ? 1 : -1;
	/* Ties by label: the same series from one scrape to the next. */
	return strcmp(sort_label(a), sort_label(b));
}

size_t topn_select(void *base, size_t n, size_t size, size_t top,
		   uint64_t (*weight)(const void *row),
		   const char *(*label)(const void *row))
{
	size_t shown = 0;

	sort_weight = weight;
	sort_label = label;
	qsort(base, n, size, cmp);
	while (shown < n && shown < top &&
	       strcmp(label((char *)base + shown * size), TOPN_OTHER))
		shown++;
	return shown;
}

void topn_series(struct metrics *m, const char *name, const char *key,
		 const struct topn_shown *rows, size_t value_off,
		 uint64_t total)
{
	uint64_t rest = total;

	for (size_t i = 0; i < rows->n; i++) {
		const char *row = (const char *)rows->base + i * rows->size;
		uint64_t v;

		memcpy(&v, row + value_off, sizeof(v));
		metrics_u64(m, name, &(struct mlabel){ key, rows->label(row) }, 1, v);
		/* Totals are read after the rows, but an event may be in a
		 * row and not yet in its total: never below 0. */
		rest -= v < rest ? v : rest;
	}
	metrics_u64(m, name, &(struct mlabel){ key, TOPN_OTHER }, 1, rest);
}
