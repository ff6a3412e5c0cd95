// SPDX-License-Identifier: GPL-2.0
/* filecache's tree walk: directories of any depth, each walked once. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/loop.h"
#include "filecache/walk.h"

/*
 * Directories a walk keeps open at once. A deeper tree closes the
 * shallowest ones and opens them again on its way back up, so that a tree
 * of any depth is walked within the default limit of 1024 descriptors.
 */
#define FC_OPEN_DIRS 64

/*
 * A directory on the walk's stack. Its entries are read when it is
 * entered, so that its descriptor may be closed while deeper ones are
 * walked, and opened again by name from its parent's to go on.
 */
struct fc_dir {
	DIR *d;			/* NULL while closed */
	char *name;		/* in its parent; the path given for the top */
	char *names;		/* its entries, each ending in a NUL */
	size_t len, cap, next;	/* of names; where the next entry starts */
	size_t path_len;	/* its path: the first path_len bytes of path */
	dev_t dev;
	ino_t ino;
};

struct fc_walk {
	const struct fc_walk_ops *ops;
	uint64_t *ndirs;
	dev_t top_dev;
	struct fc_dir *dirs;	/* a stack; dirs[0] is the directory given */
	size_t depth, cap;
	size_t nopen;		/* how many have their descriptor open */
	size_t first_open;	/* none below dirs[first_open] is open */
	char *path;		/* of the entry looked at, of any length */
	size_t path_cap;
};

/* Grows *buf (of *cap bytes) to hold need bytes. */
static int grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;
	char *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* Makes w->path the path of name in the directory whose path is its first
 * len bytes (name alone when len is 0). */
static int path_to(struct fc_walk *w, size_t len, const char *name)
{
	bool slash = len && w->path[len - 1] != '/';

	if (grow(&w->path, &w->path_cap, len + slash + strlen(name) + 1))
		return -ENOMEM;
	if (slash)
		w->path[len++] = '/';
	strcpy(w->path + len, name);
	return 0;
}

