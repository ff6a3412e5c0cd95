// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "serve/topn.h"

/* qsort has no context argument: the row's accessors, for one sort. */
static uint64_t (*sort_weight)(const void *row);
static const char *(*sort_label)(const void *row);

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
