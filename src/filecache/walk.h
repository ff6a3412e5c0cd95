/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walking a directory tree for filecache: depth first, with an explicit
 * stack, so that neither the depth of a tree nor the length of its paths
 * has a limit, and with a bounded number of directories open at once.
 */
#ifndef MEMTRACE_FILECACHE_WALK_H
#define MEMTRACE_FILECACHE_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include "filecache/collector.h"
#include "filecache/files.h"

struct fc_walk_ops {
	struct fc_collector *col;	/* each entry's stat() goes through it */
	bool follow;			/* -L: follow symbolic links */
	bool one_fs;			/* -x: stay on the top's filesystem */
	struct inode_set *dirs;		/* directories walked, by all walks */
	void *ctx;
	/* A regular file; fc_collector_stat() just gave st. */
	void (*file)(void *ctx, const struct fc_at *at, const struct stat *st);
	/* A path that could not be read (err: -errno, -FC_ECHANGED). */
	void (*error)(void *ctx, const char *path, int err);
};

/*
 * Walks the directory open as fd (taken over), the path given whose stat
 * is st; each directory below it is walked once (a bind mount may hold its
 * own parent, and with -L a link may lead back up). Links not followed,
 * devices, FIFOs and sockets are passed over. *ndirs counts the
 * directories entered below the top. Returns 0, or -EINTR when a signal
 * stopped it (loop_interrupted()).
 */
int fc_walk(const struct fc_walk_ops *ops, int fd, const char *path,
	    const struct stat *st, uint64_t *ndirs);

#endif /* MEMTRACE_FILECACHE_WALK_H */
