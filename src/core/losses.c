// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/losses.h"

int percpu_u64_sum(int map_fd, uint64_t *out, int nkeys, int width)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc((size_t)ncpus * width, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(out, 0, (size_t)nkeys * width * sizeof(*out));
	for (int key = 0; key < nkeys; key++) {
		uint64_t *sum = out + (size_t)key * width;
		__u32 k = key;

		if (bpf_map_lookup_elem(map_fd, &k, vals))
			continue;
		for (int cpu = 0; cpu < ncpus; cpu++)
			for (int i = 0; i < width; i++)
				sum[i] += vals[(size_t)cpu * width + i];
	}
	free(vals);
	return 0;
}

int losses_read(int map_fd, uint64_t *out, int nslots)
{
	return percpu_u64_sum(map_fd, out, nslots, 1);
}
