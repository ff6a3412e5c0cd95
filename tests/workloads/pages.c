// SPDX-License-Identifier: GPL-2.0
/*
 * Puts files into known page-cache states, and counts their cached pages
 * the two ways the kernel offers besides memtrace: mincore(2) on a mapping
 * of the file, and cachestat(2) (Linux 6.5+).
 *
 *   pages fill FILE SIZE        write SIZE bytes and fsync (clean pages)
 *   pages sparse FILE SIZE      a sparse file of SIZE bytes
 *   pages read FILE OFF LEN     read LEN bytes at OFF, without readahead
 *   pages readall FILE...       read each from start to end, as cat does (the
 *                               kernel's readahead as it comes)
 *   pages drop FILE OFF LEN     POSIX_FADV_DONTNEED on the range (LEN 0: to
 *                               the end)
 *   pages tree DIR NDIRS NFILES DIR/dNN/fNNN, NFILES files in NDIRS
 *                               directories, file k of (k % 7 + 1) * 1500
 *                               bytes; every third file's pages dropped
 *   pages nest DIR DEPTH NAMELEN FILE
 *                               DEPTH directories, one in the other, below
 *                               DIR, each named with NAMELEN 'd's, made one
 *                               step at a time (the path may exceed
 *                               PATH_MAX), and FILE hard-linked into the
 *                               deepest as "f"
 *   pages count FILE...         per file, one line:
 *     FILE size=S pages=P mincore=M cachestat=C   (C: "none" before 6.5)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

static void die(const char *what, const char *path)
{
	fprintf(stderr, "pages: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		die("open", path);
	return fd;
}

static void fill(const char *path, long long size)
{
	static char buf[1 << 16];
	int fd = open_or_die(path, O_WRONLY | O_CREAT | O_TRUNC);

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = 'a' + i % 26;
	for (long long off = 0; off < size;) {
		long long left = size - off;
		size_t n = left < (long long)sizeof(buf) ? (size_t)left : sizeof(buf);
		ssize_t w = write(fd, buf, n);

		if (w <= 0)
			die("write", path);
		off += w;
	}
	if (fsync(fd))
		die("fsync", path);
	close(fd);
}

static void read_range(const char *path, long long off, long long len)
{
	int fd = open_or_die(path, O_RDONLY);
	char *buf = malloc(1 << 20);

	/* Only the pages asked for: no readahead around them. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	while (buf && len > 0) {
		ssize_t n = pread(fd, buf, len < (1 << 20) ? len : (1 << 20), off);

		if (n < 0)
			die("read", path);
		if (n == 0)
			break;
		off += n;
		len -= n;
	}
	free(buf);
	close(fd);
}

/*
 * To its size and no further: 5.10 answers a read at the end of a file
 * by adding a page past it to the page cache (filemap's read path had no
 * early return at EOF until 5.11), which nrpages counts and mincore, that
 * sees only the pages of a mapping of the file, does not.
 */
static void read_all(const char *path)
{
	static char buf[1 << 17];
	int fd = open_or_die(path, O_RDONLY);
	struct stat st;
	off_t left;
	ssize_t n = 1;

	if (fstat(fd, &st))
		die("stat", path);
	for (left = st.st_size; left > 0 && n > 0; left -= n)
		n = read(fd, buf, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf));
	if (n < 0)
		die("read", path);
	close(fd);
}

static void drop(const char *path, long long off, long long len)
{
	int fd = open_or_die(path, O_RDONLY);

	errno = posix_fadvise(fd, off, len, POSIX_FADV_DONTNEED);
	if (errno)
		die("fadvise", path);
	close(fd);
}

static void tree(const char *dir, int ndirs, int nfiles)
{
	char path[4096];

	if (mkdir(dir, 0755) && errno != EEXIST)
		die("mkdir", dir);
	for (int d = 0; d < ndirs; d++) {
		snprintf(path, sizeof(path), "%s/d%02d", dir, d);
		if (mkdir(path, 0755) && errno != EEXIST)
			die("mkdir", path);
	}
	for (int k = 0; k < nfiles; k++) {
		snprintf(path, sizeof(path), "%s/d%02d/f%03d", dir, k % ndirs, k);
		fill(path, (k % 7 + 1) * 1500LL);
		if (k % 3 == 0)
			drop(path, 0, 0);
	}
}

static void nest(const char *dir, int depth, int namelen, const char *file)
{
	char name[256];
	int fd, sub;

	if (namelen < 1 || namelen > 255) {
		errno = EINVAL;
		die("name length", dir);
	}
	memset(name, 'd', namelen);
	name[namelen] = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		die("mkdir", dir);
	fd = open_or_die(dir, O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < depth; i++) {
		if (mkdirat(fd, name, 0755) && errno != EEXIST)
			die("mkdir", name);
		sub = openat(fd, name, O_RDONLY | O_DIRECTORY);
		if (sub < 0)
			die("open", name);
		close(fd);
		fd = sub;
	}
	if (linkat(AT_FDCWD, file, fd, "f", 0))
		die("link", file);
	close(fd);
}

static void count(const char *path)
{
	struct { unsigned long long off, len; } range = { 0, 0 };
	unsigned long long cs[5];
	long page = sysconf(_SC_PAGESIZE);
	long long pages, resident = 0;
	unsigned char *vec = NULL;
	struct stat st;
	void *map;
	int fd = open_or_die(path, O_RDONLY);

	if (fstat(fd, &st))
		die("stat", path);
	pages = (st.st_size + page - 1) / page;
	if (pages) {
		map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		vec = malloc(pages);
		if (map == MAP_FAILED || !vec || mincore(map, st.st_size, vec))
			die("mincore", path);
		for (long long i = 0; i < pages; i++)
			resident += vec[i] & 1;
		munmap(map, st.st_size);
		free(vec);
	}
	printf("%s size=%lld pages=%lld mincore=%lld ", path,
	       (long long)st.st_size, pages, resident);
	if (syscall(__NR_cachestat, fd, &range, cs, 0) == 0)
		printf("cachestat=%llu\n", cs[0]);
	else if (errno == ENOSYS)
		printf("cachestat=none\n");
	else
		die("cachestat", path);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 2 ? argv[1] : "";

	if (!strcmp(cmd, "fill") && argc == 4) {
		fill(argv[2], atoll(argv[3]));
	} else if (!strcmp(cmd, "sparse") && argc == 4) {
		int fd = open_or_die(argv[2], O_WRONLY | O_CREAT | O_TRUNC);

		if (ftruncate(fd, atoll(argv[3])))
			die("truncate", argv[2]);
		close(fd);
	} else if (!strcmp(cmd, "read") && argc == 5) {
		read_range(argv[2], atoll(argv[3]), atoll(argv[4]));
	} else if (!strcmp(cmd, "readall")) {
		for (int i = 2; i < argc; i++)
			read_all(argv[i]);
	} else if (!strcmp(cmd, "drop") && argc == 5) {
		drop(argv[2], atoll(argv[3]), atoll(argv[4]));
	} else if (!strcmp(cmd, "tree") && argc == 5) {
		tree(argv[2], atoi(argv[3]), atoi(argv[4]));
	} else if (!strcmp(cmd, "nest") && argc == 6) {
		nest(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5]);
	} else if (!strcmp(cmd, "count")) {
		for (int i = 2; i < argc; i++)
			count(argv[i]);
	} else {
		fprintf(stderr, "usage: pages fill|sparse|read|readall|drop|tree|nest|count ...\n");
		return 2;
	}
	return 0;
}
