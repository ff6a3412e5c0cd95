/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing protocol buffers by hand: varints, and length-delimited fields
 * (strings, packed numbers, nested messages) after the wire format of
 * protobuf's encoding documentation. Enough for pprof's profile.proto.
 */
#ifndef MEMTRACE_UTIL_PROTOBUF_H
#define MEMTRACE_UTIL_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pb {
	uint8_t *buf;
	size_t len, cap;
	bool oom;			/* a write found no memory: buf is
					 * incomplete */
};

void pb_free(struct pb *b);
void pb_reset(struct pb *b);		/* empty, keeping the memory */

/* A varint field (wire type 0); zero is written too. */
void pb_uint(struct pb *b, uint32_t field, uint64_t v);
/* The same, left out when v is 0 (proto3's default). */
void pb_uint_nz(struct pb *b, uint32_t field, uint64_t v);
/* Bytes (wire type 2): a string, or a nested message already encoded. */
void pb_bytes(struct pb *b, uint32_t field, const void *p, size_t len);
/* Packed repeated varints. */
void pb_packed(struct pb *b, uint32_t field, const uint64_t *v, size_t n);

#endif /* MEMTRACE_UTIL_PROTOBUF_H */
