/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory mappings a traced process made with mmap, as leak tracks them:
 * munmap of part of a region removes exactly that part, mremap moves it.
 */
#ifndef MEMTRACE_REGIONS_H
#define MEMTRACE_REGIONS_H

#include <stddef.h>
#include <stdint.h>

struct region {
	uint64_t start, end;		/* [start, end): end = start + length
					 * asked for, not rounded to pages */
	uint64_t ts_ns;
	uint64_t id;			/* the mmap it came from: the pieces
					 * a munmap leaves share it */
	uint64_t stack;
};

/* Sorted by start; regions never overlap. */
struct regions {
	struct region *v;
	size_t n, cap;
	uint64_t page_size;
	uint64_t next_id;
	int oom;			/* a region could not be stored */
};

void regions_init(struct regions *r, uint64_t page_size);
void regions_free(struct regions *r);
/* mmap: a new mapping replaces whatever it overlaps (MAP_FIXED). */
void regions_map(struct regions *r, uint64_t addr, uint64_t len,
		 uint64_t stack, uint64_t ts_ns);
/* munmap: the kernel unmaps whole pages, [addr, addr + len rounded up). */
void regions_unmap(struct regions *r, uint64_t addr, uint64_t len);
/* mremap: the old range goes, the new one is a region of new_len bytes. */
void regions_remap(struct regions *r, uint64_t old_addr, uint64_t old_len,
		   uint64_t new_addr, uint64_t new_len, uint64_t stack,
		   uint64_t ts_ns);
uint64_t regions_bytes(const struct regions *r);

#endif /* MEMTRACE_REGIONS_H */
