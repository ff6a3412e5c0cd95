// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/protobuf.h"
#include "util/grow.h"

#define WIRE_VARINT 0
#define WIRE_LEN 2

void pb_free(struct pb *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

void pb_reset(struct pb *b)
{
	b->len = 0;
}

static bool reserve(struct pb *b, size_t more)
{
	b->buf = grow(b->buf, &b->cap, b->len + more, 256, &b->oom);
	return !b->oom;
}

static void varint(struct pb *b, uint64_t v)
{
	if (!reserve(b, 10))
		return;
	while (v >= 0x80) {
		b->buf[b->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->buf[b->len++] = (uint8_t)v;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void pb_uint(struct pb *b, uint32_t field, uint64_t v)
{
	varint(b, (uint64_t)field << 3 | WIRE_VARINT);
	varint(b, v);
}

void pb_uint_nz(struct pb *b, uint32_t field, uint64_t v)
{
	if (v)
		pb_uint(b, field, v);
}

void pb_bytes(struct pb *b, uint32_t field, const void *p, size_t len)
{
	varint(b, (uint64_t)field << 3 | WIRE_LEN);
	varint(b, len);
	if (!len || !reserve(b, len))
		return;
	memcpy(b->buf + b->len, p, len);
	b->len += len;
}

void pb_packed(struct pb *b, uint32_t field, const uint64_t *v, size_t n)
{
	size_t len = 0;

	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		len += varint_len(v[i]);
	varint(b, (uint64_t)field << 3 | WIRE_LEN);
	varint(b, len);
	for (size_t i = 0; i < n; i++)
		varint(b, v[i]);
}
