/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A profile in pprof's format (github.com/google/pprof, proto/profile.proto),
 * built in memory and written as the gzipped protocol buffer that `go tool
 * pprof`, Parca and Pyroscope read. Strings, functions, locations and
 * mappings are interned: each is stored once and referred to by id.
 */
#ifndef MEMTRACE_UTIL_PPROF_H
#define MEMTRACE_UTIL_PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PPROF_MAX_VALUES 4	/* sample types of a profile */

struct pprof;

/* NULL when out of memory. */
struct pprof *pprof_new(void);
void pprof_free(struct pprof *p);

/* The meaning of each sample's values, in order ("alloc_space",
 * "bytes"); at most PPROF_MAX_VALUES. */
void pprof_sample_type(struct pprof *p, const char *type, const char *unit);
/* Which one a reader shows first; the sampling period and its type. */
void pprof_default_sample_type(struct pprof *p, const char *type);
void pprof_period(struct pprof *p, const char *type, const char *unit,
		  int64_t period);
void pprof_time(struct pprof *p, int64_t time_ns, int64_t duration_ns);

struct pprof_mapping {
	uint64_t start, limit, offset;	/* [start, limit) maps file offset */
	const char *file;		/* "/usr/lib/libc.so.6", "[kernel]" */
	const char *build_id;		/* hex, or NULL */
	bool has_functions, has_lines;
};

/* Ids (from 1); 0 when out of memory. A mapping is the same one when
 * it starts at the same address in the same file. */
uint64_t pprof_mapping(struct pprof *p, const struct pprof_mapping *m);
/* A function by its name and source file (NULL: unknown). */
uint64_t pprof_function(struct pprof *p, const char *name, const char *file);
/* The code at address (the same address is the same location): in
 * mapping (0: none), function (0: unknown) at line (0: unknown). */
uint64_t pprof_location(struct pprof *p, uint64_t mapping, uint64_t address,
			uint64_t function, int64_t line);

/* A sample: its stack (innermost location first), one value per sample
 * type, and a string label (key NULL: none). 0 or -ENOMEM. */
int pprof_sample(struct pprof *p, const uint64_t *locs, size_t nlocs,
		 const int64_t *values, const char *key, const char *value);

/* The profile encoded and gzipped into *out (malloc'ed): 0, or -ENOMEM
 * (also after any earlier call ran out of memory). */
int pprof_encode(struct pprof *p, uint8_t **out, size_t *len);

#endif /* MEMTRACE_UTIL_PPROF_H */
