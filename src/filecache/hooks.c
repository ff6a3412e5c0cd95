// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "filecache/hooks.h"

static int check(enum hook h, char *why, size_t len)
{
	int err;

	switch (h) {
	case HOOK_FENTRY:
		err = probe_fentry(vmlinux_kbtf(), "vfs_getattr_nosec");
		return hook_probed(err, why, len, "on vfs_getattr_nosec",
				   "no BTF for the function vfs_getattr_nosec",
				   "fentry on vfs_getattr_nosec");
	case HOOK_KPROBE:
		if (!probe_kprobes())
			return hook_unavailable(why, len,
						"this kernel has no kprobes");
		snprintf(why, len, "on vfs_getattr_nosec");
		return 0;
	case HOOK_TEST_RUN:
		return hook_probed(probe_test_run(), why, len,
				   "BPF_PROG_TEST_RUN on memtrace's own file descriptors",
				   "no BPF_PROG_TEST_RUN for raw_tp programs (Linux 5.10+)",
				   "BPF_PROG_TEST_RUN");
	default:
		return hook_unavailable(why, len, "not a method of this hook");
	}
}

const struct hook_set filecache_hooks = {
	.cmd = "filecache",
	.hooks = { { .what = "vfs_getattr_nosec",
		     .chain = { HOOK_FENTRY, HOOK_KPROBE, HOOK_TEST_RUN },
		     .chain_len = 3, .check = check } },
	.n = 1,
};
