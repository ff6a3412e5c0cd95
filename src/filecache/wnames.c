// SPDX-License-Identifier: GPL-2.0
/* filecache --watch: the files' names, from the kernel's dentries and the
 * mount table. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "filecache/wcollector.h"
#include "filecache/wnames.h"
#include "util/path.h"

#define MOUNTINFO "/proc/self/mountinfo"

void fcw_names_init(struct fcw_names *t)
{
	*t = (struct fcw_names){ .mounts_fd = -1 };
}

void fcw_names_free(struct fcw_names *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].path);
	free(t->slots);
	mountinfo_free(&t->mounts);
	if (t->mounts_fd >= 0)
		close(t->mounts_fd);
	fcw_names_init(t);
}

/*
 * poll() on an open mountinfo file reports POLLPRI (and POLLERR) once the
 * mount table changed since the last poll (fs/proc_namespace.c,
 * mounts_poll()): read again then, never otherwise.
 */
const struct mountinfo *fcw_names_mounts(struct fcw_names *t)
{
	struct pollfd p = { .fd = t->mounts_fd, .events = POLLPRI };

	if (t->mounts_fd >= 0 &&
	    (poll(&p, 1, 0) != 1 || !(p.revents & (POLLPRI | POLLERR))))
		return &t->mounts;
	if (t->mounts_fd < 0) {
		t->mounts_fd = open(MOUNTINFO, O_RDONLY | O_CLOEXEC);
		if (t->mounts_fd < 0)
			return NULL;
	}
	mountinfo_free(&t->mounts);
	if (mountinfo_read(MOUNTINFO, &t->mounts))
		return NULL;
	return &t->mounts;
}

static size_t slot_of(const struct fcw_names *t, const struct fcw_key *k)
{
	uint64_t h = (k->ino * 0x9e3779b97f4a7c15ULL) ^ k->dev ^
		     ((uint64_t)k->gen << 32);

	return (size_t)(h ^ h >> 29) & (t->cap - 1);
}

static bool same_key(const struct fcw_key *a, const struct fcw_key *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->gen == b->gen;
}

static struct fcw_name *lookup(const struct fcw_names *t,
			       const struct fcw_key *key)
{
	for (size_t i = slot_of(t, key);; i = (i + 1) & (t->cap - 1)) {
		struct fcw_name *s = &t->slots[i];

		if (!s->used || same_key(&s->key, key))
			return s;
	}
}

const struct fcw_name *fcw_names_find(const struct fcw_names *t,
				      const struct fcw_key *key)
{
	const struct fcw_name *s;

	if (!t->cap)
		return NULL;
	s = lookup(t, key);
	return s->used ? s : NULL;
}

static int grow(struct fcw_names *t)
{
	struct fcw_names bigger = *t;

	bigger.cap = t->cap ? 2 * t->cap : 1024;
	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].used)
			*lookup(&bigger, &t->slots[i].key) = t->slots[i];
	free(t->slots);
	t->slots = bigger.slots;
	t->cap = bigger.cap;
	return 0;
}

char *fcw_fs_path(const struct fcw_path_event *ev, size_t size)
{
	size_t len = size - FCW_PATH_EVENT_HDR, total = 1, at = 0;
	const char *comp[FCW_DEPTH];
	size_t clen[FCW_DEPTH];
	int n = 0;
	char *out;

	if (len > ev->len)
		len = ev->len;
	for (size_t i = 0; i < len && n < FCW_DEPTH; n++) {
		comp[n] = ev->names + i;
		clen[n] = strnlen(comp[n], len - i);
		i += clen[n] + 1;
		total += clen[n] + 1;
	}
	out = malloc(total + 1);
	if (!out)
		return NULL;
	if (ev->flags & FCW_P_ROOT || !n)
		out[at++] = '/';
	for (int k = n - 1; k >= 0; k--) {
		memcpy(out + at, comp[k], clen[k]);
		at += clen[k];
		if (k)
			out[at++] = '/';
	}
	out[at] = '\0';
	return out;
}

/* /dev/NAME of the block device rdev (the kernel's dev_t), from sysfs. */
static char *blockdev_path(uint32_t rdev)
{
	char link[64], target[PATH_MAX], *out;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", rdev >> 20,
		 rdev & 0xfffff);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	if (asprintf(&out, "/dev/%s", path_base(target)) < 0)
		return NULL;
	return out;
}

/* The path of a record whose walk reached its filesystem's root: through
 * a mount of that filesystem, else from its root (FCW_NAME_NO_MOUNT). */
static char *mounted_path(struct fcw_names *t, const struct fcw_path_event *ev,
			  char *fspath, unsigned int *flags)
{
	const struct mountinfo *mi = fcw_names_mounts(t);
	char *path = NULL;

	if (mi)
		path = mountinfo_path(mi, ev->key.dev >> 20, ev->key.dev & 0xfffff,
				      fspath);
	if (path) {
		free(fspath);
		return path;
	}
	*flags |= FCW_NAME_NO_MOUNT;
	return fspath;
}

int fcw_names_add(struct fcw_names *t, const void *data, size_t size)
{
	const struct fcw_path_event *ev = data;
	unsigned int flags = 0;
	struct fcw_name *s;
	char *path = NULL;

	if (size < FCW_PATH_EVENT_HDR)
		return -EINVAL;
	if (ev->flags & FCW_P_DELETED)
		flags |= FCW_NAME_DELETED;
	if (ev->flags & FCW_P_BLOCKDEV) {
		flags |= FCW_NAME_BLOCKDEV;
		path = blockdev_path(ev->rdev);
	} else if (ev->flags & FCW_P_NO_DENTRY) {
		flags |= FCW_NAME_NO_DENTRY;
	} else {
		path = fcw_fs_path(ev, size);
		if (!path)
			return -ENOMEM;
		if (ev->flags & FCW_P_ROOT)
			path = mounted_path(t, ev, path, &flags);
		else
			flags |= FCW_NAME_CUT;
	}
	if ((t->n + 1) * 2 > t->cap && grow(t)) {
		free(path);
		return -ENOMEM;
	}
	s = lookup(t, &ev->key);
	if (s->used)
		free(s->path);
	else
		t->n++;
	*s = (struct fcw_name){ .key = ev->key, .path = path, .flags = flags,
				.used = true };
	return 0;
}
