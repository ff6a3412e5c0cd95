/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mount table of /proc/PID/mountinfo (proc(5)): which directory each
 * filesystem, by its device number, is mounted on, and which directory of
 * the filesystem (its root) is seen there. A name the kernel gives from a
 * filesystem's root becomes a path through it.
 */
#ifndef MEMTRACE_UTIL_MOUNTINFO_H
#define MEMTRACE_UTIL_MOUNTINFO_H

#include <stddef.h>

struct mt_mount {
	int id;
	unsigned int major, minor;	/* the superblock's s_dev */
	char *root;			/* the filesystem's directory mounted */
	char *point;			/* where, in this mount namespace */
	char *fstype;
};

struct mountinfo {
	struct mt_mount *m;
	size_t n;
};

/* Parses the text of a mountinfo file (escapes such as \040 decoded); a
 * line that does not parse is passed over. 0 or -ENOMEM. */
int mountinfo_parse(const char *text, size_t len, struct mountinfo *mi);
/* Reads and parses path (e.g. /proc/self/mountinfo): 0 or -errno. */
int mountinfo_read(const char *path, struct mountinfo *mi);
void mountinfo_free(struct mountinfo *mi);

const struct mt_mount *mountinfo_by_id(const struct mountinfo *mi, int id);

/*
 * The path, in this mount namespace, of fspath, a path from the root of
 * the filesystem major:minor ("/a/b"): through the mount whose root is
 * the longest prefix of fspath (the first such mount in the table).
 * Returns a malloc'ed path, or NULL (errno ENOENT: no mount shows it,
 * ENOMEM).
 */
char *mountinfo_path(const struct mountinfo *mi, unsigned int major,
		     unsigned int minor, const char *fspath);

#endif /* MEMTRACE_UTIL_MOUNTINFO_H */