/* Reads the entries of f->d into f->names. */
static int read_names(struct fc_dir *f)
{
	struct dirent *de;
	size_t n;

	while ((errno = 0, de = readdir(f->d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n = strlen(de->d_name) + 1;
		if (grow(&f->names, &f->cap, f->len + n))
			return -ENOMEM;
		memcpy(f->names + f->len, de->d_name, n);
		f->len += n;
	}
	return -errno;
}

/* Closes the shallowest open directories, down to FC_OPEN_DIRS open. */
static void keep_open_few(struct fc_walk *w)
{
	struct fc_dir *f;

	while (w->nopen > FC_OPEN_DIRS) {
		while (!w->dirs[w->first_open].d)
			w->first_open++;
		f = &w->dirs[w->first_open];
		closedir(f->d);
		f->d = NULL;
		w->nopen--;
	}
}

/*
 * Pushes the directory open as fd (taken over), named name in its parent,
 * whose path is w->path, and reads its entries. An error after the push
 * (a failed readdir) leaves the entries read so far to walk.
 */
static int dir_enter(struct fc_walk *w, int fd, const char *name,
		     const struct stat *st)
{
	struct fc_dir *f;
	int err;

	if (w->depth == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;

		f = realloc(w->dirs, cap * sizeof(*f));
		if (!f) {
			close(fd);
			return -ENOMEM;
		}
		w->dirs = f;
		w->cap = cap;
	}
	f = &w->dirs[w->depth];
	*f = (struct fc_dir){ .path_len = strlen(w->path), .dev = st->st_dev,
			      .ino = st->st_ino };
	f->name = strdup(name);
	f->d = f->name ? fdopendir(fd) : NULL;
	if (!f->d) {
		err = -errno;
		free(f->name);
		close(fd);
		return err;
	}
	w->depth++;
	w->nopen++;
	err = read_names(f);
	keep_open_few(w);
	return err;
}

static void dir_leave(struct fc_walk *w)
{
	struct fc_dir *f = &w->dirs[--w->depth];

	if (f->d) {
		closedir(f->d);
		w->nopen--;
	}
	free(f->name);
	free(f->names);
}

/*
 * Opens again, from the top down, the directories of the stack that were
 * closed; each must still be the one walked into. On failure, *failed is
 * the first that could not be.
 */
static int dir_reopen(struct fc_walk *w, size_t *failed)
{
	w->first_open = 0;
	for (size_t k = 0; k < w->depth; k++) {
		struct fc_dir *f = &w->dirs[k];
		struct fc_at at = { AT_FDCWD, f->name, NULL, true };
		struct stat st = { .st_dev = f->dev, .st_ino = f->ino,
				   .st_mode = S_IFDIR };
		int fd;

		if (f->d)
			continue;
		if (k) {
			at.dirfd = dirfd(w->dirs[k - 1].d);
			at.follow = w->ops->follow;
		}
		fd = fc_open_same(&at, O_RDONLY | O_DIRECTORY, &st);
		if (fd >= 0 && !(f->d = fdopendir(fd))) {
			close(fd);
			fd = -ENOMEM;
		}
		if (fd < 0) {
			*failed = k;
			return fd;
		}
		w->nopen++;
		keep_open_few(w);
	}
	return 0;
}

/* Back in a directory that was closed: opens it again, or reports it and
 * gives up the rest of it and of the directories below it. */
static int walk_reopen(struct fc_walk *w)
{
	size_t k;
	int err = dir_reopen(w, &k);

	if (!err)
		return 0;
	w->path[w->dirs[k].path_len] = '\0';
	w->ops->error(w->ops->ctx, w->path, err);
	for (; k < w->depth; k++)
		w->dirs[k].next = w->dirs[k].len;
	return err;
}

/* A directory met in the walk: pushed, to be walked next. Each is walked
 * once: a bind mount may hold its own parent, and with -L a link may lead
 * back up. */
static void walk_into(struct fc_walk *w, const struct fc_at *at,
		      const struct stat *st)
{
	const struct fc_walk_ops *ops = w->ops;
	int fd, err;

	if ((ops->one_fs && st->st_dev != w->top_dev) ||
	    !inode_set_add(ops->dirs, st->st_dev, st->st_ino))
		return;
	fd = fc_open_same(at, O_RDONLY | O_DIRECTORY, st);
	if (fd < 0) {
		ops->error(ops->ctx, at->path, fd);
		return;
	}
	(*w->ndirs)++;
	err = dir_enter(w, fd, at->name, st);
	if (err)
		ops->error(ops->ctx, at->path, err);
}

/* The next entry of the deepest directory: a file is counted, a directory
 * pushed; links not followed, devices, FIFOs and sockets are not counted. */
static void walk_entry(struct fc_walk *w)
{
	struct fc_dir *f = &w->dirs[w->depth - 1];
	const struct fc_walk_ops *ops = w->ops;
	const char *name = f->names + f->next;
	struct fc_at at = { dirfd(f->d), name, NULL, ops->follow };
	struct stat st;
	int err;

	f->next += strlen(name) + 1;
	if (path_to(w, f->path_len, name)) {
		w->path[f->path_len] = '\0';
		ops->error(ops->ctx, w->path, -ENOMEM);
		return;
	}
	at.path = w->path;
	err = fc_collector_stat(ops->col, &at, &st);
	if (err)
		ops->error(ops->ctx, w->path, err);
	else if (S_ISREG(st.st_mode))
		ops->file(ops->ctx, &at, &st);
	else if (S_ISDIR(st.st_mode))
		walk_into(w, &at, &st);
}

int fc_walk(const struct fc_walk_ops *ops, int fd, const char *path,
	    const struct stat *st, uint64_t *ndirs)
{
	struct fc_walk w = { .ops = ops, .ndirs = ndirs,
			     .top_dev = st->st_dev };
	struct fc_dir *f;
	int err, end = 0;

	err = path_to(&w, 0, path);
	if (err)
		close(fd);
	else
		err = dir_enter(&w, fd, path, st);
	if (err)
		ops->error(ops->ctx, path, err);
	while (w.depth) {
		f = &w.dirs[w.depth - 1];
		if (f->next == f->len) {
			dir_leave(&w);
		} else if (loop_interrupted()) {
			end = -EINTR;
			break;
		} else if (f->d || !walk_reopen(&w)) {
			walk_entry(&w);
		}
	}
	while (w.depth)
		dir_leave(&w);
	free(w.dirs);
	free(w.path);
	return end;
}
