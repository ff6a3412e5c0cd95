// SPDX-License-Identifier: GPL-2.0
/*
 * Runs PROGRAM through execveat(2) rather than execve(2): the directory is
 * passed as a file descriptor and the program by a name relative to it.
 *
 *   execveat DIR NAME [ARGS...]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

extern char **environ;

int main(int argc, char **argv)
{
	int dir;

	if (argc < 3) {
		fprintf(stderr, "usage: execveat DIR NAME [ARGS...]\n");
		return 2;
	}
	dir = open(argv[1], O_PATH | O_DIRECTORY);
	if (dir < 0) {
		perror(argv[1]);
		return 1;
	}
	syscall(SYS_execveat, dir, argv[2], argv + 2, environ, 0);
	perror("execveat");
	return 1;
}
