// SPDX-License-Identifier: GPL-2.0
// Tests for src/util/procmaps.c: lines of /proc/PID/maps, made up and real.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "util/procmaps.h"
#include "tap.h"

/* procmaps_parse on a copy of line. */
static int parse(const char *line, struct procmaps_entry *e, char **copy)
{
	*copy = strdup(line);
	if (!*copy)
		abort();
	return procmaps_parse(*copy, e);
}

static void test_file_line(void)
{
	struct procmaps_entry e;
	char *c;
	int rc = parse("7f2b1c000000-7f2b1c028000 r-xp 00028000 fd:01 1234567"
		       "                    /usr/lib/libc.so.6\n", &e, &c);

	ok(rc == 0, "a file mapping parses");
	ok(e.start == 0x7f2b1c000000 && e.end == 0x7f2b1c028000,
	   "its range: %#llx-%#llx", (unsigned long long)e.start,
	   (unsigned long long)e.end);
	ok(!strcmp(e.perms, "r-xp"), "its permissions: %s", e.perms);
	ok(e.offset == 0x28000, "its offset");
	ok(major(e.dev) == 0xfd && minor(e.dev) == 1, "its device, in hex");
	ok(e.inode == 1234567, "its inode, in decimal");
	ok(!strcmp(e.path, "/usr/lib/libc.so.6") && !e.deleted,
	   "its path, without the padding or the newline: '%s'", e.path);
	free(c);

	rc = parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
		   "                  [vsyscall]", &e, &c);
	ok(rc == 0 && e.start == 0xffffffffff600000 &&
	   !strcmp(e.perms, "--xp") && !strcmp(e.path, "[vsyscall]"),
	   "16 hex digits, a pseudo name, no newline at the end");
	free(c);

	rc = parse("00400000-00401000 rw-s 00000000 103:1f 42 /tmp/a b/c d\n",
		   &e, &c);
	ok(rc == 0 && e.perms[3] == 's' && major(e.dev) == 0x103 &&
	   minor(e.dev) == 0x1f && !strcmp(e.path, "/tmp/a b/c d"),
	   "a shared mapping, a 3-digit major, spaces in the path: '%s'",
	   e.path);
	free(c);
}

/* line parses, to path (and the deleted mark). */
static bool path_is(const char *line, const char *path, bool deleted)
{
	struct procmaps_entry e;
	char *c;
	bool good = !parse(line, &e, &c) && !strcmp(e.path, path) &&
		    e.deleted == deleted;

	free(c);
	return good;
}

static void test_anonymous(void)
{
	ok(path_is("7ffd1000-7ffd2000 rw-p 00000000 00:00 0 \n", "", false),
	   "anonymous memory: no path (the kernel leaves a space)");
	ok(path_is("7ffd1000-7ffd2000 rw-p 00000000 00:00 0", "", false),
	   "and without the space or the newline");
}

