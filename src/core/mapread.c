// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include "core/mapread.h"

int map_read_batches(int fd, size_t key_size, size_t val_size,
		     int (*each)(void *ctx, const void *keys, const void *vals,
				 uint32_t n),
		     void *ctx)
{
	/* Zeroed: valgrind does not know that the kernel fills them. */
	void *keys = calloc(MAPREAD_BATCH, key_size);
	void *vals = calloc(MAPREAD_BATCH, val_size);
	__u64 batch = 0;
	bool first = true;
	int err = 0, stop;

	while (keys && vals) {
		LIBBPF_OPTS(bpf_map_batch_opts, bo);
		__u32 n = MAPREAD_BATCH;

		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys,
					   vals, &n, &bo);
		if (err && errno != ENOENT) {
			/* Before 5.6: EINVAL; any refusal of the first alike. */
			err = first ? -ENOTSUP : -errno;
			break;
		}
		stop = n ? each(ctx, keys, vals, n) : 0;
		if (stop || err) {	/* err: ENOENT, that was the last batch */
			err = stop;
			break;
		}
		first = false;
	}
	if (!keys || !vals)
		err = -ENOMEM;
	free(keys);
	free(vals);
	return err;
}
