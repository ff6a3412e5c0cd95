/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/PID/maps, one line at a time:
 *
 *   start-end perms offset major:minor inode   path
 *   7f2b1c000000-7f2b1c028000 r-xp 00028000 fd:01 1234567   /usr/lib/libc.so.6
 *
 * Numbers in hex but the inode; the path may be absent (anonymous
 * memory), a pseudo name ("[heap]", "[vdso]", "[anon:name]") or a file's
 * path, spaces and all.
 */
#ifndef MEMTRACE_PROCMAPS_H
#define MEMTRACE_PROCMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct procmaps_entry {
	uint64_t start, end;	/* [start, end) */
	char perms[5];		/* "r-xp": read, write, exec, private/shared */
	uint64_t offset;	/* of start in the file */
	dev_t dev;		/* makedev(major, minor) */
	uint64_t inode;		/* 0 outside file mappings */
	char *path;		/* in the line given; "" when there is none */
	bool deleted;		/* the file was deleted (or replaced) since
				 * it was mapped: " (deleted)" is cut off */
};

/*
 * One line (its '\n' optional), in place: path points into it, back to
 * the file's name (maps_path_unescape), without the " (deleted)" mark.
 * 0, or -EINVAL when the line does not have the form above.
 */
int procmaps_parse(char *line, struct procmaps_entry *e);

/* A reader of one process's maps. */
struct procmaps {
	FILE *f;
	char *line;
	size_t cap;
};

/* 0, or a negative errno: -ESRCH when there is no such process. */
int procmaps_open(struct procmaps *pm, pid_t pid);
/*
 * The next line: 1, 0 at the end, or a negative errno (-ESRCH when the
 * process went away while its maps were read). A malformed line is
 * skipped. e's path is valid until the next call.
 */
int procmaps_next(struct procmaps *pm, struct procmaps_entry *e);
void procmaps_close(struct procmaps *pm);

#endif /* MEMTRACE_PROCMAPS_H */
