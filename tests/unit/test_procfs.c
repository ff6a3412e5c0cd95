// SPDX-License-Identifier: GPL-2.0
// Tests for src/util/procfs.c: liveness, parent and descendants read from /proc.
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util/procfs.h"
#include "tap.h"

/* A child that exits at once; not reaped. */
static pid_t spawn_exiting(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid;
}

/* Blocks until the release pipe is closed by every writer, then exits. */
static void wait_release(int release_fd)
{
	char c;

	while (read(release_fd, &c, 1) < 0 && errno == EINTR)
		;
}

static int has_pid(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

static void test_alive(void)
{
	siginfo_t si;
	pid_t pid, ppid = 0;

	ok(proc_alive(getpid()), "proc_alive(getpid())");
	ok(!proc_ppid(getpid(), &ppid) && ppid == getppid(),
	   "proc_ppid(getpid()) = getppid()");

	pid = spawn_exiting();
	if (pid < 0) {
		ok(0, "fork");
		return;
	}
	/* Wait for the exit without reaping: the child is now a zombie. */
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	ok(si.si_pid == pid, "the child exited (zombie, not reaped)");
	ok(!proc_alive(pid), "proc_alive(zombie) is false");
	ok(!proc_ppid(pid, &ppid) && ppid == getpid(),
	   "proc_ppid still reads a zombie's parent");

	waitpid(pid, NULL, 0);
	ok(!proc_alive(pid), "proc_alive(reaped child) is false");
	ok(proc_ppid(pid, &ppid) == -ENOENT, "proc_ppid(reaped child) = -ENOENT");
	ok(!proc_alive(0) && !proc_alive(-1), "proc_alive(0), proc_alive(-1) are false");
}

/*
 * Forks a child that forks a grandchild; both block until release[1] is
 * closed. Returns the child's pid, and the grandchild's in *grandchild.
 */
static pid_t spawn_family(int release[2], pid_t *grandchild)
{
	int report[2];
	pid_t child, gc = -1;

	if (pipe(report))
		return -1;
	child = fork();
	if (child == 0) {
		close(release[1]);
		close(report[0]);
		gc = fork();
		if (gc == 0) {
			close(report[1]);
			wait_release(release[0]);
			_exit(0);
		}
		if (write(report[1], &gc, sizeof(gc)) != sizeof(gc))
			_exit(1);
		close(report[1]);
		wait_release(release[0]);
		if (gc > 0)
			waitpid(gc, NULL, 0);
		_exit(0);
	}
	close(report[1]);
	if (child < 0 ||
	    read(report[0], &gc, sizeof(gc)) != sizeof(gc) || gc <= 0)
		gc = -1;
	close(report[0]);
	*grandchild = gc;
	return child;
}

static void test_family(void)
{
	int release[2], status = -1;
	pid_t child, gc = -1, ppid = 0, *pids = NULL;
	size_t n = 0;
	int err;

	if (pipe(release)) {
		ok(0, "pipe");
		return;
	}
	child = spawn_family(release, &gc);
	close(release[0]);
	if (!ok(child > 0 && gc > 0, "forked a child and a grandchild")) {
		close(release[1]);
		if (child > 0)
			waitpid(child, NULL, 0);
		return;
	}

	ok(proc_alive(child) && proc_alive(gc), "both are alive");
	ok(!proc_ppid(child, &ppid) && ppid == getpid(),
	   "proc_ppid(child) = getpid()");
	ok(!proc_ppid(gc, &ppid) && ppid == child,
	   "proc_ppid(grandchild) = child");

	err = proc_descendants(getpid(), &pids, &n);
	ok(!err && n == 2 && has_pid(pids, n, child) && has_pid(pids, n, gc) &&
	   !has_pid(pids, n, getpid()),
	   "proc_descendants(getpid()) = { child, grandchild }");
	if (!err && n != 2)
		printf("#   got %zu pids\n", n);
	free(pids);

	pids = NULL;
	err = proc_descendants(child, &pids, &n);
	ok(!err && n == 1 && pids[0] == gc,
	   "proc_descendants(child) = { grandchild }");
	free(pids);

	pids = NULL;
	err = proc_descendants(gc, &pids, &n);
	ok(!err && n == 0, "proc_descendants(grandchild) is empty");
	free(pids);

	/* Release both; the child reaps the grandchild, we reap the child. */
	close(release[1]);
	ok(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	   WEXITSTATUS(status) == 0, "child and grandchild exit once released");
	ok(!proc_alive(child) && !proc_alive(gc), "neither is alive any more");

	pids = NULL;
	err = proc_descendants(getpid(), &pids, &n);
	ok(!err && n == 0, "proc_descendants(getpid()) is empty again");
	free(pids);
}

static void test_zombie_not_descendant(void)
{
	pid_t pid = spawn_exiting(), *pids = NULL;
	siginfo_t si;
	size_t n = 0;
	int err;

	if (pid < 0) {
		ok(0, "fork");
		return;
	}
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	err = proc_descendants(getpid(), &pids, &n);
	ok(!err && !has_pid(pids, n, pid), "a zombie child is not a descendant");
	free(pids);
	waitpid(pid, NULL, 0);
}

static void test_maps_unescape(void)
{
	char a[] = "/tmp/leak\\012er", b[] = "/usr/lib/libc.so.6 (deleted)",
	     c[] = "/x\\01\\012\\012";

	maps_path_unescape(a);
	maps_path_unescape(b);
	maps_path_unescape(c);
	ok(!strcmp(a, "/tmp/leak\ner"), "a newline in a maps path, escaped \\012");
	ok(!strcmp(b, "/usr/lib/libc.so.6 (deleted)"), "other paths unchanged");
	ok(!strcmp(c, "/x\\01\n\n"), "only \\012 is unescaped");
}

static void test_sysctl(void)
{
	long v = -1;

	ok(!sysctl_long("kernel/pid_max", &v) && v > 0,
	   "sysctl_long(kernel/pid_max) > 0");
	ok(sysctl_long("kernel/no_such_sysctl", &v) == -ENOENT,
	   "a missing sysctl is -ENOENT");
	/* Two numbers: not one. */
	ok(sysctl_long("kernel/printk_ratelimit_burst", &v) == 0 &&
	   sysctl_long("net/ipv4/ip_local_port_range", &v) == -EINVAL,
	   "a number, then a pair that is not one number (-EINVAL)");
}

int main(void)
{
	/* A stuck child must not hang the suite. */
	alarm(8);
	test_alive();
	test_family();
	test_zombie_not_descendant();
	test_maps_unescape();
	test_sysctl();
	return tap_done();
}
