/* SPDX-License-Identifier: GPL-2.0 */
/* Output: human-readable sizes, aligned text tables, JSON lines, quoting. */
#ifndef MEMTRACE_OUTPUT_H
#define MEMTRACE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* Aligned columns; the last column is not padded. */
struct col {
	const char *name;
	int width;
	bool right;		/* right-aligned (numbers) */
};

void table_header(FILE *f, const struct col *cols, int n);
void table_row(FILE *f, const struct col *cols, int n,
	       const char *const *cells);

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

/*
 * One JSON object per line. Strings may hold any bytes: valid UTF-8 is
 * copied, control characters are escaped, and each byte of an invalid
 * sequence becomes \udcXX (a lone low surrogate, the "surrogateescape"
 * convention: Python's json module reads it back and
 * s.encode("utf-8", "surrogateescape") gives the original bytes).
 */
#define JSON_MAX_DEPTH 8

struct json {
	char *buf;
	size_t len, cap;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	char closer[JSON_MAX_DEPTH];	/* ']' or '}' per open level */
	bool oom;			/* nesting too deep, or no memory */
};

void json_begin(struct json *j);			/* { */
void json_key_str(struct json *j, const char *key, const char *s);
void json_key_strn(struct json *j, const char *key, const char *s, size_t n);
void json_key_u64(struct json *j, const char *key, uint64_t v);
void json_key_i64(struct json *j, const char *key, int64_t v);
void json_key_fixed(struct json *j, const char *key, double v, int decimals);
void json_key_bool(struct json *j, const char *key, bool v);
void json_key_null(struct json *j, const char *key);
void json_key_array(struct json *j, const char *key);	/* "key": [ */
void json_key_object(struct json *j, const char *key);	/* "key": { */
void json_object(struct json *j);			/* { as array element */
void json_strn(struct json *j, const char *s, size_t n); /* array element */
void json_u64(struct json *j, uint64_t v);		/* array element */
void json_close(struct json *j);			/* ] or } */
/* Closes the object, writes it and a newline to f, and resets j for the
 * next line. Returns 0, -ENOMEM, or the failed write's negative errno
 * (-EPIPE: a closed pipe, -ENOSPC: a full disk). */
int json_end(struct json *j, FILE *f);
void json_free(struct json *j);

/* Appends the JSON string literal for s (quotes included) to j. */
void json_put_string(struct json *j, const char *s, size_t n);

/* stdout goes to the file at path from now on (created or truncated);
 * 0 or a negative errno. A child started before keeps the stdout it had. */
int output_to(const char *path);

#endif /* MEMTRACE_OUTPUT_H */
