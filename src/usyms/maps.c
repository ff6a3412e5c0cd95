// SPDX-License-Identifier: GPL-2.0
/* A process's file mappings, from /proc/PID/maps, and the files behind
 * them: pinned while the process lives, opened when first needed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/procmaps.h"
#include "usyms/internal.h"

#define MAX_MAPS	(1 << 20)

/* The address in the ELF file of a runtime address in mapping mp: through
 * the file offset, and the PT_LOAD segment holding that offset. */
uint64_t elf_addr_of(const struct usyms_module *m, const struct map *mp,
		     uint64_t addr)
{
	uint64_t off = addr - mp->start + mp->offset;
	const struct seg *found = NULL;

	for (size_t i = 0; i < m->nsegs; i++) {
		const struct seg *g = &m->segs[i];

		if (off - g->offset < g->filesz) {
			found = g;
			if (g->exec)
				break;
		}
	}
	return found ? off - found->offset + found->vaddr : off;
}

static int cmp_map(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * One module per mapped file, however many mappings it has. Its path is
 * as /proc/PID/maps shows it: a file deleted (or replaced) since it was
 * mapped keeps its " (deleted)", which also keeps load_mapped from
 * opening whatever is at that path now.
 */
static struct usyms_module *module_for(struct usyms *u,
				       const struct procmaps_entry *e)
{
	struct usyms_module *m;
	char *shown = NULL;
	const char *path = e->path;

	if (e->deleted) {
		if (asprintf(&shown, "%s (deleted)", e->path) < 0)
			return NULL;
		path = shown;
	}
	for (m = u->mods; m; m = m->next)
		if (m->ino == e->inode && m->dev == e->dev &&
		    !strcmp(m->path, path))
			break;
	if (!m) {
		m = module_new(path, e->dev, e->inode);
		if (m) {
			m->next = u->mods;
			u->mods = m;
		}
	}
	free(shown);
	return m;
}

/*
 * While the process lives, map_files opens the very file each mapping
 * shows (needs CAP_SYS_ADMIN). Kept open until the module is loaded, it
 * is what is read even when the path has been replaced since, or the
 * process is gone, or lived in another mount namespace.
 */
static void pin_mapped(struct usyms *u)
{
	for (size_t i = 0; i < u->nmaps; i++) {
		const struct map *mp = &u->maps[i];
		struct usyms_module *m = mp->mod;
		char path[96];
		struct stat st;
		int fd;

		if (m->state || m->pin >= 0)
			continue;
		snprintf(path, sizeof(path),
			 "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, u->pid,
			 mp->start, mp->end);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0)
			continue;	/* no privilege, no descriptor left */
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
		    st.st_ino != m->ino) {
			close(fd);
			continue;
		}
		m->pin = fd;
	}
}

/* One more mapping; 0 or a negative errno. */
static int add_map(struct usyms *u, struct map **maps, size_t *n,
		   size_t *cap, const struct procmaps_entry *e)
{
	struct map *mp;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct map *v;

		if (c > MAX_MAPS)
			return -E2BIG;
		v = realloc(*maps, c * sizeof(*v));
		if (!v)
			return -ENOMEM;
		*maps = v;
		*cap = c;
	}
	mp = &(*maps)[*n];
	mp->start = e->start;
	mp->end = e->end;
	mp->offset = e->offset;
	mp->mod = module_for(u, e);
	if (!mp->mod)
		return -ENOMEM;
	(*n)++;
	return 0;
}

int read_maps(struct usyms *u)
{
	struct procmaps pm;
	struct procmaps_entry e;
	struct map *maps = NULL;
	size_t n = 0, cap = 0;
	int err;

	err = procmaps_open(&pm, u->pid);
	if (err)
		return err;
	while ((err = procmaps_next(&pm, &e)) > 0) {
		/* Executable file mappings only, the ones code addresses
		 * are in: not [vdso], [heap] or anonymous memory. */
		if (e.perms[2] != 'x' || e.path[0] != '/' || !e.inode)
			continue;
		err = add_map(u, &maps, &n, &cap, &e);
		if (err)
			break;
	}
	procmaps_close(&pm);
	/* An exited process not yet reaped has empty maps: no better than
	 * what we had. */
	if (!err && !n)
		err = -ESRCH;
	if (err) {
		free(maps);
		return err;
	}
	qsort(maps, n, sizeof(*maps), cmp_map);
	free(u->maps);
	u->maps = maps;
	u->nmaps = n;
	pin_mapped(u);
	return 0;
}

struct map *find_map(struct usyms *u, uint64_t addr)
{
	size_t lo = count_le(u->maps, u->nmaps, sizeof(*u->maps),
			     offsetof(struct map, start), addr);

	if (lo && addr < u->maps[lo - 1].end)
		return &u->maps[lo - 1];
	return NULL;
}

/*
 * Opens a mapped file to read its symbols: the one pinned while the
 * process lived, else the file at its path, as the process sees it (its
 * root) or as we do, only when it is the mapped inode. A file that is not
 * (replaced since, another mount namespace's) would give wrong names:
 * such frames show their address and module. Through the process's root
 * while it lives, the inode number is enough: overlayfs shows its own
 * device, and /proc/PID/maps the real file's.
 */
void load_mapped(struct usyms *u, struct usyms_module *m)
{
	char path[PATH_MAX];
	struct stat st;
	int err;

	if (m->pin >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", m->pin);
		err = module_load(m, path, u->root);
		module_unpin(m);
		if (!err)
			return;
	}
	if (fmt_path(path, sizeof(path), "%s%s", u->root, m->path) &&
	    !stat(path, &st) && st.st_ino == m->ino &&
	    !module_load(m, path, u->root))
		return;
	if (!stat(m->path, &st) && st.st_ino == m->ino && st.st_dev == m->dev &&
	    !module_load(m, m->path, u->root))
		return;
	m->state = -1;
}
