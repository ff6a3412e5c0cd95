// SPDX-License-Identifier: GPL-2.0
/*
 * exchange: swaps two paths with renameat2(RENAME_EXCHANGE), over and
 * over, for tests of a program that must notice a file replaced between
 * its stat() and its open() (by a FIFO, say, which would block the open).
 * Both names exist at every moment.
 *
 *   exchange A B [SECONDS]
 *
 * Runs until killed, or for SECONDS (default 300), so that a test that
 * dies cannot leave it running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: exchange A B [SECONDS]\n");
		return 2;
	}
	/* SIGALRM's default action ends the process. */
	alarm(argc == 4 ? atoi(argv[3]) : 300);
	for (;;) {
		if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2],
			      RENAME_EXCHANGE)) {
			fprintf(stderr, "exchange: %s %s: %s\n", argv[1],
				argv[2], strerror(errno));
			return 1;
		}
	}
}
