/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files as filecache finds them, without BPF: named relative to a
 * directory, opened only as the inode stat() saw (a name may be given to
 * another file meanwhile), and counted once by (dev, ino).
 */
#ifndef MEMTRACE_FILECACHE_FILES_H
#define MEMTRACE_FILECACHE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/*
 * A file to look at: name, relative to dirfd; path names it in messages
 * and rows. follow: a symbolic link at name is followed, as it is for a
 * path of the command line (as ls, vmtouch and fincore do), and in walks
 * with -L.
 */
struct fc_at {
	int dirfd;
	const char *name;
	const char *path;
	bool follow;
};

/* A file opened is not the one stat() described: between the two, its
 * name was given to another (renamed over, or swapped for a FIFO). One
 * past the kernel's errno values (MAX_ERRNO). */
#define FC_ECHANGED 4096

/* strerror(-err), or what FC_ECHANGED means. */
const char *fc_err_text(int err);

/*
 * Opens at with flags (O_NOFOLLOW unless at is to be followed), and checks
 * that it is still what st describes: the same inode, of the same type.
 * O_NONBLOCK keeps a FIFO put there from blocking the open. Returns the
 * descriptor, or -errno (-FC_ECHANGED).
 */
int fc_open_same(const struct fc_at *at, int flags, const struct stat *st);
/* The regular file at, opened for reading (blocking reads), without
 * updating its access time where allowed. */
int fc_open_read(const struct fc_at *at, const struct stat *st);

/* (dev, ino) already counted: hard links and paths given twice count
 * once; a directory met again in a walk is not walked again. */
struct inode_set {
	struct { dev_t dev; ino_t ino; } *slots;
	size_t n, cap;		/* cap: a power of two, 0 when empty */
};

/* Adds (dev, ino); false if it was there already. */
bool inode_set_add(struct inode_set *s, dev_t dev, ino_t ino);
void inode_set_free(struct inode_set *s);

#endif /* MEMTRACE_FILECACHE_FILES_H */
