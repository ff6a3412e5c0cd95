// SPDX-License-Identifier: GPL-2.0
/*
 * stall-stderr: runs a command with its stderr on a pipe that is already
 * full, so that the command blocks in its first write there; once it is
 * blocked, sends it a signal, then passes on what it writes to stderr and
 * exits with its status (128 + N for signal N). A test's way to signal a
 * program at a known point of its work, the first message it prints,
 * without depending on timing.
 *
 *   stall-stderr SIGNAL CMD [ARG...]      SIGNAL: a number
 *
 * "Blocked" is read from /proc/PID/syscall: in write(2) or writev(2) on
 * descriptor 2 (glibc's stdio writes with write, musl's with writev).
 * Exits 125 when the command ends, or has not blocked after 60 s.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void die(const char *what)
{
	fprintf(stderr, "stall-stderr: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* Fills the pipe's buffer a byte at a time (writes of a pipe merge into
 * its last page), so that no room is left; returns the bytes written. */
static size_t fill(int fd)
{
	size_t n = 0;

	fcntl(fd, F_SETPIPE_SZ, 4096);
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		die("fcntl");
	while (write(fd, "#", 1) == 1)
		n++;
	if (errno != EAGAIN || fcntl(fd, F_SETFL, 0))
		die("filling the pipe");
	return n;
}

/* Whether pid is in write(2) or writev(2) on descriptor 2. */
static int blocked(pid_t pid)
{
	char path[64], want[32], wantv[32], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	snprintf(want, sizeof(want), "%d 0x2 ", SYS_write);
	snprintf(wantv, sizeof(wantv), "%d 0x2 ", SYS_writev);
	f = fopen(path, "r");
	if (!f)
		die(path);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, want, strlen(want)) ||
	       !strncmp(buf, wantv, strlen(wantv));
}

int main(int argc, char **argv)
{
	size_t ours, skip;
	char buf[4096];
	int p[2], sig, status, i;
	pid_t pid;
	ssize_t n;

	if (argc < 3 || (sig = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: stall-stderr SIGNAL CMD [ARG...]\n");
		return 2;
	}
	if (pipe2(p, O_CLOEXEC))
		die("pipe");
	ours = fill(p[1]);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (dup2(p[1], 2) < 0)
			die("dup2");
		execvp(argv[2], argv + 2);
		die(argv[2]);
	}
	close(p[1]);
	for (i = 0; !blocked(pid); i++) {
		if (waitpid(pid, &status, WNOHANG) == pid || i == 6000) {
			fprintf(stderr, "stall-stderr: %s did not block writing to stderr\n",
				argv[2]);
			return 125;
		}
		usleep(10000);
	}
	if (kill(pid, sig))
		die("kill");
	/* The bytes that filled the pipe come first, then the command's. */
	for (skip = ours; (n = read(p[0], buf, sizeof(buf))) > 0;) {
		size_t drop = skip < (size_t)n ? skip : (size_t)n;

		skip -= drop;
		if (write(2, buf + drop, n - drop) < 0)
			die("write");
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
