/* SPDX-License-Identifier: GPL-2.0 */
/* leak: the allocator a process uses, and the program a command runs. */
#ifndef MEMTRACE_LEAK_TARGET_H
#define MEMTRACE_LEAK_TARGET_H

#include <limits.h>
#include <sys/types.h>

/* Files to attach to, as paths this process can open. */
struct leak_libs {
	char alloc[PATH_MAX];		/* the allocator: libc, -O, or a static program */
	char libc[PATH_MAX];		/* mmap, munmap, mremap: libc ("" if none) */
	char cxx[PATH_MAX];		/* libstdc++ ("" if not used) */
};

/*
 * A running process: the allocator it has mapped (-O names another, by
 * path or file name), found in /proc/PID/maps and opened through
 * /proc/PID/root, so that a process in another mount namespace works.
 * Prints the error and returns -1 when there is none.
 */
int leak_libs_of_pid(pid_t pid, const char *obj, const char *prefix,
		     struct leak_libs *libs);
/* A program about to run: its own file if static, else its libraries,
 * found as the dynamic linker will (DT_RUNPATH, LD_LIBRARY_PATH, the
 * system directories). */
int leak_libs_of_program(const char *exe, const char *obj, const char *prefix,
			 struct leak_libs *libs);
/* The program file for a command name, searched in PATH as execvp()
 * would; -1 after an error naming it. */
int leak_find_program(const char *cmd, char *path, size_t len);

#endif /* MEMTRACE_LEAK_TARGET_H */
