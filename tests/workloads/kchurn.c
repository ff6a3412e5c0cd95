// SPDX-License-Identifier: GPL-2.0
/*
 * Syscalls that make the kernel allocate and free, timed: the benchmark of
 * memtrace leak's kernel mode.
 *
 *   kchurn xattr FILE N   N x (setxattr of 3001 bytes, removexattr) on FILE
 *   kchurn pipe N         N x (write 4 KiB to a pipe, read it back)
 *
 * Prints "ns_per_op X" (one op: the pair).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/xattr.h>

int main(int argc, char **argv)
{
	static char buf[4096], value[3001];
	struct timespec a, b;
	int xattr = argc == 4 && !strcmp(argv[1], "xattr");
	long n = atol(argv[argc - 1]);
	int fds[2];

	if ((!xattr && (argc != 3 || strcmp(argv[1], "pipe"))) || n <= 0) {
		fprintf(stderr, "usage: kchurn xattr FILE N | pipe N\n");
		return 2;
	}
	if (!xattr && pipe(fds)) {
		perror("pipe");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		if (xattr) {
			if (setxattr(argv[2], "trusted.churn", value, sizeof(value), 0) ||
			    removexattr(argv[2], "trusted.churn")) {
				perror("xattr");
				return 1;
			}
		} else if (write(fds[1], buf, sizeof(buf)) != sizeof(buf) ||
			   read(fds[0], buf, sizeof(buf)) != sizeof(buf)) {
			perror("pipe");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("ns_per_op %.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 +
				    (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
