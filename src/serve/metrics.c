// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text 0.0.4 and OpenMetrics 1.0: the same lines but for the
 * family names in TYPE and HELP (OpenMetrics drops a counter's _total and
 * an info's _info), the info type (a gauge in 0.0.4), HELP's escaping of
 * '"' and the closing "# EOF".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "serve/metrics.h"
#include "util/grow.h"

void metrics_init(struct metrics *m, bool om)
{
	memset(m, 0, sizeof(*m));
	m->om = om;
}

void metrics_free(struct metrics *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

static bool room(struct metrics *m, size_t more)
{
	m->buf = grow(m->buf, &m->cap, m->len + more + 1, 4096, &m->oom);
	return !m->oom;
}

static void put(struct metrics *m, const char *s, size_t n)
{
	if (!room(m, n))
		return;
	memcpy(m->buf + m->len, s, n);
	m->len += n;
	m->buf[m->len] = '\0';
}

static void puts_(struct metrics *m, const char *s)
{
	put(m, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void putf(struct metrics *m,
							const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(m, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 :
		     (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t cp;

	if (!len || len > n)
		return 0;
	cp = len == 1 ? s[0] : s[0] & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, past U+10FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff)
		return 0;
	return len;
}

/* Escaped as both formats want (\\, \n, and \" where quote is set);
 * a byte of invalid UTF-8 becomes U+FFFD. */
static void escaped(struct metrics *m, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		size_t len = utf8_len(p, n);

		if (*p == '\\')
			puts_(m, "\\\\");
		else if (*p == '\n')
			puts_(m, "\\n");
		else if (*p == '"' && quote)
			puts_(m, "\\\"");
		else if (len)
			put(m, (const char *)p, len);
		else
			puts_(m, "\xef\xbf\xbd");
		if (!len)
			len = 1;
		p += len;
		n -= len;
	}
}

static const char *type_name(const struct metrics *m, enum metric_type t)
{
	switch (t) {
	case METRIC_COUNTER:
		return "counter";
	case METRIC_HISTOGRAM:
		return "histogram";
	case METRIC_INFO:
		return m->om ? "info" : "gauge";
	default:
		return "gauge";
	}
}

void metrics_family(struct metrics *m, const char *name, enum metric_type t,
		    const char *help)
{
	size_t n = strlen(name);
	const char *suffix = t == METRIC_COUNTER ? "_total" :
			     t == METRIC_INFO ? "_info" : NULL;

	if (m->om && suffix && n > strlen(suffix) &&
	    !strcmp(name + n - strlen(suffix), suffix))
		n -= strlen(suffix);
	puts_(m, "# HELP ");
	put(m, name, n);
	puts_(m, " ");
	escaped(m, help, m->om);
	puts_(m, "\n# TYPE ");
	put(m, name, n);
	putf(m, " %s\n", type_name(m, t));
}

static void labels(struct metrics *m, const struct mlabel *l, size_t nl,
		   const char *le)
{
	if (!nl && !le)
		return;
	puts_(m, "{");
	for (size_t i = 0; i < nl; i++) {
		putf(m, "%s%s=\"", i ? "," : "", l[i].name);
		escaped(m, l[i].value, true);
		puts_(m, "\"");
	}
	if (le)
		putf(m, "%sle=\"%s\"", nl ? "," : "", le);
	puts_(m, "}");
}

void metrics_u64(struct metrics *m, const char *name, const struct mlabel *l,
		 size_t nl, uint64_t v)
{
	puts_(m, name);
	labels(m, l, nl, NULL);
	putf(m, " %llu\n", (unsigned long long)v);
	m->series++;
}

/* A float as both formats read it, the same in both: a bucket's le is a
 * label, and queries name it ("134217728", "0.0009765625"). */
static void fmt_f64(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.17g", v);
}

void metrics_f64(struct metrics *m, const char *name, const struct mlabel *l,
		 size_t nl, double v)
{
	char buf[48];

	fmt_f64(buf, sizeof(buf), v);
	puts_(m, name);
	labels(m, l, nl, NULL);
	putf(m, " %s\n", buf);
	m->series++;
}

void metrics_histogram(struct metrics *m, const char *name,
		       const struct mlabel *l, size_t nl, const struct mhist *h)
{
	char le[48], sample[128];
	uint64_t sum = 0;

	snprintf(sample, sizeof(sample), "%s_bucket", name);
	for (size_t i = 0; i <= h->n; i++) {
		sum += h->counts[i];
		if (i < h->n)
			fmt_f64(le, sizeof(le), h->le[i]);
		puts_(m, sample);
		labels(m, l, nl, i < h->n ? le : "+Inf");
		putf(m, " %llu\n", (unsigned long long)sum);
		m->series++;
	}
	snprintf(sample, sizeof(sample), "%s_sum", name);
	metrics_f64(m, sample, l, nl, h->sum);
	snprintf(sample, sizeof(sample), "%s_count", name);
	metrics_u64(m, sample, l, nl, sum);
}

void metrics_end(struct metrics *m)
{
	if (m->om)
		puts_(m, "# EOF\n");
}
