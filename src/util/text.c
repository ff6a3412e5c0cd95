// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "util/text.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t utf8_len(const unsigned char *s, size_t n)
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
