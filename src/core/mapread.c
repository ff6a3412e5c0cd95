// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include "core/mapread.h"

/* Room for batch entries; zeroed: valgrind cannot see the kernel fill it. */
static int batch_room(void **keys, void **vals, size_t batch, size_t key_size,
		      size_t val_size)
{
	free(*keys);
	free(*vals);
	*keys = calloc(batch, key_size);
	*vals = calloc(batch, val_size);
	return *keys && *vals ? 0 : -ENOMEM;
}

int map_read_batches(int fd, size_t key_size, size_t val_size,
		     int (*each)(void *ctx, const void *keys, const void *vals,
				 uint32_t n),
		     void *ctx)
{
	size_t batch = MAPREAD_BATCH;
	void *keys = NULL, *vals = NULL;
	__u64 token = 0;
	bool first = true;
	int err = batch_room(&keys, &vals, batch, key_size, val_size), stop;

	while (!err) {
		LIBBPF_OPTS(bpf_map_batch_opts, bo);
		__u32 n = batch;

		err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token,
					   keys, vals, &n, &bo);
		err = err ? -errno : 0;
		/* ENOSPC: one bucket holds more entries than the batch. */
		if (err == -ENOSPC && !n) {
			batch *= 2;
			err = batch_room(&keys, &vals, batch, key_size, val_size);
			continue;
		}
		if (err && err != -ENOENT) {
			/* Before 5.6 the command is unknown: EINVAL (524,
			 * ENOTSUPP, for a map type without batches). */
			if (first && (err == -EINVAL || err == -524 ||
				      err == -EOPNOTSUPP))
				err = -ENOTSUP;
			break;
		}
		stop = n ? each(ctx, keys, vals, n) : 0;
		if (stop || err) {	/* err: ENOENT, that was the last batch */
			err = stop;
			break;
		}
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}
