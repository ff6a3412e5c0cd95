// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "util/fmt.h"
#include "util/grow.h"
#include "util/json.h"
#include "util/text.h"

static void json_grow(struct json *j, size_t more)
{
	j->buf = grow(j->buf, &j->cap, j->len + more + 1, 256, &j->oom);
}

static void json_raw(struct json *j, const char *s, size_t n)
{
	json_grow(j, n);
	if (j->oom)
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void json_printf(struct json *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void json_printf(struct json *j, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		json_grow(j, n);
		if (!j->oom) {
			vsnprintf(j->buf + j->len, n + 1, fmt, ap2);
			j->len += n;
		}
	}
	va_end(ap2);
}

void json_put_string(struct json *j, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l;

	json_raw(j, "\"", 1);
	while (i < n) {
		unsigned char c = u[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			size_t start = i;

			while (i < n && u[i] >= 0x20 && u[i] < 0x7f &&
			       u[i] != '"' && u[i] != '\\')
				i++;
			json_raw(j, s + start, i - start);
			continue;
		}
		switch (c) {
		case '"':
			json_raw(j, "\\\"", 2);
			break;
		case '\\':
			json_raw(j, "\\\\", 2);
			break;
		case '\n':
			json_raw(j, "\\n", 2);
			break;
		case '\t':
			json_raw(j, "\\t", 2);
			break;
		case '\r':
			json_raw(j, "\\r", 2);
			break;
		default:
			l = c >= 0x80 ? utf8_len(u + i, n - i) : 0;
			if (l) {
				json_raw(j, s + i, l);
				i += l;
				continue;
			}
			/* Control character, DEL, or a byte of invalid UTF-8. */
			json_printf(j, c < 0x80 ? "\\u%04x" : "\\udc%02x", c);
		}
		i++;
	}
	json_raw(j, "\"", 1);
}

static void json_sep(struct json *j)
{
	if (j->depth <= 0)
		return;
	if (j->need_comma[j->depth - 1])
		json_raw(j, ",", 1);
	j->need_comma[j->depth - 1] = true;
}

static void json_key(struct json *j, const char *key)
{
	json_sep(j);
	json_put_string(j, key, strlen(key));
	json_raw(j, ":", 1);
}

static void json_open(struct json *j, char c)
{
	if (j->depth >= JSON_MAX_DEPTH) {
		j->oom = true;
		return;
	}
	json_raw(j, &c, 1);
	j->need_comma[j->depth] = false;
	j->closer[j->depth] = c == '{' ? '}' : ']';
	j->depth++;
}

void json_begin(struct json *j)
{
	j->len = 0;
	j->depth = 0;
	j->oom = false;
	json_open(j, '{');
}

void json_key_str(struct json *j, const char *key, const char *s)
{
	json_key_strn(j, key, s, strlen(s));
}

void json_key_strn(struct json *j, const char *key, const char *s, size_t n)
{
	json_key(j, key);
	json_put_string(j, s, n);
}

void json_key_u64(struct json *j, const char *key, uint64_t v)
{
	char num[24];

	json_key(j, key);
	json_raw(j, num, strlen(fmt_u64(num, v)));
}

void json_key_i64(struct json *j, const char *key, int64_t v)
{
	char num[24];

	json_key(j, key);
	json_raw(j, num, strlen(fmt_i64(num, v)));
}

void json_key_fixed(struct json *j, const char *key, double v, int decimals)
{
	json_key(j, key);
	if (isfinite(v))
		json_printf(j, "%.*f", decimals, v);
	else
		json_raw(j, "null", 4);
}

void json_key_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_raw(j, v ? "true" : "false", v ? 4 : 5);
}

void json_key_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_raw(j, "null", 4);
}

void json_key_array(struct json *j, const char *key)
{
	json_key(j, key);
	json_open(j, '[');
}

void json_key_object(struct json *j, const char *key)
{
	json_key(j, key);
	json_open(j, '{');
}

void json_object(struct json *j)
{
	json_sep(j);
	json_open(j, '{');
}

void json_strn(struct json *j, const char *s, size_t n)
{
	json_sep(j);
	json_put_string(j, s, n);
}

void json_u64(struct json *j, uint64_t v)
{
	char num[24];

	json_sep(j);
	json_raw(j, num, strlen(fmt_u64(num, v)));
}

void json_close(struct json *j)
{
	if (j->depth <= 0)
		return;
	j->depth--;
	json_raw(j, &j->closer[j->depth], 1);
}

int json_end(struct json *j, FILE *f)
{
	int err;

	while (j->depth > 0)
		json_close(j);
	json_raw(j, "\n", 1);
	if (j->oom)
		err = -ENOMEM;
	else if ((errno = 0, fwrite(j->buf, 1, j->len, f) != j->len))
		err = errno ? -errno : -EIO;
	else
		err = 0;
	j->len = 0;
	j->oom = false;
	return err;
}

void json_free(struct json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}
