// SPDX-License-Identifier: GPL-2.0
/* memtrace filecache: page-cache residency of files and trees, read in the
 * kernel from the inode's address_space (nrpages). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/btf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "memtrace/filecache.h"
#include "filecache.skel.h"
#include "core/args.h"
#include "util/kbtf.h"
#include "commands.h"
#include "core/log.h"
#include "core/loop.h"
#include "util/output.h"
#include "filecache/pagecache.h"
#include "core/hooks.h"

enum fc_sort { SORT_NONE, SORT_CACHED, SORT_SIZE, SORT_PERCENT, SORT_NAME };

static const char *const sort_names[] = {
	[SORT_NONE] = "none",
	[SORT_CACHED] = "cached",
	[SORT_SIZE] = "size",
	[SORT_PERCENT] = "percent",
	[SORT_NAME] = "name",
};

struct fc_opts {
	struct common_opts common;
	bool recursive, one_fs, follow, bytes, detail, touch, evict;
	enum fc_sort sort;
	uint64_t top;
	char **paths;
	int npaths;
};

/* One line of output: a file, or a directory argument's total. */
struct fc_row {
	char *path;
	bool dir;
	uint64_t size, pages, cached, before;
	struct mt_cachestat cs;
	bool has_cs;
};

struct fc_totals {
	uint64_t files, dirs, size, pages, cached, before;
};

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

/* (dev, ino) already counted: hard links and paths given twice count
 * once; a directory met again in a walk is not walked again. */
struct inode_set {
	struct { dev_t dev; ino_t ino; } *slots;
	size_t n, cap;		/* cap: a power of two, 0 when empty */
};

struct fc_run {
	const struct fc_opts *o;
	struct filecache_bpf *skel;
	struct kbtf *btf, *ovl_btf;	/* the kernel's, overlayfs's if a module */
	struct kbtf_subset subset;	/* what CO-RE needs of them */
	enum hook method;
	long page_size;
	struct fc_row *rows;
	size_t nrows, cap;
	struct fc_totals total;
	struct inode_set files, dirs;
	struct json json;
	int failed;
	bool partial;		/* a signal stopped it before the end */
};

enum {
	OPT_SORT = OPT_CMD_FIRST,
	OPT_TOP,
	OPT_BYTES,
	OPT_DETAIL,
	OPT_TOUCH,
	OPT_EVICT,
};

static const struct option longopts[] = {
	{ "recursive", no_argument, NULL, 'r' },
	{ "one-file-system", no_argument, NULL, 'x' },
	{ "dereference", no_argument, NULL, 'L' },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "bytes", no_argument, NULL, OPT_BYTES },
	{ "detail", no_argument, NULL, OPT_DETAIL },
	{ "touch", no_argument, NULL, OPT_TOUCH },
	{ "evict", no_argument, NULL, OPT_EVICT },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: memtrace filecache [options] PATH...\n"
		"\n"
		"How much of each file is in the page cache, read in the kernel from the\n"
		"file's address_space (nrpages): one lookup per file, whatever its size.\n"
		"Then a summary, like vmtouch's. Directories are walked with -r: one row\n"
		"per directory given (its whole tree), or one per file with -v.\n"
		"\n"
		"Options:\n"
		"  -r, --recursive        walk directories, of any depth, each once\n"
		"  -x, --one-file-system  do not cross into other filesystems while walking\n"
		"  -L, --dereference      follow symbolic links while walking (those named\n"
		"                         on the command line are always followed)\n"
		"      --sort KEY         cached (pages), size, percent or name\n"
		"      --top N            only the N files with the most pages cached\n"
		"      --bytes            exact byte counts instead of 4.0K, 1.2M\n"
		"      --detail           also dirty, writeback, evicted and recently\n"
		"                         evicted pages (cachestat(2), Linux 6.5+)\n"
		"      --touch            read the files into the page cache\n"
		"      --evict            drop their clean pages (POSIX_FADV_DONTNEED)\n"
		"  -v, --verbose          a row per file; on stderr, the hook used\n"
		"      --json             one JSON object per row, and a summary\n"
		"  -h, --help             show this help\n"
		"\n"
		"Paths are quoted in text like a shell's $'...' where they hold control\n"
		"characters, and cut to 4096 bytes in rows, ending in \"...\" (--json\n"
		"has them whole).\n"
		"\n"
		"A path that cannot be read, or is not a regular file or directory, is\n"
		"reported on stderr; the others are still shown, and the exit status is 1.\n"
		"Ctrl-C stops it: the rows and summary so far are shown, said to be\n"
		"partial, and the exit status is 1.\n"
		"Paths are never opened for reading unless --touch, --evict or --detail\n"
		"ask for it, and then without updating their access time where allowed.\n");
}

