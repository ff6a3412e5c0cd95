// SPDX-License-Identifier: GPL-2.0
// Tests for src/util/mountinfo.c: the mount table's lines (escapes,
// optional fields, lines that do not parse) and paths through the mount
// whose root covers them; and this process's own table.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "util/mountinfo.h"
#include "tap.h"

static const char table[] =
	"22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	"23 22 0:21 / /proc rw,nosuid - proc proc rw\n"
	"30 22 0:40 / /mnt/with\\040space rw shared:5 master:2 - tmpfs none rw\n"
	/* a bind mount of a directory of vda: its root is /srv/data */
	"31 22 254:0 /srv/data /data rw - ext4 /dev/vda rw\n"
	/* the same filesystem again, mounted whole elsewhere */
	"32 22 254:0 / /again rw - ext4 /dev/vda rw\n"
	"garbage line without enough fields\n"
	"40 22 7:0 / /img ro - ext4 /dev/loop0 ro";	/* no final newline */

static void test_parse(void)
{
	struct mountinfo mi;
	const struct mt_mount *m;

	ok(!mountinfo_parse(table, sizeof(table) - 1, &mi), "the table parses");
	ok(mi.n == 6, "six mounts, the garbage line passed over (%zu)", mi.n);
	m = mountinfo_by_id(&mi, 30);
	ok(m && !strcmp(m->point, "/mnt/with space"),
	   "\\040 in a mount point is a space: '%s'", m ? m->point : "?");
	ok(m && !strcmp(m->fstype, "tmpfs") && m->major == 0 && m->minor == 40,
	   "optional fields before '-' skipped: tmpfs 0:40");
	m = mountinfo_by_id(&mi, 40);
	ok(m && !strcmp(m->point, "/img") && m->major == 7,
	   "a last line without a newline");
	ok(!mountinfo_by_id(&mi, 99), "no mount 99");
	mountinfo_free(&mi);
	ok(!mountinfo_parse("", 0, &mi) && mi.n == 0, "an empty table");
	mountinfo_free(&mi);
}

static void check_path(const struct mountinfo *mi, unsigned int maj,
		       unsigned int min, const char *fspath, const char *want)
{
	char *got = mountinfo_path(mi, maj, min, fspath);

	if (want)
		ok(got && !strcmp(got, want), "%u:%u %s -> %s (%s)", maj, min,
		   fspath, want, got ? got : "NULL");
	else
		ok(!got && errno == ENOENT, "%u:%u %s: no mount shows it", maj,
		   min, fspath);
	free(got);
}

static void test_paths(void)
{
	struct mountinfo mi;

	mountinfo_parse(table, sizeof(table) - 1, &mi);
	check_path(&mi, 254, 0, "/etc/passwd", "/etc/passwd");
	/* The bind mount's root covers it, and is longer than "/". */
	check_path(&mi, 254, 0, "/srv/data/x/y", "/data/x/y");
	check_path(&mi, 254, 0, "/srv/data", "/data");
	/* /srv/database is not under /srv/data. */
	check_path(&mi, 254, 0, "/srv/database/z", "/srv/database/z");
	check_path(&mi, 0, 40, "/f", "/mnt/with space/f");
	check_path(&mi, 7, 0, "/", "/img");
	check_path(&mi, 7, 0, "/lost+found", "/img/lost+found");
	check_path(&mi, 8, 1, "/a", NULL);
	mountinfo_free(&mi);
}

/* This process's own table has the root, and the mount of / is found. */
static void test_self(void)
{
	struct mountinfo mi;
	struct stat st;
	char *p = NULL;
	int err = mountinfo_read("/proc/self/mountinfo", &mi);

	ok(!err && mi.n > 0, "/proc/self/mountinfo: %zu mounts", mi.n);
	ok(mountinfo_read("/nonexistent/mountinfo", &(struct mountinfo){ 0 }) ==
	   -ENOENT, "a missing file: -ENOENT");
	if (!err && !stat("/proc", &st))
		p = mountinfo_path(&mi, major(st.st_dev), minor(st.st_dev), "/");
	ok(p && !strcmp(p, "/proc"), "procfs's root is /proc (%s)", p ? p : "NULL");
	free(p);
	mountinfo_free(&mi);
}

int main(void)
{
	test_parse();
	test_paths();
	test_self();
	return tap_done();
}
