/* SPDX-License-Identifier: GPL-2.0 */
/* A growing buffer whose allocation failure is remembered, not returned
 * at each write (the JSON, metrics and protobuf writers; kallsyms's
 * table and names). */
#ifndef MEMTRACE_UTIL_GROW_H
#define MEMTRACE_UTIL_GROW_H

#include <stdbool.h>
#include <stddef.h>

/*
 * buf (of *cap bytes) made to hold need bytes: its capacity doubled from
 * first (or from *cap) until it does. Returns the buffer, which may have
 * moved; on failure, or once *oom is set, the same buffer and *oom set.
 */
void *grow(void *buf, size_t *cap, size_t need, size_t first, bool *oom);

#endif /* MEMTRACE_UTIL_GROW_H */
