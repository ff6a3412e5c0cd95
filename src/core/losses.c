// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/losses.h"

int losses_read(int map_fd, uint64_t *out, int nslots)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (int slot = 0; slot < nslots; slot++) {
		__u32 key = slot;

		out[slot] = 0;
		if (bpf_map_lookup_elem(map_fd, &key, vals))
			continue;
		for (int cpu = 0; cpu < ncpus; cpu++)
			out[slot] += vals[cpu];
	}
	free(vals);
	return 0;
}
