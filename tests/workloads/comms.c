// SPDX-License-Identifier: GPL-2.0
/*
 * Children with command names of our choosing, for memtrace serve's
 * per-comm series: each sets its name (prctl), makes the kernel kmalloc
 * (a pipe: alloc_pipe_info), and ends as told.
 *
 *   comms [--exit CODE | --kill | --rss BYTES] NAME N
 *
 * N == 1: one child named NAME; else N children named NAME0, NAME1, ...
 * (cut to the kernel's 15 bytes). --exit: exit with CODE (default 0);
 * --kill: die of SIGKILL; --rss: touch BYTES of memory first, then exit
 * 0. The parent reaps each with wait4() and prints, per child,
 *   pid P status S maxrss_kb K
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static void child(const char *name, int code, int kill_self, size_t rss)
{
	int fds[2];

	prctl(PR_SET_NAME, name);
	if (!pipe(fds)) {
		close(fds[0]);
		close(fds[1]);
	}
	if (rss) {
		char *p = mmap(NULL, rss, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(99);
		for (size_t i = 0; i < rss; i += 4096)
			p[i] = 1;
	}
	if (kill_self)
		raise(SIGKILL);
	_exit(code);
}

int main(int argc, char **argv)
{
	int code = 0, kill_self = 0, i = 1, n, status;
	size_t rss = 0;
	struct rusage ru;
	char name[64];

	for (; i + 1 < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--exit"))
			code = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--kill"))
			kill_self = 1;
		else if (!strcmp(argv[i], "--rss"))
			rss = strtoull(argv[++i], NULL, 0);
	}
	if (argc - i != 2 || (n = atoi(argv[i + 1])) <= 0) {
		fprintf(stderr, "usage: comms [--exit CODE | --kill | --rss BYTES] NAME N\n");
		return 2;
	}
	for (int k = 0; k < n; k++) {
		pid_t pid;

		if (n == 1)
			snprintf(name, sizeof(name), "%s", argv[i]);
		else
			snprintf(name, sizeof(name), "%s%d", argv[i], k);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid)
			child(name, code, kill_self, rss);
		if (wait4(pid, &status, 0, &ru) != pid) {
			perror("wait4");
			return 1;
		}
		printf("pid %d status %d maxrss_kb %ld\n", pid, status, ru.ru_maxrss);
	}
	return 0;
}
