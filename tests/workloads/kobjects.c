// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for memtrace leak's kernel mode: makes the kernel hold N objects
 * for as long as we say, then releases them.
 *
 *   kobjects xattr FILE N   N xattrs trusted.mt<i> of 100 bytes on FILE
 *                           (tmpfs keeps each in a kmalloc'ed block)
 *   kobjects eventfd N      N eventfds (a struct file each, from "filp")
 *   kobjects pipe N         N pipes, each filled with 64 KiB (16 pages)
 *
 * Prints "ready PID", then on each SIGUSR1 the next step: creates the
 * objects ("created"), releases them ("released"), exits. RLIMIT_NOFILE is
 * raised to fit the descriptors.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/xattr.h>

static volatile sig_atomic_t steps;

static void on_usr1(int sig)
{
	(void)sig;
	steps++;
}

/* Waits for the next SIGUSR1 (blocked but in sigsuspend: none missed). */
static void next_step(int *seen)
{
	sigset_t none;

	sigemptyset(&none);
	while (steps == *seen)
		sigsuspend(&none);
	(*seen)++;
}

static void say(const char *what)
{
	printf("%s\n", what);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[argc - 1]) : 0;
	struct rlimit rl = { 2 * n + 64, 2 * n + 64 };
	int *fds, seen = 0;
	char value[100], name[32];
	sigset_t usr1;

	bool xattr = !strcmp(mode, "xattr"), eventfds = !strcmp(mode, "eventfd");

	if (n <= 0 || (xattr ? argc != 4 : !eventfds && strcmp(mode, "pipe")) ||
	    (!xattr && argc != 3)) {
		fprintf(stderr, "usage: kobjects xattr FILE N | eventfd N | pipe N\n");
		return 2;
	}
	fds = calloc(2 * n, sizeof(*fds));
	if (!fds || setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("kobjects");
		return 1;
	}
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	signal(SIGUSR1, on_usr1);
	memset(value, 'x', sizeof(value));
	printf("ready %d\n", getpid());
	fflush(stdout);

	next_step(&seen);
	for (long i = 0; i < n; i++) {
		if (!strcmp(mode, "xattr")) {
			snprintf(name, sizeof(name), "trusted.mt%ld", i);
			if (setxattr(argv[2], name, value, sizeof(value), 0))
				goto fail;
		} else if (!strcmp(mode, "eventfd")) {
			fds[i] = eventfd(0, 0);
			if (fds[i] < 0)
				goto fail;
		} else {
			static char buf[65536];

			if (pipe(&fds[2 * i]))
				goto fail;
			fcntl(fds[2 * i + 1], F_SETFL, O_NONBLOCK);
			if (write(fds[2 * i + 1], buf, sizeof(buf)) != sizeof(buf))
				goto fail;
		}
	}
	say("created");

	next_step(&seen);
	for (long i = 0; i < n; i++) {
		if (!strcmp(mode, "xattr")) {
			snprintf(name, sizeof(name), "trusted.mt%ld", i);
			removexattr(argv[2], name);
		} else if (!strcmp(mode, "eventfd")) {
			close(fds[i]);
		} else {
			static char buf[65536];

			/* Drained, then closed: every page goes back. */
			fcntl(fds[2 * i], F_SETFL, O_NONBLOCK);
			while (read(fds[2 * i], buf, sizeof(buf)) > 0)
				;
			close(fds[2 * i]);
			close(fds[2 * i + 1]);
		}
	}
	say("released");
	next_step(&seen);
	free(fds);
	return 0;
fail:
	perror("kobjects");
	return 1;
}
