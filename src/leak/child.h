/* SPDX-License-Identifier: GPL-2.0 */
/* leak: the command memtrace starts (-- CMD), as whom, and its ptrace stops. */
#ifndef MEMTRACE_LEAK_CHILD_H
#define MEMTRACE_LEAK_CHILD_H

#include <sys/types.h>

/* --user: who CMD runs as. */
struct run_as {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
	char *name, *home;
};

/* Looks up a user by name or number; -1 after an error naming it. */
int leak_user_lookup(const char *spec, struct run_as *u);
void leak_user_free(struct run_as *u);

/*
 * Starts argv as a child that waits, before exec, until leak_child_go();
 * the child is traced (ptrace, seized) only to stop it at its exit, while
 * its memory map can still be read. Returns the child's PID, or -1.
 */
pid_t leak_child_spawn(const char *exe, char **argv, const struct run_as *user,
		       int *go_fd, int *err_fd);
/* Lets the child exec; 0, or -1 after an error when exec failed. */
int leak_child_go(pid_t pid, const char *exe, int go_fd, int err_fd);

/* What leak_child_poll() saw. */
enum child_state {
	CHILD_RUNNING,
	CHILD_EXITING,		/* stopped at its exit: memory map still readable */
	CHILD_EXEC,		/* stopped after an exec: a new image */
	CHILD_GONE,		/* exited; *status as from waitpid() */
};
/* Handles the child's ptrace stops without blocking (passing its
 * signals on); timeout_ms > 0 waits for a change that long. */
enum child_state leak_child_poll(pid_t pid, int *status, int timeout_ms);
/* After CHILD_EXITING or CHILD_EXEC: lets it go on. */
void leak_child_release(pid_t pid);

#endif /* MEMTRACE_LEAK_CHILD_H */
