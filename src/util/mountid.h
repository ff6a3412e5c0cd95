/* SPDX-License-Identifier: GPL-2.0 */
/* The mount a path lies on. */
#ifndef MEMTRACE_UTIL_MOUNTID_H
#define MEMTRACE_UTIL_MOUNTID_H

/* The mount ID of the mount holding path (mountinfo's first field), from
 * statx(2) (STATX_MNT_ID, Linux 5.8); -1 when the kernel has none to give. */
int mount_id_of(const char *path);

#endif /* MEMTRACE_UTIL_MOUNTID_H */
