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

#define TOPN_OTHER "other"

/*
 * Orders the n rows (size bytes each, at base) so that the ones to show
 * come first, heaviest first by weight(row); returns how many (at most
 * top). A row whose label is "other" itself is never shown on its own:
 * its series would be the sum's.
 */
size_t topn_select(void *base, size_t n, size_t size, size_t top,
		   uint64_t (*weight)(const void *row),
		   const char *(*label)(const void *row));

#endif /* MEMTRACE_SERVE_TOPN_H */
