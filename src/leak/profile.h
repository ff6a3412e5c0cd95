/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leak's outstanding allocations as a heap profile in pprof's format, as
 * Go's runtime writes one: sample types alloc_objects, alloc_space (what
 * each stack allocated since the trace began), inuse_objects and
 * inuse_space (what it still holds); locations with their function, file
 * and line; mappings with their file and GNU build ID (kernel frames in
 * one "[kernel]" mapping); the kind of memory as a sample label. What
 * `memtrace leak --pprof` writes and `memtrace serve` answers
 * /debug/pprof/heap with.
 */
#ifndef MEMTRACE_LEAK_PROFILE_H
#define MEMTRACE_LEAK_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct leak_collector;
struct usyms;
struct ksyms;

struct leak_profile_src {
	struct leak_collector *col;
	struct usyms *usyms;		/* a process's frames; may be NULL */
	const struct ksyms *ksyms;	/* kernel frames; may be NULL */
	bool kernel;
	uint64_t stack_depth;		/* the collector's */
	uint64_t sample_rate;		/* 1: every allocation */
	uint64_t start_ns;		/* CLOCK_MONOTONIC: the trace began */
};

/* The profile, gzipped, into *out (malloc'ed): 0 or a negative errno. */
int leak_profile_build(const struct leak_profile_src *src, uint8_t **out,
		       size_t *len);

/* The same written to path (replaced whole, never half-written): 0, or
 * -1 after an error naming the file. */
int leak_profile_write(const struct leak_profile_src *src, const char *path);

#endif /* MEMTRACE_LEAK_PROFILE_H */
