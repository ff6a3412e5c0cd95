/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bounds serve's series: of rows keyed by a label value, the top n
 * by a weight get their own series and the rest are summed under "other",
 * so that the sum over a family's series is still the exact total.
 */
#ifndef MEMTRACE_SERVE_TOPN_H
#define MEMTRACE_SERVE_TOPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct metrics;

#define TOPN_OTHER "other"

/*
 * Sorts the n rows (size bytes each, at base) by label(row) and folds the
 * rows that share a label into the first of them (merge(into, row)), so
 * that each label value is one series; returns how many rows are left.
 */
size_t topn_merge(void *base, size_t n, size_t size,
		  const char *(*label)(const void *row),
		  void (*merge)(void *into, void *row));

/*
 * Orders the n rows (size bytes each, at base) so that the ones to show
 * come first, heaviest first by weight(row); returns how many (at most
 * top). A row whose label is "other" itself is never shown on its own:
 * its series would be the sum's.
 */
size_t topn_select(void *base, size_t n, size_t size, size_t top,
		   uint64_t (*weight)(const void *row),
		   const char *(*label)(const void *row));

/* The rows topn_select() chose, as samples of one family. */
struct topn_shown {
	const void *base;
	size_t size, n;
	const char *(*label)(const void *row);
};

/*
 * name{key="LABEL"} for each row shown, its value the uint64_t at offset
 * value_off in the row, then name{key="other"}: what total leaves.
 */
void topn_series(struct metrics *m, const char *name, const char *key,
		 const struct topn_shown *rows, size_t value_off,
		 uint64_t total);

#endif /* MEMTRACE_SERVE_TOPN_H */
