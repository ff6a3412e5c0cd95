/* SPDX-License-Identifier: GPL-2.0 */
/* filecache's views: its rows and summary as a person (text, a table and
 * a vmtouch-like summary) or a script (a JSON object per line) reads them. */
#ifndef MEMTRACE_FILECACHE_VIEWS_H
#define MEMTRACE_FILECACHE_VIEWS_H

#include <stddef.h>
#include "filecache/filecache.h"
#include "filecache/scan.h"
#include "util/text.h"
#include "util/json.h"

struct fc_view {
	const struct fc_opts *o;
	long page_size;
	struct json json;
};

void fc_view_init(struct fc_view *v, const struct fc_opts *o);
/* The rows, sorted and cut as --sort and --top ask (rows are reordered). */
void fc_view_rows(struct fc_view *v, struct fc_row *rows, size_t n);
/* The totals, and (in JSON) how many paths failed. */
void fc_view_summary(struct fc_view *v, const struct fc_totals *t, int errors);
void fc_view_free(struct fc_view *v);

/*
 * A path for a terminal, quoted as text_quote() does ($'...' around
 * control characters: a newline would split a row, an ESC start a
 * terminal's escape sequence), in memory of its own: a path may be of any
 * length. NULL when out of memory.
 */
char *fc_quote_path(const char *path);

#endif /* MEMTRACE_FILECACHE_VIEWS_H */
