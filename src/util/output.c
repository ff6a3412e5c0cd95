// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util/output.h"

char *fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	int n = 0, i = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

char *fmt_i64(char *buf, int64_t v)
{
	if (v >= 0)
		return fmt_u64(buf, v);
	buf[0] = '-';
	fmt_u64(buf + 1, -(uint64_t)v);
	return buf;
}

char *fmt_hex16(char *buf, uint64_t v)
{
	for (int i = 15; i >= 0; i--, v >>= 4)
		buf[i] = "0123456789abcdef"[v & 15];
	buf[16] = '\0';
	return buf;
}

char *fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = bytes, shown;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%uB", (unsigned)bytes);
		return buf;
	}
	while (u < 5 && v >= 1024) {
		v /= 1024;
		u++;
	}
	/* Decide on the value as printed: 9.96K is "10K", 1023.96K "1.0M". */
	shown = v < 9.95 ? round(v * 10) / 10 : round(v);
	if (u < 5 && shown >= 1024) {
		v /= 1024;
		u++;
		shown = round(v * 10) / 10;
	}
	if (shown < 10)
		snprintf(buf, len, "%.1f%c", shown, units[u]);
	else
		snprintf(buf, len, "%.0f%c", shown, units[u]);
	return buf;
}

char *fmt_clock(char *buf, size_t len, uint64_t wall_ns)
{
	time_t secs = wall_ns / 1000000000ULL;
	struct tm tm;

	if (!localtime_r(&secs, &tm) || !strftime(buf, len, "%H:%M:%S", &tm))
		snprintf(buf, len, "?");
	return buf;
}

char *fmt_clock_ms(char *buf, size_t len, uint64_t wall_ns)
{
	static uint64_t cached_sec = UINT64_MAX;
	static char cached[16];
	static size_t cached_len;
	unsigned ms = wall_ns % 1000000000ULL / 1000000;
	uint64_t sec = wall_ns / 1000000000ULL;

	if (sec != cached_sec) {
		fmt_clock(cached, sizeof(cached), wall_ns);
		cached_len = strlen(cached);
		cached_sec = sec;
	}
	if (len < cached_len + 5) {
		snprintf(buf, len, "%s", cached);
		return buf;
	}
	memcpy(buf, cached, cached_len);
	buf[cached_len] = '.';
	buf[cached_len + 1] = '0' + ms / 100;
	buf[cached_len + 2] = '0' + ms / 10 % 10;
	buf[cached_len + 3] = '0' + ms % 10;
	buf[cached_len + 4] = '\0';
	return buf;
}

/* Appends s, padded to the column's width, to buf (of cap bytes). */
static size_t put_cell(char *buf, size_t len, size_t cap, const struct col *c,
		       const char *s, bool last)
{
	size_t n = strlen(s), pad = c->width > 0 && (size_t)c->width > n ?
					    c->width - n : 0;

	if (last && !c->right)
		pad = 0;
	/* What does not fit is cut, and marked: never dropped silently. */
	if (len + pad + n >= cap) {
		if (len + 4 >= cap)
			return len;
		pad = 0;
		n = cap - len - 4;
		memcpy(buf + len, s, n);
		memcpy(buf + len + n, "...", 3);
		return len + n + 3;
	}
	if (c->right) {
		memset(buf + len, ' ', pad);
		len += pad;
	}
	memcpy(buf + len, s, n);
	len += n;
	if (!c->right) {
		memset(buf + len, ' ', pad);
		len += pad;
	}
	return len;
}

/* The line is built in memory and written at once: one call per line. */
static void put_row(FILE *f, const struct col *cols, int n,
		    const char *const *cells)
{
	char buf[8192];
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		if (i && len + 1 < sizeof(buf))
			buf[len++] = ' ';
		len = put_cell(buf, len, sizeof(buf), &cols[i],
			       cells[i] ? cells[i] : "", i == n - 1);
	}
	buf[len++] = '\n';
	fwrite_unlocked(buf, 1, len, f);
}

void table_header(FILE *f, const struct col *cols, int n)
{
	const char *names[n];

	for (int i = 0; i < n; i++)
		names[i] = cols[i].name;
	put_row(f, cols, n, names);
}

