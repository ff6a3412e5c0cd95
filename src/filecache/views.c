// SPDX-License-Identifier: GPL-2.0
/* filecache's rows and summary, in text and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "filecache/views.h"
#include "util/fmt.h"
#include "util/json.h"
#include "util/table.h"
#include "util/text.h"

void fc_view_init(struct fc_view *v, const struct fc_opts *o)
{
	*v = (struct fc_view){ .o = o, .page_size = getpagesize() };
}

void fc_view_free(struct fc_view *v)
{
	json_free(&v->json);
}

char *fc_quote_path(const char *path)
{
	size_t n = strlen(path), cap = 4 * n + 4;	/* $'', \xNN a byte */
	char *q = malloc(cap);

	if (q)
		text_quote(q, cap, path, n);
	return q;
}

static double percent(uint64_t cached, uint64_t pages)
{
	/* The last page of a file counts whole: never above 100%. */
	return pages ? 100.0 * (cached < pages ? cached : pages) / pages : 0;
}

static enum fc_sort sort_key;

static int cmp_rows(const void *a, const void *b)
{
	const struct fc_row *x = a, *y = b;
	double px, py;
	int c;

	switch (sort_key) {
	case FC_SORT_CACHED:
		c = x->cached < y->cached ? 1 : x->cached > y->cached ? -1 : 0;
		break;
	case FC_SORT_SIZE:
		c = x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
		break;
	case FC_SORT_PERCENT:
		px = percent(x->cached, x->pages);
		py = percent(y->cached, y->pages);
		c = px < py ? 1 : px > py ? -1 : 0;
		break;
	default:
		c = strcmp(x->path, y->path);
		break;
	}
	/* Ties in the order of the walk: qsort() need not keep it (musl's
	 * does not). */
	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static char *fmt_bytes(const struct fc_view *v, char *buf, size_t len,
		       uint64_t bytes)
{
	if (v->o->bytes) {
		fmt_u64(buf, bytes);
		return buf;
	}
	return fmt_size(buf, len, bytes);
}

/* The fields a row and the summary share, in the same order. */
static void json_counts(struct fc_view *v, uint64_t size, uint64_t pages,
			uint64_t cached)
{
	struct json *j = &v->json;

	json_key_u64(j, "size", size);
	json_key_u64(j, "pages", pages);
	json_key_u64(j, "cached_pages", cached);
	json_key_u64(j, "cached_bytes", cached * v->page_size);
	if (pages)
		json_key_fixed(j, "percent", percent(cached, pages), 3);
	else
		json_key_null(j, "percent");
}

static void row_json(struct fc_view *v, const struct fc_row *row)
{
	struct json *j = &v->json;

	json_begin(j);
	json_key_str(j, "type", row->dir ? "directory" : "file");
	json_key_str(j, "path", row->path);
	json_counts(v, row->size, row->pages, row->cached);
	if (v->o->touch || v->o->evict)
		json_key_u64(j, "cached_pages_before", row->before);
	if (row->has_cs) {
		json_key_u64(j, "dirty_pages", row->cs.nr_dirty);
		json_key_u64(j, "writeback_pages", row->cs.nr_writeback);
		json_key_u64(j, "evicted_pages", row->cs.nr_evicted);
		json_key_u64(j, "recently_evicted_pages",
			     row->cs.nr_recently_evicted);
	}
	json_end(j, stdout);
}

/* The bytes of a path a text row shows at most (--json has it whole). */
#define FC_PATH_SHOWN 4096

/* A row's path as the text shows it: quoted, cut to FC_PATH_SHOWN bytes
 * on a character's boundary, and then ending in "...". */
static char *shown_path(const char *path)
{
	char *q = fc_quote_path(path);
	size_t n = FC_PATH_SHOWN - 3;

	if (!q || strlen(q) <= FC_PATH_SHOWN)
		return q;
	while (n && (q[n] & 0xc0) == 0x80)	/* a UTF-8 continuation */
		n--;
	strcpy(q + n, "...");
	return q;
}

#define FC_MAX_COLS 12

/* The table's columns, as the options ask; returns how many. */
static int text_columns(const struct fc_opts *o, struct col *cols)
{
	int n = 0;

	if (o->touch || o->evict)
		cols[n++] = (struct col){ "BEFORE", 9, true };
	cols[n++] = (struct col){ "CACHED", 9, true };
	cols[n++] = (struct col){ "PAGES", 9, true };
	cols[n++] = (struct col){ "CACHED_SZ", o->bytes ? 12 : 9, true };
	cols[n++] = (struct col){ "SIZE", o->bytes ? 12 : 9, true };
	cols[n++] = (struct col){ "PERCENT", 7, true };
	if (o->detail) {
		cols[n++] = (struct col){ "DIRTY", 7, true };
		cols[n++] = (struct col){ "WRITEBACK", 9, true };
		cols[n++] = (struct col){ "EVICTED", 8, true };
		cols[n++] = (struct col){ "RECENT", 7, true };
	}
	cols[n++] = (struct col){ "PATH", 0, false };
	return n;
}

static void row_text(struct fc_view *v, const struct col *cols, int n,
		     const struct fc_row *row)
{
	const struct fc_opts *o = v->o;
	const char *cells[FC_MAX_COLS];
	char val[FC_MAX_COLS][32];
	char *path = shown_path(row->path);
	int k = 0;

	if (o->touch || o->evict)
		cells[k] = fmt_u64(val[k], row->before), k++;
	cells[k] = fmt_u64(val[k], row->cached), k++;
	cells[k] = fmt_u64(val[k], row->pages), k++;
	cells[k] = fmt_bytes(v, val[k], sizeof(val[k]), row->cached * v->page_size), k++;
	cells[k] = fmt_bytes(v, val[k], sizeof(val[k]), row->size), k++;
	if (row->pages)
		snprintf(val[k], sizeof(val[k]), "%.1f%%",
			 percent(row->cached, row->pages));
	else
		snprintf(val[k], sizeof(val[k]), "-");
	cells[k] = val[k], k++;
	if (o->detail) {
		uint64_t d[4] = { row->cs.nr_dirty, row->cs.nr_writeback,
				  row->cs.nr_evicted, row->cs.nr_recently_evicted };

		for (int m = 0; m < 4; m++, k++) {
			if (row->has_cs)
				fmt_u64(val[k], d[m]);
			else
				snprintf(val[k], sizeof(val[k]), "-");
			cells[k] = val[k];
		}
	}
	cells[k++] = path ? path : "?";
	table_row(stdout, cols, n, cells);
	free(path);
}

void fc_view_rows(struct fc_view *v, struct fc_row *rows, size_t nrows)
{
	const struct fc_opts *o = v->o;
	struct col cols[FC_MAX_COLS];
	size_t shown = nrows;
	int n;

	if (o->sort != FC_SORT_NONE) {
		sort_key = o->sort;
		qsort(rows, nrows, sizeof(*rows), cmp_rows);
	}
	if (o->top && o->top < shown)
		shown = o->top;
	if (o->common.json) {
		for (size_t i = 0; i < shown; i++)
			row_json(v, &rows[i]);
		return;
	}
	n = text_columns(o, cols);
	table_header(stdout, cols, n);
	for (size_t i = 0; i < shown; i++)
		row_text(v, cols, n, &rows[i]);
}

static void summary_json(struct fc_view *v, const struct fc_totals *t,
			 int errors)
{
	struct json *j = &v->json;

	json_begin(j);
	json_key_str(j, "type", "summary");
	json_key_u64(j, "files", t->files);
	json_key_u64(j, "directories", t->dirs);
	json_counts(v, t->size, t->pages, t->cached);
	if (v->o->touch || v->o->evict)
		json_key_u64(j, "cached_pages_before", t->before);
	json_key_u64(j, "errors", errors);
	json_end(j, stdout);
}

void fc_view_summary(struct fc_view *v, const struct fc_totals *t, int errors)
{
	const struct fc_opts *o = v->o;
	char cached[32], size[32], pct[16] = "";
	uint64_t moved = t->cached > t->before ? t->cached - t->before :
						 t->before - t->cached;

	if (o->common.json) {
		summary_json(v, t, errors);
		return;
	}
	if (t->pages)
		snprintf(pct, sizeof(pct), "  %.1f%%", percent(t->cached, t->pages));
	printf("Files: %llu  Directories: %llu  Resident Pages: %llu/%llu  %s/%s%s\n",
	       (unsigned long long)t->files, (unsigned long long)t->dirs,
	       (unsigned long long)t->cached, (unsigned long long)t->pages,
	       fmt_bytes(v, cached, sizeof(cached), t->cached * v->page_size),
	       fmt_bytes(v, size, sizeof(size), t->size), pct);
	if (o->touch || o->evict)
		printf("%s Pages: %llu (%s)\n", o->touch ? "Touched" : "Evicted",
		       (unsigned long long)moved,
		       fmt_bytes(v, cached, sizeof(cached), moved * v->page_size));
}