static int parse_args(int argc, char **argv, struct fc_opts *o)
{
	int c, err, i;

	*o = (struct fc_opts){ 0 };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT_OPTS "rxL", longopts,
				NULL)) != -1) {
		err = -1;
		switch (c) {
		case 'r':
			o->recursive = true;
			break;
		case 'x':
			o->one_fs = true;
			break;
		case 'L':
			o->follow = true;
			break;
		case OPT_SORT:
			for (i = SORT_CACHED; i <= SORT_NAME; i++)
				if (!strcmp(optarg, sort_names[i]))
					o->sort = i;
			if (o->sort == SORT_NONE)
				err = args_bad_value("--sort", optarg, -EINVAL,
						     "expected cached, size, percent or name");
			break;
		case OPT_TOP:
			err = arg_u64("--top", optarg, 1, UINT32_MAX, &o->top);
			break;
		case OPT_BYTES:
			o->bytes = true;
			break;
		case OPT_DETAIL:
			o->detail = true;
			break;
		case OPT_TOUCH:
			o->touch = true;
			break;
		case OPT_EVICT:
			o->evict = true;
			break;
		default:
			err = args_common(c, argv, longopts, &o->common, usage);
		}
		if (err >= 0)
			return err;
	}
	if (optind >= argc)
		return log_usage("no PATH given");
	if (o->touch && o->evict)
		return log_usage("--touch and --evict exclude each other");
	/* --top keeps the largest: by cached pages unless told otherwise. */
	if (o->top && o->sort == SORT_NONE)
		o->sort = SORT_CACHED;
	o->paths = argv + optind;
	o->npaths = argc - optind;
	return -1;
}

