// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "filecache/pagecache.h"

/* No __NR_cachestat in the headers of glibc 2.36; the same number on every
 * architecture but alpha. */
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

uint32_t fc_kernel_dev(dev_t dev)
{
	return major(dev) << 20 | minor(dev);
}

int fc_pick(const struct fc_result *r, const struct stat *st)
{
	uint32_t n = r->count < FC_MAX_RECORDS ? r->count : FC_MAX_RECORDS;
	uint32_t dev = fc_kernel_dev(st->st_dev);
	int found = -1;

	for (uint32_t i = 0; i < n && found < 0; i++)
		if (r->rec[i].ino == st->st_ino && r->rec[i].dev == dev)
			found = i;
	for (uint32_t i = 0; i < n && found < 0; i++)
		if (r->rec[i].ino == st->st_ino)
			found = i;
	if (found < 0 && n == 1)
		found = 0;	/* one answer, e.g. overlayfs with its own st_ino */
	if (found < 0 || r->rec[found].magic != OVERLAYFS_SUPER_MAGIC)
		return found;
	/* stat() of an overlayfs file goes on to the real one. */
	for (uint32_t i = found + 1; i < n; i++)
		if (r->rec[i].magic != OVERLAYFS_SUPER_MAGIC)
			found = i;
	return found;
}

int cachestat_fd(int fd, struct mt_cachestat *cs)
{
	struct {
		uint64_t off, len;	/* len 0: to the end of the file */
	} range = { 0, 0 };

	if (syscall(__NR_cachestat, fd, &range, cs, 0))
		return -errno;
	return 0;
}
