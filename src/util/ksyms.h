/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel addresses to symbols, from /proc/kallsyms. */
#ifndef MEMTRACE_KSYMS_H
#define MEMTRACE_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksyms;

/* Reads the text symbols of path (NULL: /proc/kallsyms) once. NULL with
 * errno set when it cannot be read. */
struct ksyms *ksyms_load(const char *path);
void ksyms_free(struct ksyms *ks);

/* The kernel shows every address as 0 to this process (kptr_restrict, or
 * no CAP_SYSLOG with perf_event_paranoid > 1): nothing can be resolved. */
bool ksyms_hidden(const struct ksyms *ks);

/*
 * The function holding addr, its offset in it and its module (NULL for the
 * kernel itself). NULL when addr is not in a known text symbol: below the
 * first, past the last, or implausibly far (1 MiB) from the nearest.
 */
const char *ksyms_find(const struct ksyms *ks, uint64_t addr,
		       uint64_t *offset, const char **module);

/* "name+0xoff", "name+0xoff [module]", or "0xaddr" when unknown. */
char *ksyms_format(const struct ksyms *ks, uint64_t addr, char *buf,
		   size_t len);

#endif /* MEMTRACE_KSYMS_H */
