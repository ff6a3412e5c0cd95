// SPDX-License-Identifier: GPL-2.0
/*
 * Makes the kernel kmalloc a known number of a known size: setxattr(2) of
 * a SIZE-byte value copies it into a SIZE-byte kmalloc (vmemdup_user)
 * before the filesystem stores it.
 *
 *   xattr [--comm NAME] [--wait FIFO] [--hold FIFO] FILE SIZE COUNT
 *
 * Sets trusted.memtrace on FILE (tmpfs has trusted.* xattrs on every
 * kernel, user.* only from 6.6) COUNT times, then removes it. With --wait,
 * first blocks until a line can be read from FIFO. With --hold, prints
 * "set" once the values are set and blocks until a line can be read from
 * that FIFO before removing the value (a process that stays). Prints
 *   pid P tid T size SIZE count COUNT ns_per_call N
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

/* Blocks until a line can be read from the FIFO at path. */
static int read_line(const char *path)
{
	char line[16];
	FILE *f = fopen(path, "r");

	if (!f || !fgets(line, sizeof(line), f)) {
		perror(path);
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *comm = "mt-xattr", *wait = NULL, *hold = NULL;
	struct timespec t0, t1;
	long size, count;
	char *value;
	int i = 1;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--comm"))
			comm = argv[i + 1];
		else if (!strcmp(argv[i], "--wait"))
			wait = argv[i + 1];
		else if (!strcmp(argv[i], "--hold"))
			hold = argv[i + 1];
	}
	if (argc - i != 3 || (size = atol(argv[i + 1])) <= 0 ||
	    (count = atol(argv[i + 2])) <= 0) {
		fprintf(stderr, "usage: xattr [--comm NAME] [--wait FIFO] [--hold FIFO] FILE SIZE COUNT\n");
		return 2;
	}
	prctl(PR_SET_NAME, comm);
	value = malloc(size);
	if (!value)
		return 1;
	memset(value, 'x', size);
	if (wait && read_line(wait))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long n = 0; n < count; n++) {
		if (setxattr(argv[i], "trusted.memtrace", value, size, 0)) {
			perror("setxattr");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (hold) {
		printf("set\n");
		fflush(stdout);
		if (read_line(hold))
			return 1;
	}
	removexattr(argv[i], "trusted.memtrace");
	printf("pid %d tid %ld size %ld count %ld ns_per_call %.1f\n", getpid(),
	       (long)syscall(SYS_gettid), size, count,
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / count);
	free(value);
	return 0;
}
