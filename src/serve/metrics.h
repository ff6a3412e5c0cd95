/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Metrics in Prometheus's text exposition format 0.0.4, or in OpenMetrics
 * 1.0 (what a scraper asks for in Accept): a family's metadata, then its
 * samples, written into one buffer. Label values are escaped and made
 * valid UTF-8 (a command name can hold any byte).
 */
#ifndef MEMTRACE_SERVE_METRICS_H
#define MEMTRACE_SERVE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM, METRIC_INFO };

struct metrics {
	char *buf;
	size_t len, cap;
	bool oom;
	bool om;			/* OpenMetrics 1.0, else text 0.0.4 */
	size_t series;			/* samples written */
};

struct mlabel {
	const char *name, *value;
};

#define METRICS_CONTENT_TYPE_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_CONTENT_TYPE_OM \
	"application/openmetrics-text; version=1.0.0; charset=utf-8"

void metrics_init(struct metrics *m, bool om);
void metrics_free(struct metrics *m);

/*
 * A family: name is its samples' name (a counter's ends in _total, an
 * info's in _info); OpenMetrics names the family without the suffix.
 */
void metrics_family(struct metrics *m, const char *name, enum metric_type t,
		    const char *help);
/* One sample of the family: name{labels} value. */
void metrics_u64(struct metrics *m, const char *name, const struct mlabel *l,
		 size_t nl, uint64_t v);
void metrics_f64(struct metrics *m, const char *name, const struct mlabel *l,
		 size_t nl, double v);

/*
 * A histogram's samples: counts[i] of the observations up to le[i] (and
 * above le[i - 1]), counts[n] those above le[n - 1]; name_bucket with its
 * cumulative counts and le="+Inf", name_sum, name_count.
 */
struct mhist {
	const double *le;
	const uint64_t *counts;		/* n + 1 */
	size_t n;
	double sum;
};

void metrics_histogram(struct metrics *m, const char *name,
		       const struct mlabel *l, size_t nl, const struct mhist *h);

/* OpenMetrics's "# EOF" after the last family. */
void metrics_end(struct metrics *m);

#endif /* MEMTRACE_SERVE_METRICS_H */
