/* SPDX-License-Identifier: GPL-2.0 */
/* What this host offers memtrace, as `memtrace probe` shows it. */
#ifndef MEMTRACE_PROBE_HOST_H
#define MEMTRACE_PROBE_HOST_H

#include <stdbool.h>

enum fact_kind {
	FACT_BOOL,			/* yes or no, and why */
	FACT_INT,			/* a sysctl */
	FACT_STR,			/* a name */
};

struct host_fact {
	const char *key;		/* in JSON, snake_case */
	const char *label;		/* in text */
	enum fact_kind kind;
	bool known;			/* could be read; a FACT_BOOL always is */
	bool yes;			/* FACT_BOOL */
	long num;			/* FACT_INT */
	const char *id;			/* FACT_STR in JSON, if not text */
	/* FACT_STR: the value; FACT_BOOL: what it is, or why not; not
	 * known: why not. */
	char text[160];
};

#define HOST_NR_FACTS 17

/* Asks the kernel, loading nothing but programs and maps of a few bytes
 * that are closed at once, and mounting nothing. */
void host_probe(struct host_fact facts[HOST_NR_FACTS]);

#endif /* MEMTRACE_PROBE_HOST_H */
