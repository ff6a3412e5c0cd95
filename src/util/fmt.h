/* SPDX-License-Identifier: GPL-2.0 */
/* Numbers, sizes and times as text. */
#ifndef MEMTRACE_UTIL_FMT_H
#define MEMTRACE_UTIL_FMT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Numbers without printf, for streams of a million lines a second (printf
 * costs more there than everything else an event needs). buf must hold
 * 21 bytes (fmt_u64), 22 (fmt_i64) or 17 (fmt_hex16); each returns buf.
 */
char *fmt_u64(char *buf, uint64_t v);
char *fmt_i64(char *buf, int64_t v);
/* 16 lowercase hex digits, zero-padded (kernel pointers). */
char *fmt_hex16(char *buf, uint64_t v);

/* Like ls -h: 512B, 4.0K, 12K, 1.2M, 3.0G. Returns buf. */
char *fmt_size(char *buf, size_t len, uint64_t bytes);

/* Local wall-clock time of day, HH:MM:SS, from nanoseconds since the epoch. */
char *fmt_clock(char *buf, size_t len, uint64_t wall_ns);
/* The same with milliseconds, HH:MM:SS.mmm; the local time of the last
 * second is cached, for streams of many events per second. */
char *fmt_clock_ms(char *buf, size_t len, uint64_t wall_ns);

#endif /* MEMTRACE_UTIL_FMT_H */
