/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the files --watch has seen, by (dev, ino, gen): what the
 * kernel sends (the dentries from the file up to its filesystem's root)
 * made a path through the mount table, which is read again when it has
 * changed (a filesystem mounted since).
 */
#ifndef MEMTRACE_FILECACHE_WNAMES_H
#define MEMTRACE_FILECACHE_WNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include "memtrace/filecache.h"
#include "util/mountinfo.h"

struct fcw_name {
	struct fcw_key key;
	char *path;			/* NULL: none */
	unsigned int flags;		/* FCW_NAME_* */
	bool used;
};

struct fcw_names {
	struct fcw_name *slots;
	size_t n, cap;			/* cap: a power of two, or 0 */
	struct mountinfo mounts;
	int mounts_fd;			/* /proc/self/mountinfo, polled */
};

void fcw_names_init(struct fcw_names *t);
void fcw_names_free(struct fcw_names *t);

/* The mount table, read again if it changed since: NULL when it cannot
 * be read. */
const struct mountinfo *fcw_names_mounts(struct fcw_names *t);

/* A record from the kernel, size bytes of it: 0, -EINVAL (too short),
 * -ENOMEM. A second record for a file replaces the first. */
int fcw_names_add(struct fcw_names *t, const void *data, size_t size);
const struct fcw_name *fcw_names_find(const struct fcw_names *t,
				      const struct fcw_key *key);

/* The path from its filesystem's root that a record's names make: "/a/b"
 * (or "a/b" when the walk did not reach the root). Malloc'ed; NULL on
 * ENOMEM. */
char *fcw_fs_path(const struct fcw_path_event *ev, size_t size);

#endif /* MEMTRACE_FILECACHE_WNAMES_H */
