/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a whole BPF hash map at once. */
#ifndef MEMTRACE_CORE_MAPREAD_H
#define MEMTRACE_CORE_MAPREAD_H

#include <stddef.h>

/*
 * Every entry of the map fd, with BPF_MAP_LOOKUP_BATCH (Linux 5.6+): n
 * keys of key_size bytes in *keys and their values in *values, both
 * malloc'ed (NULL when n is 0). Entries added or removed while it reads
 * may be missed or read twice, as with any walk of a map being changed.
 * Returns 0 or -errno (nothing is returned then).
 */
int map_read_all(int fd, size_t key_size, size_t value_size, void **keys,
		 void **values, size_t *n);

#endif /* MEMTRACE_CORE_MAPREAD_H */
