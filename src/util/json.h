/* SPDX-License-Identifier: GPL-2.0 */
/* JSON lines, written without a library: one object per line. */
#ifndef MEMTRACE_UTIL_JSON_H
#define MEMTRACE_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#endif /* MEMTRACE_UTIL_JSON_H */
