// SPDX-License-Identifier: GPL-2.0
/* serve: kmalloc's tables as metrics (see serve/kmetrics.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kmalloc/collector.h"
#include "serve/kmetrics.h"
#include "serve/metrics.h"
#include "serve/topn.h"
#include "util/ksyms.h"

struct krow {
	char label[64];
	struct kmalloc_stats s;
};

static uint64_t weight(const void *row)
{
	return ((const struct krow *)row)->s.bytes_req;
}

static const char *label(const void *row)
{
	return ((const struct krow *)row)->label;
}

static void merge(void *into, void *row)
{
	struct kmalloc_stats *to = &((struct krow *)into)->s;
	const struct kmalloc_stats *s = &((struct krow *)row)->s;

	to->calls += s->calls;
	to->bytes_req += s->bytes_req;
	to->bytes_alloc += s->bytes_alloc;
}

/* The kernel's rows by label (a function: its call sites summed), the
 * top ones first; returns how many to show, *n the rows left. */
static size_t labelled(struct kmalloc_row *rows, size_t *n, struct krow *out,
		       bool by_site, const struct ksyms *ks, size_t top)
{
	for (size_t i = 0; i < *n; i++) {
		struct krow *k = &out[i];
		const char *name = NULL, *mod;
		uint64_t off;

		if (by_site && ks)
			name = ksyms_find(ks, rows[i].key.call_site, &off, &mod);
		if (by_site)
			snprintf(k->label, sizeof(k->label), "%s", name ? name : "unknown");
		else
			snprintf(k->label, sizeof(k->label), "%.*s", MT_COMM_LEN,
				 rows[i].key.comm);
		k->s = rows[i].s;
	}
	*n = topn_merge(out, *n, sizeof(*out), label, merge);
	return topn_select(out, *n, sizeof(*out), top, weight, label);
}

static const struct family {
	const char *name, *help;
	size_t off;
} families[] = {
	{ "memtrace_kmalloc_calls_total",
	  "Kernel kmalloc calls, by call site (function) or by command name.",
	  offsetof(struct kmalloc_stats, calls) },
	{ "memtrace_kmalloc_requested_bytes_total",
	  "Bytes asked of kmalloc, by call site (function) or by command name.",
	  offsetof(struct kmalloc_stats, bytes_req) },
	{ "memtrace_kmalloc_allocated_bytes_total",
	  "Bytes kmalloc gave (its size classes), by call site or by command name.",
	  offsetof(struct kmalloc_stats, bytes_alloc) },
};

/* One table's series of family f: the rows shown, then "other". */
static void table(struct metrics *m, const struct family *f, const char *key,
		  const struct krow *rows, size_t shown,
		  const struct kmalloc_stats *total)
{
	struct topn_shown t = { rows, sizeof(*rows), shown, label };

	topn_series(m, f->name, key, &t, offsetof(struct krow, s) + f->off,
		    *(const uint64_t *)((const char *)total + f->off));
}

void kmetrics_write(struct kmalloc_collector *c, const struct ksyms *ks,
		    struct metrics *m, size_t top_sites, size_t top_comms,
		    size_t used[2])
{
	struct kmalloc_row *rows[2] = {};
	struct krow *k[2] = {};
	size_t n[2] = {}, shown[2] = {};
	struct kmalloc_stats total = {};

	/* The totals last: every row read is in them. */
	kmalloc_collector_rows(c, &rows[0], &n[0]);
	kmalloc_collector_rows2(c, &rows[1], &n[1]);
	kmalloc_collector_totals(c, &total);
	for (int t = 0; t < 2; t++) {
		used[t] = n[t];
		k[t] = calloc(n[t] + 1, sizeof(*k[t]));
		if (!k[t])
			n[t] = 0;
		else
			shown[t] = labelled(rows[t], &n[t], k[t], t == 0, ks,
					    t == 0 ? top_sites : top_comms);
	}
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		metrics_family(m, families[f].name, METRIC_COUNTER, families[f].help);
		table(m, &families[f], "callsite", k[0], shown[0], &total);
		table(m, &families[f], "comm", k[1], shown[1], &total);
	}
	for (int t = 0; t < 2; t++) {
		free(rows[t]);
		free(k[t]);
	}
}
