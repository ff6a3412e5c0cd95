/* SPDX-License-Identifier: GPL-2.0 */
/* Strict parsing of numbers, sizes and durations, as options give them. */
#ifndef MEMTRACE_UTIL_PARSE_H
#define MEMTRACE_UTIL_PARSE_H

#include <stdint.h>
#include <sys/types.h>

#define NS_PER_MS 1000000ULL
#define NS_PER_SEC 1000000000ULL

/*
 * Each returns 0, -EINVAL for text that is not of the form (sign, spaces,
 * junk after the number, empty), or -ERANGE when the value overflows or is
 * outside [min, max].
 */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_pid(const char *s, pid_t *out);
/* 4096, 4K, 4KB, 4KiB, 1M, 2G, 1T: binary multiples. */
int parse_size(const char *s, uint64_t *out);
/* 500ms, 2s, 1.5s, 1m, 1h, 10us, 5ns; a bare number is in unit_ns. */
int parse_duration(const char *s, uint64_t unit_ns, uint64_t *out_ns);

#endif /* MEMTRACE_UTIL_PARSE_H */
