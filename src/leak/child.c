// SPDX-License-Identifier: GPL-2.0
/* leak: the command memtrace starts (-- CMD), as whom, and its ptrace stops. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "core/log.h"
#include "leak/child.h"
#include "util/parse.h"

/* The entry of /etc/passwd named spec, or numbered spec. Read from the
 * files, not through NSS: the static build cannot load NSS modules of
 * another glibc. */
static struct passwd *find_user(const char *spec)
{
	bool by_uid;
	struct passwd *pw;
	uint64_t uid;
	FILE *f = fopen("/etc/passwd", "re");

	if (!f)
		return NULL;
	by_uid = !parse_u64(spec, 0, UINT32_MAX - 1, &uid);
	while ((pw = fgetpwent(f)))
		if (by_uid ? pw->pw_uid == uid : !strcmp(pw->pw_name, spec))
			break;
	fclose(f);
	return pw;
}

/* The user's primary group, then the groups of /etc/group naming it. */
static int user_groups(struct run_as *u)
{
	FILE *f = fopen("/etc/group", "re");
	struct group *g;
	int cap = 16;

	u->groups = calloc(cap, sizeof(gid_t));
	if (!u->groups) {
		if (f)
			fclose(f);
		return -1;
	}
	u->groups[u->ngroups++] = u->gid;
	while (f && (g = fgetgrent(f))) {
		for (char **m = g->gr_mem; *m; m++) {
			if (strcmp(*m, u->name) || g->gr_gid == u->gid)
				continue;
			if (u->ngroups == cap) {
				gid_t *v = realloc(u->groups, 2 * cap * sizeof(gid_t));

				if (!v) {
					fclose(f);
					return -1;
				}
				u->groups = v;
				cap *= 2;
			}
			u->groups[u->ngroups++] = g->gr_gid;
			break;
		}
	}
	if (f)
		fclose(f);
	return 0;
}

int leak_user_lookup(const char *spec, struct run_as *u)
{
	struct passwd *pw;

	memset(u, 0, sizeof(*u));
	pw = find_user(spec);
	if (!pw) {
		log_err("--user %s: no such user in /etc/passwd", spec);
		return -1;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->name = strdup(pw->pw_name);
	u->home = strdup(pw->pw_dir);
	if (!u->name || !u->home || user_groups(u)) {
		log_err("--user %s: out of memory", spec);
		leak_user_free(u);
		return -1;
	}
	return 0;
}

void leak_user_free(struct run_as *u)
{
	free(u->groups);
	free(u->name);
	free(u->home);
	memset(u, 0, sizeof(*u));
}

/* In the child, before exec: become the user, as sudo -u does. */
static int become(const struct run_as *u)
{
	if (setgroups(u->ngroups, u->groups) || setgid(u->gid) || setuid(u->uid))
		return -1;
	setenv("HOME", u->home, 1);
	setenv("USER", u->name, 1);
	setenv("LOGNAME", u->name, 1);
	return 0;
}

pid_t leak_child_spawn(const char *exe, char **argv, const struct run_as *user,
		       int *go_fd, int *err_fd)
{
	int go[2], err[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		log_err("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char c;
		int e;

		/* memtrace's handlers and its ignored SIGPIPE are not the
		 * command's: Ctrl-C must stop it. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close(go[1]);
		close(err[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);	/* memtrace gave up */
		if (!user || !become(user))
			execv(exe, argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	*go_fd = go[1];
	*err_fd = err[0];
	/* Stop it at its exit, while /proc/PID/maps still lists its files,
	 * and at each exec, which ends the old image's allocations. */
	if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC))
		log_warn("cannot trace the command's exit (%s): frames in libraries it unloads may stay unnamed",
			 strerror(errno));
	return pid;
}

int leak_child_go(pid_t pid, const char *exe, int go_fd, int err_fd)
{
	struct pollfd pfd = { .fd = err_fd, .events = POLLIN };
	int e = 0, status;
	ssize_t n = -1;

	if (write(go_fd, "x", 1) != 1)
		goto failed;
	close(go_fd);
	go_fd = -1;
	/* Until exec closes the pipe (or the child writes why it failed),
	 * pass on what stops the traced child: a signal that comes now
	 * would otherwise hold it, and us, forever. */
	for (;;) {
		int ready = poll(&pfd, 1, 50);

		if (ready > 0) {
			n = read(err_fd, &e, sizeof(e));
			if (n >= 0 || errno != EINTR)
				break;
		} else if (ready < 0 && errno != EINTR) {
			break;
		} else {
			enum child_state st = leak_child_poll(pid, &status, 0);

			if (st == CHILD_GONE) {
				n = -1;
				break;
			}
			if (st != CHILD_RUNNING)
				leak_child_release(pid);
		}
	}
failed:
	if (go_fd >= 0)
		close(go_fd);
	close(err_fd);
	if (n == 0)
		return 0;
	log_err("cannot run '%s': %s", exe, n > 0 ? strerror(e) : "the child died");
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	return -1;
}

enum child_state leak_child_poll(pid_t pid, int *status, int timeout_ms)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };

	for (int waited = 0;; waited += 5) {
		int st;
		pid_t got = waitpid(pid, &st, WNOHANG | __WALL);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*status = 0;
			return CHILD_GONE;
		}
		if (got == 0) {
			if (waited >= timeout_ms)
				return CHILD_RUNNING;
			nanosleep(&tick, NULL);
			continue;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			*status = st;
			return CHILD_GONE;
		}
		if (!WIFSTOPPED(st))
			continue;
		switch (st >> 16) {
		case PTRACE_EVENT_EXIT:
			return CHILD_EXITING;
		case PTRACE_EVENT_EXEC:
			return CHILD_EXEC;
		case PTRACE_EVENT_STOP:
			/* A group stop (SIGSTOP, SIGTSTP...): stay stopped until
			 * SIGCONT, which reports another PTRACE_EVENT_STOP, with
			 * SIGTRAP: then run. */
			switch (WSTOPSIG(st)) {
			case SIGSTOP:
			case SIGTSTP:
			case SIGTTIN:
			case SIGTTOU:
				ptrace(PTRACE_LISTEN, pid, 0, 0);
				break;
			default:
				ptrace(PTRACE_CONT, pid, 0, 0);
			}
			break;
		default:
			/* A signal on its way to the child: deliver it. */
			ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(st));
		}
	}
}

void leak_child_release(pid_t pid)
{
	ptrace(PTRACE_CONT, pid, 0, 0);
}
