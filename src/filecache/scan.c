// SPDX-License-Identifier: GPL-2.0
/* filecache: each path of the command line, into rows and totals. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"
#include "core/loop.h"
#include "filecache/scan.h"
#include "filecache/views.h"
#include "filecache/walk.h"

void fc_scan_init(struct fc_scan *s, const struct fc_opts *o,
		  struct fc_collector *col)
{
	*s = (struct fc_scan){ .o = o, .col = col,
			       .page_size = getpagesize() };
}

void fc_scan_free(struct fc_scan *s)
{
	for (size_t i = 0; i < s->nrows; i++)
		free(s->rows[i].path);
	free(s->rows);
	inode_set_free(&s->files);
	inode_set_free(&s->dirs);
}

/* One line on stderr about path. */
static void path_msg(const char *path, const char *msg)
{
	char *q = fc_quote_path(path);

	log_note("%s: %s", q ? q : "?", msg);
	free(q);
}

static void path_error(struct fc_scan *s, const char *path, const char *why)
{
	path_msg(path, why);
	s->failed++;
}

/* -- Touch, evict, detail: these open the file ------------------------- */

static int touch_fd(int fd, uint64_t size)
{
	static char buf[1 << 20];
	uint64_t off = 0;
	ssize_t n;

	posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
	while (off < size) {
		n = pread(fd, buf, sizeof(buf), off);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		off += n;
	}
	return 0;
}

/* --touch, --evict, --detail on one file; row->cached is refreshed. */
static int act_on_file(struct fc_scan *s, const struct fc_at *at,
		       const struct stat *st, struct fc_row *row)
{
	const struct fc_opts *o = s->o;
	int fd, err = 0;

	fd = fc_open_read(at, st);
	if (fd < 0)
		return fd;
	if (o->touch)
		err = touch_fd(fd, st->st_size);
	else if (o->evict)
		err = -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (!err && (o->touch || o->evict)) {
		row->before = row->cached;
		err = fc_collector_pages_fd(s->col, fd, st, &row->cached);
	}
	if (!err && o->detail) {
		err = cachestat_fd(fd, &row->cs);
		row->has_cs = !err;
	}
	close(fd);
	return err;
}

/* -- Rows -------------------------------------------------------------- */

static struct fc_row *new_row(struct fc_scan *s, const char *path, bool dir)
{
	struct fc_row *tmp;

	if (s->nrows == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		tmp = realloc(s->rows, cap * sizeof(*s->rows));
		if (!tmp)
			return NULL;
		s->rows = tmp;
		s->cap = cap;
	}
	tmp = &s->rows[s->nrows];
	*tmp = (struct fc_row){ .path = strdup(path), .dir = dir,
				.seq = s->nrows };
	if (!tmp->path)
		return NULL;
	s->nrows++;
	return tmp;
}

static void add_totals(struct fc_totals *a, const struct fc_totals *b)
{
	a->files += b->files;
	a->dirs += b->dirs;
	a->size += b->size;
	a->pages += b->pages;
	a->cached += b->cached;
	a->before += b->before;
}

/*
 * One regular file: count it (once per inode) into tot, and when rows are
 * wanted for it, add one. fc_collector_stat() gave st just before.
 * given: a path of the command line (a second one for the same file is
 * worth a note; a hard link met in a walk is not).
 */
static void file_at(struct fc_scan *s, const struct fc_at *at,
		    const struct stat *st, struct fc_totals *tot, bool want_row,
		    bool given)
{
	struct fc_row row = { .size = st->st_size };
	struct fc_row *p;
	int err;

	if (!inode_set_add(&s->files, st->st_dev, st->st_ino)) {
		if (given)
			path_msg(at->path,
				 "already counted (the same file as an earlier path)");
		return;
	}
	row.pages = (st->st_size + s->page_size - 1) / s->page_size;
	err = fc_collector_pages(s->col, at, st, &row.cached);
	if (!err && (s->o->touch || s->o->evict || s->o->detail))
		err = act_on_file(s, at, st, &row);
	if (err) {
		path_error(s, at->path, fc_err_text(err));
		return;
	}
	add_totals(tot, &(struct fc_totals){ .files = 1, .size = row.size,
					     .pages = row.pages,
					     .cached = row.cached,
					     .before = row.before });
	if (!want_row)
		return;
	p = new_row(s, at->path, false);
	if (!p)
		return;
	row.path = p->path;
	*p = row;
}

/* -- Paths of the command line ----------------------------------------- */

static const char *type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "a special file";
	}
}

/* What a walk of one path adds to. */
struct walk_ctx {
	struct fc_scan *s;
	struct fc_totals *tot;
};

static void walk_file(void *ctx, const struct fc_at *at, const struct stat *st)
{
	struct walk_ctx *w = ctx;

	file_at(w->s, at, st, w->tot, w->s->o->files, false);
}

static void walk_error(void *ctx, const char *path, int err)
{
	path_error(((struct walk_ctx *)ctx)->s, path, fc_err_text(err));
}

/* A directory of the command line, with -r: its tree into tot, and its
 * row unless each file has one. */
static void do_dir(struct fc_scan *s, const struct fc_at *at,
		   const struct stat *st, struct fc_totals *tot)
{
	struct walk_ctx ctx = { s, tot };
	struct fc_walk_ops ops = {
		.col = s->col, .follow = s->o->follow, .one_fs = s->o->one_fs,
		.dirs = &s->dirs, .ctx = &ctx,
		.file = walk_file, .error = walk_error,
	};
	struct fc_row *row;
	int fd;

	inode_set_add(&s->dirs, st->st_dev, st->st_ino);
	fd = fc_open_same(at, O_RDONLY | O_DIRECTORY, st);
	if (fd < 0) {
		path_error(s, at->path, fc_err_text(fd));
		return;
	}
	tot->dirs = 1;
	if (fc_walk(&ops, fd, at->path, st, &tot->dirs) == -EINTR)
		s->partial = true;
	if (!s->o->files && (row = new_row(s, at->path, true))) {
		row->size = tot->size;
		row->pages = tot->pages;
		row->cached = tot->cached;
		row->before = tot->before;
	}
	add_totals(&s->total, tot);
}

/* One path of the command line; symbolic links to it are followed, as ls
 * and vmtouch do with theirs. */
static void do_path(struct fc_scan *s, const char *path)
{
	struct fc_at at = { AT_FDCWD, path, path, true };
	struct fc_totals tot = { 0 };
	struct stat st;
	char why[96];
	int err;

	err = fc_collector_stat(s->col, &at, &st);
	if (err) {
		path_error(s, path, strerror(-err));
	} else if (S_ISREG(st.st_mode)) {
		file_at(s, &at, &st, &tot, true, true);
		add_totals(&s->total, &tot);
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(why, sizeof(why), "%s, not a regular file or directory",
			 type_name(st.st_mode));
		path_error(s, path, why);
	} else if (!s->o->recursive) {
		path_msg(path, "a directory (-r walks it)");
	} else {
		do_dir(s, &at, &st, &tot);
	}
}

void fc_scan_paths(struct fc_scan *s, char **paths, int n)
{
	for (int i = 0; i < n && !s->partial; i++) {
		if (loop_interrupted())
			s->partial = true;
		else
			do_path(s, paths[i]);
	}
}