static void test_escape_and_deleted(void)
{
	const char *head = "1000-2000 r-xp 0 08:01 7 ";
	static const struct {
		const char *in, *path;
		bool deleted;
		const char *what;
	} cases[] = {
		{ "/tmp/a\\012b\\012\n", "/tmp/a\nb\n", false,
		  "\\012 is a newline in the file's name" },
		{ "/tmp/a\\01b\\\n", "/tmp/a\\01b\\", false,
		  "other backslashes are the name's own" },
		{ "/usr/lib/libfoo.so (deleted)\n", "/usr/lib/libfoo.so", true,
		  "a deleted file: flagged, the mark cut off" },
		{ "/tmp/x\\012 (deleted)\n", "/tmp/x\n", true,
		  "a deleted file with a newline in its name" },
		{ "/tmp/(deleted)\n", "/tmp/(deleted)", false,
		  "'(deleted)' without its space is part of the name" },
		{ "/tmp/a (deleted) b\n", "/tmp/a (deleted) b", false,
		  "' (deleted)' inside the name is part of it" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[128];

		snprintf(line, sizeof(line), "%s%s", head, cases[i].in);
		ok(path_is(line, cases[i].path, cases[i].deleted), "%s",
		   cases[i].what);
	}
}

static void test_long_path(void)
{
	const char *head = "1000-2000 r-xp 0 08:01 7 ";
	size_t plen = 4 * PATH_MAX, n;
	char *line = malloc(strlen(head) + plen + 4 * 64 + 2);
	char *want = malloc(plen + 64 + 1);
	struct procmaps_entry e;

	if (!line || !want)
		abort();
	n = strlen(head);
	memcpy(line, head, n);
	line[n++] = '/';
	want[0] = '/';
	for (size_t i = 1; i < plen; i++)
		want[i] = line[n++] = 'a' + i % 26;
	for (size_t i = 0; i < 64; i++) {
		memcpy(line + n, "\\012", 4);
		n += 4;
		want[plen + i] = '\n';
	}
	memcpy(line + n, "\n", 2);
	want[plen + 64] = '\0';
	ok(!procmaps_parse(line, &e) && strlen(e.path) == plen + 64 &&
	   !strcmp(e.path, want),
	   "a path of %zu bytes with 64 escaped newlines comes back whole",
	   plen + 64);
	free(line);
	free(want);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"\n",
		"garbage\n",
		"1000",
		"1000-",
		"1000 2000 r-xp 0 08:01 7 /x",
		"1000-2000",
		"1000-2000 ",
		"2000-1000 r-xp 0 08:01 7 /x",		/* end before start */
		"1000-1000 r-xp 0 08:01 7 /x",		/* empty */
		"0x1000-0x2000 r-xp 0 08:01 7 /x",
		" 1000-2000 r-xp 0 08:01 7 /x",
		"-1000-2000 r-xp 0 08:01 7 /x",
		"1000-+2000 r-xp 0 08:01 7 /x",
		"10000000000000000-20000000000000000 r-xp 0 08:01 7 /x",
		"1000-2000 rwxq 0 08:01 7 /x",
		"1000-2000 rxw- 0 08:01 7 /x",
		"1000-2000 r-x 0 08:01 7 /x",
		"1000-2000 r-xp  0 08:01 7 /x",
		"1000-2000 r-xp g 08:01 7 /x",
		"1000-2000 r-xp 0",
		"1000-2000 r-xp 0 0801 7 /x",
		"1000-2000 r-xp 0 08: 7 /x",
		"1000-2000 r-xp 0 :01 7 /x",
		"1000-2000 r-xp 0 08:100000000 7 /x",
		"1000-2000 r-xp 0 100000000:01 7 /x",
		"1000-2000 r-xp 0 08:01",
		"1000-2000 r-xp 0 08:01 ",
		"1000-2000 r-xp 0 08:01 7a /x",
		"1000-2000 r-xp 0 08:01 -7 /x",
		"1000-2000 r-xp 0 08:01 18446744073709551616 /x",
	};
	size_t nbad = sizeof(bad) / sizeof(bad[0]), good = 0;
	struct procmaps_entry e;

	for (size_t i = 0; i < nbad; i++) {
		char *c;
		int rc = parse(bad[i], &e, &c);

		if (rc != -EINVAL)
			printf("# parsed, but malformed: '%s'\n", bad[i]);
		else
			good++;
		free(c);
	}
	ok(good == nbad, "%zu of %zu malformed lines are refused", good, nbad);
}

/* A file of ours mapped, with a newline in its name, then deleted: the
 * kernel's own line for it. */
static void test_own_maps(void)
{
	char dir[] = "/tmp/procmaps.XXXXXX", path[64], exe[PATH_MAX];
	struct procmaps_entry e;
	struct procmaps pm;
	struct stat st, exe_st;
	bool found = false, found_exe = false;
	ssize_t len;
	void *p = MAP_FAILED;
	int fd = -1, rc;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/a\nb c", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0 && !ftruncate(fd, 4096) && !fstat(fd, &st))
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (p == MAP_FAILED || len <= 0 || stat("/proc/self/exe", &exe_st)) {
		ok(0, "setting up a mapping: %s", strerror(errno));
		goto out;
	}
	exe[len] = '\0';
	unlink(path);

	rc = procmaps_open(&pm, getpid());
	ok(rc == 0, "our own maps open");
	while (!rc && (rc = procmaps_next(&pm, &e)) > 0) {
		rc = 0;
		if (e.start == (uintptr_t)p)
			found = e.deleted && !strcmp(e.path, path) &&
				e.inode == st.st_ino && e.dev == st.st_dev &&
				!strcmp(e.perms, "r--s") && e.offset == 0 &&
				e.end - e.start == 4096;
		if (e.perms[2] == 'x' && !strcmp(e.path, exe) &&
		    e.inode == exe_st.st_ino && e.dev == exe_st.st_dev)
			found_exe = true;
	}
	ok(rc == 0, "read to the end");
	procmaps_close(&pm);
	ok(found, "a deleted file with a newline and a space in its name: "
	   "its name, inode, device, permissions and range");
	ok(found_exe, "our program's code: %s", exe);
out:
	if (p != MAP_FAILED)
		munmap(p, 4096);
	if (fd >= 0)
		close(fd);
	unlink(path);
	rmdir(dir);
}

static void test_no_process(void)
{
	struct procmaps pm;

	ok(procmaps_open(&pm, INT_MAX) == -ESRCH,
	   "no such process: -ESRCH");
	procmaps_close(&pm);
}

int main(void)
{
	test_file_line();
	test_anonymous();
	test_escape_and_deleted();
	test_long_path();
	test_malformed();
	test_own_maps();
	test_no_process();
	return tap_done();
}
