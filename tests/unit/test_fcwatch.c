// SPDX-License-Identifier: GPL-2.0
// Tests for filecache --watch's user-space side: the path a name record
// of the kernel makes (src/filecache/wnames.c), through this machine's
// mount table, and what changed between two snapshots
// (src/filecache/wsnapshot.c).
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "filecache/wcollector.h"
#include "filecache/wnames.h"
#include "tap.h"

/* A record of names, leaf first, as the kernel sends it: its size. */
static size_t record(struct fcw_path_event *ev, uint32_t dev, uint64_t ino,
		     uint32_t flags, const char *const *names)
{
	size_t off = 0;

	memset(ev, 0, sizeof(*ev));
	ev->key = (struct fcw_key){ .ino = ino, .dev = dev, .gen = 7 };
	ev->flags = flags;
	for (int i = 0; names[i]; i++) {
		strcpy(ev->names + off, names[i]);
		off += strlen(names[i]) + 1;
		ev->depth++;
	}
	ev->len = off;
	return FCW_PATH_EVENT_HDR + off;
}

static void test_fs_path(void)
{
	struct fcw_path_event ev;
	size_t n;
	char *p;

	n = record(&ev, 1, 2, FCW_P_ROOT, (const char *const[]){ "f", "b", "a", NULL });
	p = fcw_fs_path(&ev, n);
	ok(p && !strcmp(p, "/a/b/f"), "leaf first to /a/b/f (%s)", p);
	free(p);
	n = record(&ev, 1, 2, 0, (const char *const[]){ "f", "b", NULL });
	p = fcw_fs_path(&ev, n);
	ok(p && !strcmp(p, "b/f"), "a walk cut short: b/f (%s)", p);
	free(p);
	n = record(&ev, 1, 2, FCW_P_ROOT, (const char *const[]){ NULL });
	p = fcw_fs_path(&ev, n);
	ok(p && !strcmp(p, "/"), "the root itself (%s)", p);
	free(p);
	/* The record was cut in transit: only what came is read. */
	n = record(&ev, 1, 2, FCW_P_ROOT, (const char *const[]){ "file", "dir", NULL });
	p = fcw_fs_path(&ev, FCW_PATH_EVENT_HDR + 3);
	ok(p && !strcmp(p, "/fil"), "a short record: /fil (%s)", p);
	free(p);
}

/* Names through this process's mounts: / is mounted somewhere. */
static void test_names(void)
{
	struct fcw_names t;
	struct fcw_path_event ev;
	const struct fcw_name *name;
	struct stat st;
	uint32_t dev;
	size_t n;

	fcw_names_init(&t);
	stat("/proc", &st);
	dev = major(st.st_dev) << 20 | minor(st.st_dev);
	n = record(&ev, dev, 1, FCW_P_ROOT, (const char *const[]){ "self", NULL });
	ok(!fcw_names_add(&t, &ev, n), "a name added");
	name = fcw_names_find(&t, &ev.key);
	ok(name && name->path && !strcmp(name->path, "/proc/self") && !name->flags,
	   "through procfs's mount: /proc/self (%s)", name ? name->path : "?");
	/* A filesystem nobody mounted: from its root, said so. */
	n = record(&ev, 4095u << 20 | 77, 5, FCW_P_ROOT | FCW_P_DELETED,
		   (const char *const[]){ "x", NULL });
	fcw_names_add(&t, &ev, n);
	name = fcw_names_find(&t, &ev.key);
	ok(name && !strcmp(name->path, "/x") &&
	   name->flags == (FCW_NAME_NO_MOUNT | FCW_NAME_DELETED),
	   "no mount: /x, from its filesystem's root, deleted");
	n = record(&ev, dev, 9, FCW_P_NO_DENTRY, (const char *const[]){ NULL });
	fcw_names_add(&t, &ev, n);
	name = fcw_names_find(&t, &ev.key);
	ok(name && !name->path && name->flags == FCW_NAME_NO_DENTRY,
	   "no dentry: no name");
	ok(fcw_names_add(&t, &ev, FCW_PATH_EVENT_HDR - 1) == -EINVAL,
	   "a record too short");
	/* Many files: the table grows and keeps every name. */
	for (uint64_t i = 100; i < 5100; i++) {
		n = record(&ev, dev, i, FCW_P_ROOT, (const char *const[]){ "n", NULL });
		fcw_names_add(&t, &ev, n);
	}
	ev.key.ino = 4321;
	name = fcw_names_find(&t, &ev.key);
	ok(t.n == 5003 && name && !strcmp(name->path, "/proc/n"),
	   "5003 names kept (%zu)", t.n);
	ev.key.gen = 8;
	ok(!fcw_names_find(&t, &ev.key), "another generation is another file");
	fcw_names_free(&t);
}

static struct fcw_file_row row(uint64_t ino, uint64_t added, uint64_t removed,
			       struct fcw_task_row *tasks, size_t ntasks)
{
	struct fcw_file_row r = { .key = { .ino = ino, .dev = 1 }, .added = added,
				  .removed = removed, .cached = 100 + ino };

	if (ntasks) {
		r.tasks = malloc(ntasks * sizeof(*tasks));
		memcpy(r.tasks, tasks, ntasks * sizeof(*tasks));
		r.ntasks = ntasks;
	}
	return r;
}

static void test_delta(void)
{
	struct fcw_snapshot prev = { .mono_ns = 1 }, cur = { .mono_ns = 2 }, d;

	prev.files = calloc(2, sizeof(*prev.files));
	prev.files[0] = row(1, 10, 0, (struct fcw_task_row[]){ { .pid = 5, .pages = 10 } }, 1);
	prev.files[1] = row(2, 4, 4, NULL, 0);
	prev.nfiles = 2;
	prev.t.added = 14;
	prev.l.names = 1;
	cur.files = calloc(3, sizeof(*cur.files));
	cur.files[0] = row(1, 16, 2, (struct fcw_task_row[]){ { .pid = 5, .pages = 10 },
							    { .pid = 9, .pages = 6 } }, 2);
	cur.files[1] = row(2, 4, 4, NULL, 0);
	cur.files[2] = row(3, 1, 0, (struct fcw_task_row[]){ { .pid = 5, .pages = 1 } }, 1);
	cur.nfiles = 3;
	cur.t.added = 21;
	cur.l.names = 3;
	ok(!fcw_snapshot_delta(&prev, &cur, &d), "delta");
	ok(d.nfiles == 2, "the file with no change left out (%zu)", d.nfiles);
	ok(d.files[0].key.ino == 1 && d.files[0].added == 6 && d.files[0].removed == 2 &&
	   d.files[0].cached == 101, "6 added, 2 removed, cached as now");
	ok(d.files[0].ntasks == 1 && d.files[0].tasks[0].pid == 9 &&
	   d.files[0].tasks[0].pages == 6, "only the process that added since");
	ok(d.files[1].key.ino == 3 && d.files[1].added == 1 && d.files[1].ntasks == 1,
	   "a new file whole");
	ok(d.t.added == 7 && d.l.names == 2, "totals and losses less the earlier");
	fcw_snapshot_free(&d);
	fcw_snapshot_free(&prev);
	fcw_snapshot_free(&cur);
}

int main(void)
{
	test_fs_path();
	test_names();
	test_delta();
	return tap_done();
}
