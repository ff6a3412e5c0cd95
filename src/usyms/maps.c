// SPDX-License-Identifier: GPL-2.0
/* A process's file mappings, from /proc/PID/maps, and the files behind
 * them: pinned while the process lives, opened when first needed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "util/procfs.h"
#include "usyms/internal.h"

#define MAX_MAPS	(1 << 20)
#define MAX_MAPS_LINE	(PATH_MAX + 256)

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

static struct usyms_module *module_for(struct usyms *u, const char *path,
				       uint64_t dev, uint64_t ino)
{
	struct usyms_module *m;

	for (m = u->mods; m; m = m->next)
		if (m->ino == ino && m->dev == dev && !strcmp(m->path, path))
			return m;
	m = module_new(path, dev, ino);
	if (m) {
		m->next = u->mods;
		u->mods = m;
	}
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
		snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
			 u->pid, mp->start, mp->end);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0)
			continue;	/* no privilege, no descriptor left */
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_ino != m->ino) {
			close(fd);
			continue;
		}
		m->pin = fd;
	}
}

/* "start-end perms offset dev inode   path": executable file mappings
 * only, the ones code addresses are in. */
static bool parse_map(char *line, uint64_t *start, uint64_t *end,
		      uint64_t *off, uint64_t *dev, uint64_t *ino, char **path)
{
	unsigned long long major, minor;
	char *p = line, *e;
	size_t len;

	errno = 0;
	*start = strtoull(p, &e, 16);
	if (e == p || *e != '-')
		return false;
	p = e + 1;
	*end = strtoull(p, &e, 16);
	if (e == p || *e != ' ' || *end <= *start)
		return false;
	p = e + 1;
	if (strlen(p) < 5 || p[2] != 'x' || p[4] != ' ')
		return false;
	p += 5;
	*off = strtoull(p, &e, 16);
	if (e == p || *e != ' ')
		return false;
	/* The device, "major:minor" in hex. */
	p = e + 1;
	major = strtoull(p, &e, 16);
	if (e == p || *e != ':')
		return false;
	p = e + 1;
	minor = strtoull(p, &e, 16);
	if (e == p || *e != ' ' || major > UINT32_MAX || minor > UINT32_MAX)
		return false;
	*dev = makedev(major, minor);
	p = e;
	*ino = strtoull(p + 1, &e, 10);
	if (e == p + 1 || errno)
		return false;
	while (*e == ' ')
		e++;
	len = strcspn(e, "\n");
	e[len] = '\0';
	maps_path_unescape(e);
	*path = e;
	/* Files only: not [vdso], [heap] or anonymous memory. */
	return e[0] == '/' && *ino;
}

int read_maps(struct usyms *u)
{
	char path[64], *line = NULL;
	size_t cap = 0, n = 0, mcap = 0;
	struct map *maps = NULL;
	ssize_t len;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", u->pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((len = getline(&line, &cap, f)) > 0) {
		uint64_t start, end, off, dev, ino;
		char *file;

		if (len > MAX_MAPS_LINE ||
		    !parse_map(line, &start, &end, &off, &dev, &ino, &file))
			continue;
		if (n == mcap) {
			size_t c = mcap ? mcap * 2 : 64;
			struct map *v;

			if (c > MAX_MAPS) {
				err = -E2BIG;
				break;
			}
			v = realloc(maps, c * sizeof(*v));
			if (!v) {
				err = -ENOMEM;
				break;
			}
			maps = v;
			mcap = c;
		}
		maps[n].start = start;
		maps[n].end = end;
		maps[n].offset = off;
		maps[n].mod = module_for(u, file, dev, ino);
		if (!maps[n].mod) {
			err = -ENOMEM;
			break;
		}
		n++;
	}
	if (ferror(f) && !err)
		err = errno == ESRCH ? -ESRCH : -EIO;
	free(line);
	fclose(f);
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
	size_t lo = 0, hi = u->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
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
