// SPDX-License-Identifier: GPL-2.0
/* Naming, opening and counting files once, for filecache. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "filecache/files.h"

const char *fc_err_text(int err)
{
	return err == -FC_ECHANGED ? "changed while being read" : strerror(-err);
}

int fc_open_same(const struct fc_at *at, int flags, const struct stat *st)
{
	struct stat now;
	int fd, err = 0;

	flags |= O_CLOEXEC | O_NONBLOCK | (at->follow ? 0 : O_NOFOLLOW);
	fd = openat(at->dirfd, at->name, flags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &now))
		err = -errno;
	else if (now.st_dev != st->st_dev || now.st_ino != st->st_ino ||
		 ((now.st_mode ^ st->st_mode) & S_IFMT))
		err = -FC_ECHANGED;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int fc_open_read(const struct fc_at *at, const struct stat *st)
{
	int fd = fc_open_same(at, O_RDONLY | O_NOATIME, st), fl;

	/* O_NOATIME needs to own the file, or CAP_FOWNER. */
	if (fd == -EPERM)
		fd = fc_open_same(at, O_RDONLY, st);
	/* A file's reads wait for the disk: where a filesystem would take
	 * O_NONBLOCK to mean "don't", --touch would read nothing. */
	if (fd >= 0 && (fl = fcntl(fd, F_GETFL)) >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

bool inode_set_add(struct inode_set *s, dev_t dev, ino_t ino)
{
	size_t mask, i;

	if (s->n * 2 >= s->cap) {
		struct inode_set bigger = { .cap = s->cap ? s->cap * 2 : 64 };

		bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
		if (!bigger.slots)
			return true;	/* count it rather than fail */
		for (i = 0; i < s->cap; i++)
			if (s->slots[i].ino || s->slots[i].dev)
				inode_set_add(&bigger, s->slots[i].dev,
					      s->slots[i].ino);
		free(s->slots);
		*s = bigger;
	}
	mask = s->cap - 1;
	for (i = (ino * 0x9e3779b97f4a7c15ULL ^ dev) & mask;;
	     i = (i + 1) & mask) {
		if (!s->slots[i].ino && !s->slots[i].dev)
			break;
		if (s->slots[i].ino == ino && s->slots[i].dev == dev)
			return false;
	}
	s->slots[i].dev = dev;
	s->slots[i].ino = ino;
	s->n++;
	return true;
}

void inode_set_free(struct inode_set *s)
{
	free(s->slots);
	*s = (struct inode_set){ 0 };
}
