// SPDX-License-Identifier: GPL-2.0
/*
 * An exec storm: starts N children as fast as the machine forks, each
 * executing PROGRAM, then reaps them all.
 *
 *   execstorm N PROGRAM
 *
 * Prints "spawned N failed F seconds S" (F: children that did not exit 0).
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int n, spawned = 0, failed = 0, status;
	pid_t pid;

	if (argc != 3 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: execstorm N PROGRAM\n");
		return 2;
	}
	char *child_argv[] = { argv[2], NULL };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		/* posix_spawn uses vfork-like clone: the fastest fork+exec. */
		if (posix_spawn(&pid, argv[2], NULL, NULL, child_argv, environ)) {
			failed++;
			continue;
		}
		spawned++;
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("spawned %d failed %d seconds %.6f\n", spawned, failed,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return failed ? 1 : 0;
}
