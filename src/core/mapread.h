/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a whole BPF hash map from user space, in batches. */
#ifndef MEMTRACE_CORE_MAPREAD_H
#define MEMTRACE_CORE_MAPREAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every entry of the hash map fd, MAPREAD_BATCH or more at a time
 * (BPF_MAP_LOOKUP_BATCH, Linux 5.6+: one syscall a batch, not two an
 * entry): each(ctx, keys, vals, n) for each batch, keys and vals arrays
 * of n entries of key_size and val_size bytes. Entries added or removed
 * while it reads may be missed or read twice, as with any walk of a map
 * being changed. Returns 0; -ENOTSUP when the kernel refused the first
 * batch (older kernels: read key by key); a negative errno; or each()'s
 * non-zero return, which stops the read.
 */
#define MAPREAD_BATCH 1024

int map_read_batches(int fd, size_t key_size, size_t val_size,
		     int (*each)(void *ctx, const void *keys, const void *vals,
				 uint32_t n),
		     void *ctx);

#endif /* MEMTRACE_CORE_MAPREAD_H */
