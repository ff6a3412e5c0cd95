// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "util/table.h"

/* Appends s, padded to the column's width, to buf (of cap bytes). */
static size_t put_cell(char *buf, size_t len, size_t cap, const struct col *c,
		       const char *s, bool last)
{
	size_t n = strlen(s), pad = c->width > 0 && (size_t)c->width > n ?
					    c->width - n : 0;

	if (last && !c->right)
		pad = 0;
	/* What does not fit is cut, and marked: never dropped silently. */
	if (len + pad + n >= cap) {
		if (len + 4 >= cap)
			return len;
		pad = 0;
		n = cap - len - 4;
		memcpy(buf + len, s, n);
		memcpy(buf + len + n, "...", 3);
		return len + n + 3;
	}
	if (c->right) {
		memset(buf + len, ' ', pad);
		len += pad;
	}
	memcpy(buf + len, s, n);
	len += n;
	if (!c->right) {
		memset(buf + len, ' ', pad);
		len += pad;
	}
	return len;
}

/* The line is built in memory and written at once: one call per line. */
static void put_row(FILE *f, const struct col *cols, int n,
		    const char *const *cells)
{
	char buf[8192];
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		if (i && len + 1 < sizeof(buf))
			buf[len++] = ' ';
		len = put_cell(buf, len, sizeof(buf), &cols[i],
			       cells[i] ? cells[i] : "", i == n - 1);
	}
	buf[len++] = '\n';
	fwrite_unlocked(buf, 1, len, f);
}

void table_header(FILE *f, const struct col *cols, int n)
{
	const char *names[n];

	for (int i = 0; i < n; i++)
		names[i] = cols[i].name;
	put_row(f, cols, n, names);
}

void table_row(FILE *f, const struct col *cols, int n,
	       const char *const *cells)
{
	put_row(f, cols, n, cells);
}
