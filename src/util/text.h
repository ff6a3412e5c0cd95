/* SPDX-License-Identifier: GPL-2.0 */
/* Names from outside, made safe for a terminal. */
#ifndef MEMTRACE_UTIL_TEXT_H
#define MEMTRACE_UTIL_TEXT_H

#include <stddef.h>

/*
 * Text for a terminal: a word is printed as is when it holds only safe
 * characters, in '...' when it has spaces or shell specials, and in $'...'
 * with \xNN escapes when it has control characters or invalid UTF-8. Writes
 * at most cap - 1 bytes and a NUL; returns the length written.
 */
size_t text_quote(char *dst, size_t cap, const char *s, size_t n);
/* Text as it is, but for control characters, C1 controls and bytes of
 * invalid UTF-8, each written \xNN: for names inside a larger line (a
 * stack frame), where quoting would not help. Stops at a NUL; writes at
 * most cap - 1 bytes and a NUL; returns the length written. */
size_t text_escape(char *dst, size_t cap, const char *s, size_t n);
/* Copies s (at most n bytes, NUL-terminated), replacing unprintable bytes
 * with '?': for fixed-width columns such as comm. */
void text_sanitize(char *dst, size_t cap, const char *s, size_t n);

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t utf8_len(const unsigned char *s, size_t n);

#endif /* MEMTRACE_UTIL_TEXT_H */