/* Adds (dev, ino); false if it was there already. */
static bool inode_set_add(struct inode_set *s, dev_t dev, ino_t ino)
{
	size_t mask, i;

	if (s->n * 2 >= s->cap) {
		struct inode_set bigger = { .cap = s->cap ? s->cap * 2 : 1024 };

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

/* A file opened is not the one stat() described: between the two, its
 * name was given to another (renamed over, or swapped for a FIFO). One
 * past the kernel's errno values (MAX_ERRNO). */
#define FC_ECHANGED 4096

static const char *err_text(int err)
{
	return err == -FC_ECHANGED ? "changed while being read" : strerror(-err);
}

/*
 * A path for a terminal, quoted as text_quote() does ($'...' around
 * control characters: a newline would split a row, an ESC start a
 * terminal's escape sequence), in memory of its own: a path may be of any
 * length. NULL when out of memory.
 */
static char *quote_path(const char *path)
{
	size_t n = strlen(path), cap = 4 * n + 4;	/* $'', \xNN a byte */
	char *q = malloc(cap);

	if (q)
		text_quote(q, cap, path, n);
	return q;
}

/* One line on stderr about path. */
static void path_msg(const char *path, const char *msg)
{
	char *q = quote_path(path);

	log_note("%s: %s", q ? q : "?", msg);
	free(q);
}

static void path_error(struct fc_run *r, const char *path, const char *why)
{
	path_msg(path, why);
	r->failed++;
}

/* -- Asking the kernel ------------------------------------------------- */

static void reset_result(struct fc_run *r)
{
	r->skel->bss->result.count = 0;
}

/* The BPF_PROG_TEST_RUN way: the program finds fd in our file table. */
static int test_run_fd(struct fc_run *r, int fd)
{
	__u64 args[1] = { (__u64)fd };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args,
		    .ctx_size_in = sizeof(args));
	int err;

	reset_result(r);
	err = bpf_prog_test_run_opts(bpf_program__fd(r->skel->progs.fd_test_run),
				     &opts);
	if (err)
		return -errno;
	return opts.retval ? -EBADF : 0;
}

/*
 * Opens at with flags (O_NOFOLLOW unless at is to be followed), and checks
 * that it is still what st describes: the same inode, of the same type.
 * The name may have gone to another file since the stat(); O_NONBLOCK
 * keeps a FIFO put there from blocking the open. Returns the descriptor,
 * or -errno (-FC_ECHANGED).
 */
static int open_same(const struct fc_at *at, int flags, const struct stat *st)
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

/* Opens the regular file at for reading, without updating its access time
 * where allowed. */
static int open_read(const struct fc_at *at, const struct stat *st)
{
	int fd = open_same(at, O_RDONLY | O_NOATIME, st), fl;

	/* O_NOATIME needs to own the file, or CAP_FOWNER. */
	if (fd == -EPERM)
		fd = open_same(at, O_RDONLY, st);
	/* A file's reads wait for the disk: where a filesystem would take
	 * O_NONBLOCK to mean "don't", --touch would read nothing. */
	if (fd >= 0 && (fl = fcntl(fd, F_GETFL)) >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

/* Asks the kernel about the open file fd: its fstat() fires the fentry or
 * kprobe hook as a stat() does; test_run looks the descriptor up. */
static int ask_fd(struct fc_run *r, int fd)
{
	struct stat again;

	if (r->method == HOOK_TEST_RUN)
		return test_run_fd(r, fd);
	reset_result(r);
	return fstat(fd, &again) ? -errno : 0;
}

/* The answer to the last question, for the file whose stat is st. */
static int answer(struct fc_run *r, const struct stat *st, uint64_t *cached)
{
	int i = fc_pick(&r->skel->bss->result, st);

	if (i < 0)
		return -ENOENT;
	*cached = r->skel->bss->result.rec[i].nrpages;
	return 0;
}

/*
 * The cached pages of the file at whose stat is st. With fentry or kprobe,
 * the stat() that got st already asked the kernel (the caller reset the
 * result first). With test_run, the file is opened as O_PATH (no
 * permission needed, nothing changes) and looked up; an overlayfs file is
 * opened for reading instead, as only an open file leads to the real one.
 * Either open must find the inode of st, not one renamed there since.
 */
static int cached_pages(struct fc_run *r, const struct fc_at *at,
			const struct stat *st, uint64_t *cached)
{
	int fd, err;

	if (r->method == HOOK_TEST_RUN) {
		fd = open_same(at, O_PATH, st);
		if (fd < 0)
			return fd;
		err = test_run_fd(r, fd);
		close(fd);
		if (!err && r->skel->bss->result.count &&
		    r->skel->bss->result.rec[0].magic == OVERLAYFS_SUPER_MAGIC) {
			fd = open_read(at, st);
			if (fd < 0)
				return fd;
			err = test_run_fd(r, fd);
			close(fd);
		}
		if (err)
			return err;
	}
	return answer(r, st, cached);
}

/* stat() of at, which with fentry/kprobe is also the question. */
static int stat_at(struct fc_run *r, const struct fc_at *at, struct stat *st)
{
	reset_result(r);
	return fstatat(at->dirfd, at->name, st,
		       at->follow ? 0 : AT_SYMLINK_NOFOLLOW) ? -errno : 0;
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
static int act_on_file(struct fc_run *r, const struct fc_at *at,
		       const struct stat *st, struct fc_row *row)
{
	const struct fc_opts *o = r->o;
	int fd, err = 0;

	fd = open_read(at, st);
	if (fd < 0)
		return fd;
	if (o->touch)
		err = touch_fd(fd, st->st_size);
	else if (o->evict)
		err = -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (!err && (o->touch || o->evict)) {
		row->before = row->cached;
		err = ask_fd(r, fd);
		if (!err)
			err = answer(r, st, &row->cached);
	}
	if (!err && o->detail) {
		err = cachestat_fd(fd, &row->cs);
		row->has_cs = !err;
	}
	close(fd);
	return err;
}

/* -- Rows -------------------------------------------------------------- */

static struct fc_row *new_row(struct fc_run *r, const char *path, bool dir)
{
	struct fc_row *tmp;

	if (r->nrows == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;

		tmp = realloc(r->rows, cap * sizeof(*r->rows));
		if (!tmp)
			return NULL;
		r->rows = tmp;
		r->cap = cap;
	}
	tmp = &r->rows[r->nrows];
	*tmp = (struct fc_row){ .path = strdup(path), .dir = dir };
	if (!tmp->path)
		return NULL;
	r->nrows++;
	return tmp;
}

static uint64_t pages_of(const struct fc_run *r, uint64_t size)
{
	return (size + r->page_size - 1) / r->page_size;
}

/*
 * One regular file: count it (once per inode) into tot, and when rows are
 * wanted for it, add one. The caller did stat_at() for st just before.
 * given: a path of the command line (a second one for the same file is
 * worth a note; a hard link met in a walk is not).
 */
static void file_at(struct fc_run *r, const struct fc_at *at,
		    const struct stat *st, struct fc_totals *tot, bool want_row,
		    bool given)
{
	struct fc_row row = { .size = st->st_size };
	struct fc_row *p;
	int err;

	if (!inode_set_add(&r->files, st->st_dev, st->st_ino)) {
		if (given)
			path_msg(at->path,
				 "already counted (the same file as an earlier path)");
		return;
	}
	row.pages = pages_of(r, st->st_size);
	err = cached_pages(r, at, st, &row.cached);
	if (!err && (r->o->touch || r->o->evict || r->o->detail))
		err = act_on_file(r, at, st, &row);
	if (err) {
		path_error(r, at->path, err_text(err));
		return;
	}
	tot->files++;
	tot->size += row.size;
	tot->pages += row.pages;
	tot->cached += row.cached;
	tot->before += row.before;
	if (!want_row)
		return;
	p = new_row(r, at->path, false);
	if (!p)
		return;
	row.path = p->path;
	*p = row;
}

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

/* -- Walking a tree ---------------------------------------------------- */

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
	struct fc_run *r;
	struct fc_totals *tot;
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
			at.follow = w->r->o->follow;
		}
		fd = open_same(&at, O_RDONLY | O_DIRECTORY, &st);
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
	path_error(w->r, w->path, err_text(err));
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
	struct fc_run *r = w->r;
	int fd, err;

	if ((r->o->one_fs && st->st_dev != w->top_dev) ||
	    !inode_set_add(&r->dirs, st->st_dev, st->st_ino))
		return;
	fd = open_same(at, O_RDONLY | O_DIRECTORY, st);
	if (fd < 0) {
		path_error(r, at->path, err_text(fd));
		return;
	}
	w->tot->dirs++;
	err = dir_enter(w, fd, at->name, st);
	if (err)
		path_error(r, at->path, err_text(err));
}

/* The next entry of the deepest directory: a file is counted, a directory
 * pushed; links not followed, devices, FIFOs and sockets are not counted. */
static void walk_entry(struct fc_walk *w)
{
	struct fc_dir *f = &w->dirs[w->depth - 1];
	const struct fc_opts *o = w->r->o;
	const char *name = f->names + f->next;
	struct fc_at at = { dirfd(f->d), name, NULL, o->follow };
	struct stat st;
	int err;

	f->next += strlen(name) + 1;
	if (path_to(w, f->path_len, name)) {
		w->path[f->path_len] = '\0';
		path_error(w->r, w->path, strerror(ENOMEM));
		return;
	}
	at.path = w->path;
	err = stat_at(w->r, &at, &st);
	if (err)
		path_error(w->r, w->path, err_text(err));
	else if (S_ISREG(st.st_mode))
		file_at(w->r, &at, &st, w->tot, o->common.verbose > 0, false);
	else if (S_ISDIR(st.st_mode))
		walk_into(w, &at, &st);
}

/*
 * Walks the directory open as fd (taken over), the path given whose stat
 * is st, into tot: depth first, with an explicit stack, so that neither
 * the depth of a tree nor the length of its paths has a limit.
 */
static void walk(struct fc_run *r, int fd, const char *path,
		 const struct stat *st, struct fc_totals *tot)
{
	struct fc_walk w = { .r = r, .tot = tot, .top_dev = st->st_dev };
	struct fc_dir *f;
	int err;

	err = path_to(&w, 0, path);
	if (err)
		close(fd);
	else
		err = dir_enter(&w, fd, path, st);
	if (err)
		path_error(r, path, err_text(err));
	while (w.depth) {
		f = &w.dirs[w.depth - 1];
		if (f->next == f->len) {
			dir_leave(&w);
		} else if (loop_interrupted()) {
			r->partial = true;
			break;
		} else if (f->d || !walk_reopen(&w)) {
			walk_entry(&w);
		}
	}
	while (w.depth)
		dir_leave(&w);
	free(w.dirs);
	free(w.path);
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

/* One path of the command line; symbolic links to it are followed, as ls
 * and vmtouch do with theirs. */
static void do_path(struct fc_run *r, const char *path)
{
	struct fc_at at = { AT_FDCWD, path, path, true };
	struct fc_totals tot = { 0 };
	struct fc_row *row;
	struct stat st;
	int err, fd;

	err = stat_at(r, &at, &st);
	if (err) {
		path_error(r, path, strerror(-err));
		return;
	}
	if (S_ISREG(st.st_mode)) {
		file_at(r, &at, &st, &tot, true, true);
	} else if (S_ISDIR(st.st_mode)) {
		if (!r->o->recursive) {
			path_msg(path, "a directory (-r walks it)");
			return;
		}
		inode_set_add(&r->dirs, st.st_dev, st.st_ino);
		fd = open_same(&at, O_RDONLY | O_DIRECTORY, &st);
		if (fd < 0) {
			path_error(r, path, err_text(fd));
			return;
		}
		tot.dirs = 1;
		walk(r, fd, path, &st, &tot);
		if (!r->o->common.verbose && (row = new_row(r, path, true))) {
			row->size = tot.size;
			row->pages = tot.pages;
			row->cached = tot.cached;
			row->before = tot.before;
		}
	} else {
		char why[96];

		snprintf(why, sizeof(why), "%s, not a regular file or directory",
			 type_name(st.st_mode));
		path_error(r, path, why);
		return;
	}
	add_totals(&r->total, &tot);
}

/* -- Output ------------------------------------------------------------ */

static double percent(uint64_t cached, uint64_t pages)
{
	/* The last page of a file counts whole: never above 100%. */
	return pages ? 100.0 * (cached < pages ? cached : pages) / pages : 0;
}

static enum fc_sort sort_key;

static int cmp_rows(const void *a, const void *b)
{
	const struct fc_row *x = a, *y = b;
	double px, py;

	switch (sort_key) {
	case SORT_CACHED:
		return x->cached < y->cached ? 1 : x->cached > y->cached ? -1 : 0;
	case SORT_SIZE:
		return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
	case SORT_PERCENT:
		px = percent(x->cached, x->pages);
		py = percent(y->cached, y->pages);
		return px < py ? 1 : px > py ? -1 : 0;
	default:
		return strcmp(x->path, y->path);
	}
}

static char *fmt_bytes(const struct fc_run *r, char *buf, size_t len,
		       uint64_t bytes)
{
	if (r->o->bytes) {
		fmt_u64(buf, bytes);
		return buf;
	}
	return fmt_size(buf, len, bytes);
}

static void print_row_json(struct fc_run *r, const struct fc_row *row)
{
	const struct fc_opts *o = r->o;
	struct json *j = &r->json;

	json_begin(j);
	json_key_str(j, "type", row->dir ? "directory" : "file");
	json_key_str(j, "path", row->path);
	json_key_u64(j, "size", row->size);
	json_key_u64(j, "pages", row->pages);
	json_key_u64(j, "cached_pages", row->cached);
	json_key_u64(j, "cached_bytes", row->cached * r->page_size);
	if (row->pages)
		json_key_fixed(j, "percent", percent(row->cached, row->pages), 3);
	else
		json_key_null(j, "percent");
	if (o->touch || o->evict)
		json_key_u64(j, "cached_pages_before", row->before);
	if (row->has_cs) {
		json_key_u64(j, "dirty_pages", row->cs.nr_dirty);
		json_key_u64(j, "writeback_pages", row->cs.nr_writeback);
		json_key_u64(j, "evicted_pages", row->cs.nr_evicted);
		json_key_u64(j, "recently_evicted_pages",
			     row->cs.nr_recently_evicted);
	}
	json_end(j, stdout);
}

/* The bytes of a path a text row shows at most (--json has it whole). */
#define FC_PATH_SHOWN 4096

/* A row's path as the text shows it: quoted, cut to FC_PATH_SHOWN bytes
 * on a character's boundary, and then ending in "...". */
static char *shown_path(const char *path)
{
	char *q = quote_path(path);
	size_t n = FC_PATH_SHOWN - 3;

	if (!q || strlen(q) <= FC_PATH_SHOWN)
		return q;
	while (n && (q[n] & 0xc0) == 0x80)	/* a UTF-8 continuation */
		n--;
	strcpy(q + n, "...");
	return q;
}

static void print_rows(struct fc_run *r)
{
	const struct fc_opts *o = r->o;
	struct col cols[12];
	const char *cells[12];
	char v[12][32];
	size_t shown = r->nrows;
	int n = 0;

	if (o->sort != SORT_NONE) {
		sort_key = o->sort;
		qsort(r->rows, r->nrows, sizeof(*r->rows), cmp_rows);
	}
	if (o->top && o->top < shown)
		shown = o->top;
	if (o->common.json) {
		for (size_t i = 0; i < shown; i++)
			print_row_json(r, &r->rows[i]);
		return;
	}
	if (o->touch || o->evict)
		cols[n++] = (struct col){ "BEFORE", 9, true };
	cols[n++] = (struct col){ "CACHED", 9, true };
	cols[n++] = (struct col){ "PAGES", 9, true };
	cols[n++] = (struct col){ "CACHED_SZ", o->bytes ? 12 : 9, true };
	cols[n++] = (struct col){ "SIZE", o->bytes ? 12 : 9, true };
	cols[n++] = (struct col){ "PERCENT", 7, true };
	if (o->detail) {
		cols[n++] = (struct col){ "DIRTY", 7, true };
		cols[n++] = (struct col){ "WRITEBACK", 9, true };
		cols[n++] = (struct col){ "EVICTED", 8, true };
		cols[n++] = (struct col){ "RECENT", 7, true };
	}
	cols[n++] = (struct col){ "PATH", 0, false };
	table_header(stdout, cols, n);
	for (size_t i = 0; i < shown; i++) {
		const struct fc_row *row = &r->rows[i];
		char *path = shown_path(row->path);
		int k = 0;

		if (o->touch || o->evict)
			cells[k] = fmt_u64(v[k], row->before), k++;
		cells[k] = fmt_u64(v[k], row->cached), k++;
		cells[k] = fmt_u64(v[k], row->pages), k++;
		cells[k] = fmt_bytes(r, v[k], sizeof(v[k]), row->cached * r->page_size), k++;
		cells[k] = fmt_bytes(r, v[k], sizeof(v[k]), row->size), k++;
		if (row->pages)
			snprintf(v[k], sizeof(v[k]), "%.1f%%",
				 percent(row->cached, row->pages));
		else
			snprintf(v[k], sizeof(v[k]), "-");
		cells[k] = v[k], k++;
		if (o->detail) {
			uint64_t d[4] = { row->cs.nr_dirty, row->cs.nr_writeback,
					  row->cs.nr_evicted,
					  row->cs.nr_recently_evicted };

			for (int m = 0; m < 4; m++, k++) {
				if (row->has_cs)
					fmt_u64(v[k], d[m]);
				else
					snprintf(v[k], sizeof(v[k]), "-");
				cells[k] = v[k];
			}
		}
		cells[k++] = path ? path : "?";
		table_row(stdout, cols, n, cells);
		free(path);
	}
}

static void print_summary(struct fc_run *r)
{
	const struct fc_totals *t = &r->total;
	char cached[32], size[32], pct[16] = "";
	struct json *j = &r->json;
	uint64_t moved = t->cached > t->before ? t->cached - t->before :
						 t->before - t->cached;

	if (r->o->common.json) {
		json_begin(j);
		json_key_str(j, "type", "summary");
		json_key_u64(j, "files", t->files);
		json_key_u64(j, "directories", t->dirs);
		json_key_u64(j, "size", t->size);
		json_key_u64(j, "pages", t->pages);
		json_key_u64(j, "cached_pages", t->cached);
		json_key_u64(j, "cached_bytes", t->cached * r->page_size);
		if (t->pages)
			json_key_fixed(j, "percent", percent(t->cached, t->pages), 3);
		else
			json_key_null(j, "percent");
		if (r->o->touch || r->o->evict)
			json_key_u64(j, "cached_pages_before", t->before);
		json_key_u64(j, "errors", r->failed);
		json_end(j, stdout);
		return;
	}
	if (t->pages)
		snprintf(pct, sizeof(pct), "  %.1f%%", percent(t->cached, t->pages));
	printf("Files: %llu  Directories: %llu  Resident Pages: %llu/%llu  %s/%s%s\n",
	       (unsigned long long)t->files, (unsigned long long)t->dirs,
	       (unsigned long long)t->cached, (unsigned long long)t->pages,
	       fmt_bytes(r, cached, sizeof(cached), t->cached * r->page_size),
	       fmt_bytes(r, size, sizeof(size), t->size), pct);
	if (r->o->touch || r->o->evict)
		printf("%s Pages: %llu (%s)\n", r->o->touch ? "Touched" : "Evicted",
		       (unsigned long long)moved,
		       fmt_bytes(r, cached, sizeof(cached), moved * r->page_size));
}

/* -- Set-up ------------------------------------------------------------ */

/*
 * A method works when the kernel answers for a path we know: the hook
 * fired for our stat() (fentry, kprobe), or the program found our fd.
 */
static int check_answers(struct fc_run *r)
{
	struct fc_at at = { AT_FDCWD, "/", "/", true };
	struct stat st;
	uint64_t cached;
	int err;

	err = stat_at(r, &at, &st);
	if (!err)
		err = cached_pages(r, &at, &st, &cached);
	if (err)
		log_info("page cache: %s did not answer for /: %s",
			 hook_name(r->method), strerror(-err));
	return err;
}

/*
 * Every struct member bpf/filecache.bpf.c reads with CO-RE: libbpf
 * relocates against a BTF of just these (kbtf_subset), not all 5.5 MB of
 * the kernel's, which it would parse for every attempt of the chain.
 */
static const char *const core_members[] = {
	"task_struct.files", "files_struct.fdt", "fdtable.max_fds",
	"fdtable.fd", "file.f_inode", "file.f_mapping", "file.f_mode",
	"file.private_data", "inode.i_sb", "inode.i_ino", "inode.i_mapping",
	"super_block.s_dev", "super_block.s_magic", "address_space.nrpages",
	"path.dentry", "dentry.d_inode", "ovl_file.realfile",
	/* BPF_KPROBE() reads the first argument from the registers. */
	"pt_regs.di",
};

/* The kernel's BTF, overlayfs's when it is a module, and the subset. */
static void open_btf(struct fc_run *r)
{
	const char *custom = btf_custom_path();
	int err;

	r->subset.fd = -1;
	r->btf = kbtf_open(custom ? custom : "/sys/kernel/btf/vmlinux", NULL);
	if (!r->btf)
		return;
	/* overlayfs's types are in its own BTF when it is a module. */
	if (!access("/sys/kernel/btf/overlay", F_OK))
		r->ovl_btf = kbtf_open("/sys/kernel/btf/overlay", r->btf);
	err = kbtf_subset(r->btf, r->ovl_btf, core_members,
			  sizeof(core_members) / sizeof(core_members[0]),
			  &r->subset);
	if (err)
		log_info("relocating against the whole kernel BTF: %s",
			 strerror(-err));
}

static int load(struct fc_run *r, enum hook h, const char *btf_path);

/* fentry, then a kprobe, on vfs_getattr_nosec(); where neither is
 * permitted, a BPF_PROG_TEST_RUN program on our own descriptors. */
static int try_attach(void *ctx, enum hook h)
{
	struct fc_run *r = ctx;
	int err;

	/* Rule out what cannot work before libbpf does any work. */
	if (h == HOOK_FENTRY && (err = probe_fentry(r->btf, "vfs_getattr_nosec"))) {
		log_info("page cache: fentry on vfs_getattr_nosec refused: %s",
			 strerror(-err));
		return HOOK_UNAVAILABLE;
	}
	if (h == HOOK_KPROBE && !probe_kprobes()) {
		log_info("page cache: this kernel has no kprobes");
		return HOOK_UNAVAILABLE;
	}
	if (r->subset.fd < 0)
		return load(r, h, btf_custom_path());
	err = load(r, h, r->subset.path);
	/* A member missing from core_members[] must not cost the answer. */
	if (err == -EINVAL) {
		log_info("page cache: %s: retrying with the whole kernel BTF",
			 hook_name(h));
		err = load(r, h, btf_custom_path());
	}
	return err;
}

static int load(struct fc_run *r, enum hook h, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = btf_path);
	struct filecache_bpf *skel;
	int err;

	skel = filecache_bpf__open_opts(&open_opts);
	if (!skel)
		return -errno;
	skel->rodata->self_pid_tgid = (__u64)getpid() << 32 | gettid();
	bpf_program__set_autoload(skel->progs.getattr_fentry, h == HOOK_FENTRY);
	bpf_program__set_autoload(skel->progs.getattr_kprobe, h == HOOK_KPROBE);
	bpf_program__set_autoload(skel->progs.fd_test_run, h == HOOK_TEST_RUN);
	/* Run, never attached. */
	bpf_program__set_autoattach(skel->progs.fd_test_run, false);
	err = filecache_bpf__load(skel);
	if (!err)
		err = filecache_bpf__attach(skel);
	if (!err) {
		r->skel = skel;
		r->method = h;
		err = check_answers(r);
	}
	if (err) {
		filecache_bpf__destroy(skel);
		r->skel = NULL;
		return err;
	}
	if (h == HOOK_TEST_RUN)
		log_info("page cache via test_run (BPF_PROG_TEST_RUN on memtrace's own file descriptors)");
	else
		log_info("vfs_getattr_nosec via %s", hook_name(h));
	return 0;
}

int cmd_filecache(int argc, char **argv)
{
	static const enum hook chain[] = { HOOK_FENTRY, HOOK_KPROBE,
					   HOOK_TEST_RUN };
	struct fc_opts o;
	struct fc_run r = { .o = &o, .subset.fd = -1 };
	struct mt_cachestat cs;
	int err, status = 1;

	err = parse_args(argc, argv, &o);
	if (err >= 0)
		return err;
	loop_signals_init();
	if (host_check(false))
		return 1;
	if (o.detail && cachestat_fd(STDIN_FILENO, &cs) == -ENOSYS) {
		log_err("--detail needs cachestat(2), Linux 6.5 or later");
		return 1;
	}
	r.page_size = getpagesize();
	open_btf(&r);
	if (hook_attach("page cache", chain, 3, try_attach, &r) < 0)
		goto out;
	for (int i = 0; i < o.npaths && !r.partial; i++) {
		if (loop_interrupted())
			r.partial = true;
		else
			do_path(&r, o.paths[i]);
	}
	print_rows(&r);
	print_summary(&r);
	if (r.partial)
		log_err("interrupted: the totals cover only the paths walked so far");
	status = loop_flush(stdout);
	if (status == LOOP_OUTPUT_FAILED)
		log_err("writing output: %s", strerror(errno));
	status = status == LOOP_OUTPUT_FAILED || r.failed || r.partial ? 1 : 0;
out:
	for (size_t i = 0; i < r.nrows; i++)
		free(r.rows[i].path);
	free(r.rows);
	free(r.files.slots);
	free(r.dirs.slots);
	json_free(&r.json);
	filecache_bpf__destroy(r.skel);
	kbtf_subset_close(&r.subset);
	kbtf_close(r.ovl_btf);
	kbtf_close(r.btf);
	probe_cleanup();
	return status;
}