void table_row(FILE *f, const struct col *cols, int n,
	       const char *const *cells)
{
	put_row(f, cols, n, cells);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Bounded appender for text_quote(). */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_putc(struct sbuf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->p[b->len++] = c;
}

static void sb_puts(struct sbuf *b, const char *s)
{
	while (*s)
		sb_putc(b, *s++);
}

/* U+0080..U+009F: C1 controls, e.g. U+009B (CSI) starts terminal
 * escape sequences just as ESC [ does. */
static bool is_c1(const unsigned char *s, size_t l)
{
	return l == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

static bool shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("_@%+=:,./-", c);
}

size_t text_quote(char *dst, size_t cap, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	struct sbuf b = { dst, 0, cap };
	bool plain = n > 0, ansi = false;
	size_t i, l;

	if (!cap)
		return 0;
	for (i = 0; i < n; i += l) {
		l = utf8_len(u + i, n - i);
		if (!l || u[i] < 0x20 || u[i] == 0x7f || is_c1(u + i, l)) {
			ansi = true;
			l = 1;
		} else if (l > 1 || !shell_safe(u[i])) {
			plain = false;
		}
	}
	if (plain && !ansi) {
		for (i = 0; i < n; i++)
			sb_putc(&b, s[i]);
	} else if (!ansi) {
		sb_putc(&b, '\'');
		for (i = 0; i < n; i++) {
			if (s[i] == '\'')
				sb_puts(&b, "'\\''");
			else
				sb_putc(&b, s[i]);
		}
		sb_putc(&b, '\'');
	} else {
		sb_puts(&b, "$'");
		for (i = 0; i < n; i += l) {
			char esc[8];

			l = utf8_len(u + i, n - i);
			if (l > 1 && !is_c1(u + i, l)) {
				for (size_t k = 0; k < l; k++)
					sb_putc(&b, s[i + k]);
				continue;
			}
			l = 1;
			if (u[i] == '\'' || u[i] == '\\') {
				sb_putc(&b, '\\');
				sb_putc(&b, s[i]);
			} else if (u[i] == '\n') {
				sb_puts(&b, "\\n");
			} else if (u[i] == '\t') {
				sb_puts(&b, "\\t");
			} else if (u[i] < 0x20 || u[i] >= 0x7f) {
				snprintf(esc, sizeof(esc), "\\x%02x", u[i]);
				sb_puts(&b, esc);
			} else {
				sb_putc(&b, s[i]);
			}
		}
		sb_putc(&b, '\'');
	}
	dst[b.len] = '\0';
	return b.len;
}

size_t text_escape(char *dst, size_t cap, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	struct sbuf b = { dst, 0, cap };
	size_t l;

	if (!cap)
		return 0;
	for (size_t i = 0; i < n && u[i]; i += l) {
		char esc[8];

		l = utf8_len(u + i, n - i);
		if (l && u[i] >= 0x20 && u[i] != 0x7f && !is_c1(u + i, l)) {
			for (size_t k = 0; k < l; k++)
				sb_putc(&b, s[i + k]);
			continue;
		}
		l = 1;
		snprintf(esc, sizeof(esc), "\\x%02x", u[i]);
		sb_puts(&b, esc);
	}
	dst[b.len] = '\0';
	return b.len;
}

void text_sanitize(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	if (!cap)
		return;
	for (i = 0; i < n && i + 1 < cap && s[i]; i++) {
		unsigned char c = s[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[i] = '\0';
}

static void json_grow(struct json *j, size_t more)
{
	size_t cap;
	char *p;

	if (j->oom || j->len + more + 1 <= j->cap)
		return;
	cap = j->cap ? j->cap : 256;
	while (cap < j->len + more + 1)
		cap *= 2;
	p = realloc(j->buf, cap);
	if (!p) {
		j->oom = true;
		return;
	}
	j->buf = p;
	j->cap = cap;
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

int output_to(const char *path)
{
	int fd;

	fflush(stdout);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return -errno;
	if (dup2(fd, STDOUT_FILENO) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}
