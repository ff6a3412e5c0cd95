// SPDX-License-Identifier: GPL-2.0
/* serve: process exits by command name (see serve/exits.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "serve/exits.h"
#include "serve/metrics.h"
#include "serve/topn.h"
#include "util/signame.h"

#define SLOTS (2 * EXITS_MAX_COMMS)	/* a power of two */

int exits_init(struct exits *x)
{
	memset(x, 0, sizeof(*x));
	x->cap = 64;
	x->rows = calloc(x->cap, sizeof(*x->rows));
	x->slots = calloc(SLOTS, sizeof(*x->slots));
	x->page_size = sysconf(_SC_PAGESIZE);
	if (!x->rows || !x->slots) {
		exits_free(x);
		return -ENOMEM;
	}
	strcpy(x->rows[0].comm, TOPN_OTHER);
	x->n = 1;
	return 0;
}

void exits_free(struct exits *x)
{
	free(x->rows);
	free(x->slots);
	memset(x, 0, sizeof(*x));
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* The row of comm, new if need be; rows[0] when the table is full. */
static struct exits_row *row_of(struct exits *x, const char *comm)
{
	size_t j = hash(comm) & (SLOTS - 1);
	struct exits_row *v;

	for (; x->slots[j]; j = (j + 1) & (SLOTS - 1))
		if (!strcmp(x->rows[x->slots[j] - 1].comm, comm))
			return &x->rows[x->slots[j] - 1];
	if (x->n > EXITS_MAX_COMMS)
		return &x->rows[0];
	if (x->n == x->cap) {
		v = realloc(x->rows, 2 * x->cap * sizeof(*v));
		if (!v)
			return &x->rows[0];
		x->rows = v;
		x->cap *= 2;
	}
	v = &x->rows[x->n];
	memset(v, 0, sizeof(*v));
	memcpy(v->comm, comm, MT_COMM_LEN);
	x->slots[j] = ++x->n;
	return v;
}

/* The bucket of v in log2 buckets from 2^min_log2 (nb of them; nb: above). */
static size_t bucket(double v, int min_log2, size_t nb)
{
	for (size_t i = 0; i < nb; i++)
		if (v <= ldexp(1.0, min_log2 + (int)i))
			return i;
	return nb;
}

void exits_add(struct exits *x, const struct procs_exit_event *e)
{
	char comm[MT_COMM_LEN + 1] = {};
	struct exits_row *r;
	int sig = e->status & 0x7f, reason;
	double life = e->lifetime_ns / 1e9;
	double rss = (double)e->self_peak_rss_pages * x->page_size;

	memcpy(comm, e->comm, MT_COMM_LEN);
	r = row_of(x, comm);
	/* wait status: a signal in the low 7 bits, else the code << 8. */
	reason = sig ? 2 + (sig <= 64 ? sig : 0) : (e->status >> 8 & 0xff) ? 1 : 0;
	r->exits++;
	r->reasons[reason]++;
	r->life[bucket(life, EXITS_LIFE_MIN_LOG2, EXITS_LIFE_BUCKETS)]++;
	r->rss[bucket(rss, EXITS_RSS_MIN_LOG2, EXITS_RSS_BUCKETS)]++;
	r->life_sum += life;
	r->rss_sum += rss;
}

static void row_fold(struct exits_row *into, const struct exits_row *r)
{
	into->exits += r->exits;
	for (int i = 0; i < EXITS_REASONS; i++)
		into->reasons[i] += r->reasons[i];
	for (int i = 0; i <= EXITS_LIFE_BUCKETS; i++)
		into->life[i] += r->life[i];
	for (int i = 0; i <= EXITS_RSS_BUCKETS; i++)
		into->rss[i] += r->rss[i];
	into->life_sum += r->life_sum;
	into->rss_sum += r->rss_sum;
}

static uint64_t weight(const void *row)
{
	return ((const struct exits_row *)row)->exits;
}

static const char *label(const void *row)
{
	return ((const struct exits_row *)row)->comm;
}

static void reason_name(int i, char *buf, size_t len)
{
	const char *abbrev = i >= 2 ? sig_abbrev(i - 2) : NULL;

	if (i < 2)
		snprintf(buf, len, "%s", i ? "exit_nonzero" : "exit_0");
	else if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "SIG%d", i - 2);
}

static void row_metrics(const struct exits_row *r, struct metrics *m, int family)
{
	static double life_le[EXITS_LIFE_BUCKETS], rss_le[EXITS_RSS_BUCKETS];
	struct mlabel l[2] = { { "comm", r->comm }, { "reason", NULL } };
	char reason[32];

	if (family == 0) {
		for (int i = 0; i < EXITS_REASONS; i++) {
			if (!r->reasons[i])
				continue;
			reason_name(i, reason, sizeof(reason));
			l[1].value = reason;
			metrics_u64(m, "memtrace_process_exits_total", l, 2,
				    r->reasons[i]);
		}
		return;
	}
	for (int i = 0; i < EXITS_LIFE_BUCKETS; i++)
		life_le[i] = ldexp(1.0, EXITS_LIFE_MIN_LOG2 + i);
	for (int i = 0; i < EXITS_RSS_BUCKETS; i++)
		rss_le[i] = ldexp(1.0, EXITS_RSS_MIN_LOG2 + i);
	if (family == 1)
		metrics_histogram(m, "memtrace_process_lifetime_seconds", l, 1,
				  &(struct mhist){ life_le, r->life,
						   EXITS_LIFE_BUCKETS, r->life_sum });
	else
		metrics_histogram(m, "memtrace_process_peak_rss_bytes", l, 1,
				  &(struct mhist){ rss_le, r->rss,
						   EXITS_RSS_BUCKETS, r->rss_sum });
}

void exits_metrics(struct exits *x, struct metrics *m, size_t top)
{
	static const char *const help[] = {
		"Processes that exited, by command name and how: exit_0, exit_nonzero, or the fatal signal.",
		"How long processes lived, from fork to exit, by command name.",
		"Peak resident set size of exiting processes (their own, not their children's), by command name.",
	};
	static const char *const name[] = {
		"memtrace_process_exits_total", "memtrace_process_lifetime_seconds",
		"memtrace_process_peak_rss_bytes",
	};
	struct exits_row *rows = x->rows + 1, other = x->rows[0];
	size_t n = x->n - 1, shown;

	/* Sorting moves rows: the hash's slots are made again after. */
	shown = topn_select(rows, n, sizeof(*rows), top, weight, label);
	for (size_t i = shown; i < n; i++)
		row_fold(&other, &rows[i]);
	for (int f = 0; f < 3; f++) {
		metrics_family(m, name[f], f ? METRIC_HISTOGRAM : METRIC_COUNTER,
			       help[f]);
		for (size_t i = 0; i < shown; i++)
			row_metrics(&rows[i], m, f);
		if (other.exits)
			row_metrics(&other, m, f);
	}
	memset(x->slots, 0, SLOTS * sizeof(*x->slots));
	for (size_t i = 1; i < x->n; i++) {
		size_t j = hash(x->rows[i].comm) & (SLOTS - 1);

		while (x->slots[j])
			j = (j + 1) & (SLOTS - 1);
		x->slots[j] = i + 1;
	}
}
