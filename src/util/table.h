/* SPDX-License-Identifier: GPL-2.0 */
/* Aligned text tables, a line per write. */
#ifndef MEMTRACE_UTIL_TABLE_H
#define MEMTRACE_UTIL_TABLE_H

#include <stdbool.h>
#include <stdio.h>

/* Aligned columns; the last column is not padded. */
struct col {
	const char *name;
	int width;
	bool right;		/* right-aligned (numbers) */
};

void table_header(FILE *f, const struct col *cols, int n);
void table_row(FILE *f, const struct col *cols, int n,
	       const char *const *cells);

#endif /* MEMTRACE_UTIL_TABLE_H */
