// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "filecache/hooks.h"
#include "util/procfs.h"

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
		     .chain = { HOOK_TEST_RUN, HOOK_FENTRY, HOOK_KPROBE },
		     .chain_len = 3, .check = check } },
	.n = 1,
};

/* -- --watch ----------------------------------------------------------- */

static const char *const filemap_events[] = {
	"mm_filemap_add_to_page_cache", "mm_filemap_delete_from_page_cache",
};

#define NR_FILEMAP (int)(sizeof(filemap_events) / sizeof(filemap_events[0]))

/*
 * The classic tracepoint's record gives a pfn, not the folio: memtrace
 * finds the struct pages from one of its own pages, whose frame number
 * /proc/self/pagemap gives, and a program run with BPF_PROG_TEST_RUN.
 */
static int check_pfns(char *why, size_t len)
{
	uint64_t pfn;
	int err = probe_test_run();

	if (err)
		return hook_probed(err, why, len, "",
				   "no BPF_PROG_TEST_RUN for raw_tp programs (Linux 5.10+), to find struct pages from pfns",
				   "BPF_PROG_TEST_RUN");
	err = proc_self_pfn(&pfn, &pfn);
	if (err == -EPERM)
		return hook_unavailable(why, len,
					"/proc/self/pagemap gives no frame numbers without CAP_SYS_ADMIN: the records' pfns cannot be followed");
	if (err)
		return hook_unavailable(why, len, "/proc/self/pagemap: %s",
					strerror(-err));
	return 0;
}

static int check_watch(enum hook h, char *why, size_t len)
{
	char where[HOOK_WHY_LEN];

	if (h == HOOK_TP_BTF)
		return tp_btf_check(filemap_events, NR_FILEMAP, why, len);
	if (h != HOOK_TRACEPOINT)
		return hook_unavailable(why, len, "not a method of this hook");
	if (tracepoint_check("filemap", filemap_events, NR_FILEMAP, where,
			     sizeof(where))) {
		snprintf(why, len, "%s", where);
		return HOOK_UNAVAILABLE;
	}
	if (check_pfns(why, len))
		return HOOK_UNAVAILABLE;
	snprintf(why, len, "%s; pfns followed to struct pages", where);
	return 0;
}

const struct hook_set filecache_watch_hooks = {
	.cmd = "filecache",
	.mode = "watch",
	.mode_help = "--watch",
	.hooks = { { .what = "mm_filemap_add/delete_from_page_cache",
		     .chain = { HOOK_TP_BTF, HOOK_TRACEPOINT }, .chain_len = 2,
		     .check = check_watch } },
	.n = 1,
};
