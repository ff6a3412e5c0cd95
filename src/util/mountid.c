// SPDX-License-Identifier: GPL-2.0
/*
 * statx(2) through syscall(2): musl 1.2.3 (Debian 12's) has no wrapper and
 * no struct statx, so the kernel's header gives it. This file includes no
 * <sys/stat.h>: under musl the kernel's header would define S_IFMT and
 * friends a second time.
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/stat.h>
#include "util/mountid.h"

int mount_id_of(const char *path)
{
	struct statx sx;

	if (syscall(SYS_statx, AT_FDCWD, path, 0, STATX_MNT_ID, &sx) ||
	    !(sx.stx_mask & STATX_MNT_ID) || sx.stx_mnt_id > 0x7fffffff)
		return -1;
	return (int)sx.stx_mnt_id;
}
