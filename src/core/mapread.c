// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "core/mapread.h"

/* Room for at least want more entries in *keys and *values. */
static int reserve(void **keys, void **values, size_t *cap, size_t want,
		   size_t key_size, size_t value_size)
{
	size_t cap2 = *cap ? *cap : 1024;
	void *k, *v;

	while (cap2 < want)
		cap2 *= 2;
	if (cap2 == *cap)
		return 0;
	k = realloc(*keys, cap2 * key_size);
	if (!k)
		return -ENOMEM;
	*keys = k;
	v = realloc(*values, cap2 * value_size);
	if (!v)
		return -ENOMEM;
	*values = v;
	/* Zeroed: valgrind cannot see the kernel write them. */
	memset((char *)k + *cap * key_size, 0, (cap2 - *cap) * key_size);
	memset((char *)v + *cap * value_size, 0, (cap2 - *cap) * value_size);
	*cap = cap2;
	return 0;
}

int map_read_all(int fd, size_t key_size, size_t value_size, void **keys,
		 void **values, size_t *n)
{
	size_t cap = 0, batch = 1024;
	uint64_t token = 0;
	bool first = true;
	int err = 0;

	*keys = *values = NULL;
	*n = 0;
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 got = batch;

		err = reserve(keys, values, &cap, *n + batch, key_size, value_size);
		if (err)
			break;
		err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token,
					   (char *)*keys + *n * key_size,
					   (char *)*values + *n * value_size,
					   &got, &opts);
		err = err ? -errno : 0;
		/* ENOSPC: a bucket holds more entries than the batch. */
		if (err == -ENOSPC && !got) {
			batch *= 2;
			continue;
		}
		*n += got;
		first = false;
		if (err == -ENOENT) {	/* that was the last batch */
			err = 0;
			break;
		}
		if (err)
			break;
	}
	if (err) {
		free(*keys);
		free(*values);
		*keys = *values = NULL;
		*n = 0;
	}
	return err;
}
