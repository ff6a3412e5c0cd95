// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/parse.h"
#include "util/procfs.h"

#define PF_KTHREAD 0x00200000	/* include/linux/sched.h */

/* State, ppid and flags from /proc/<pid>/stat; comm may hold ')' and
 * spaces. flags may be NULL. */
static int read_stat_flags(pid_t pid, char *state, pid_t *ppid,
			   unsigned long *flags)
{
	char path[64], buf[512], *p;
	size_t len;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	if (flags) {
		/* state ppid pgrp session tty_nr tpgid flags */
		n = sscanf(p + 1, " %c %d %*d %*d %*d %*d %lu", state, ppid, flags);
		return n == 3 ? 0 : -EINVAL;
	}
	n = sscanf(p + 1, " %c %d", state, ppid);
	return n == 2 ? 0 : -EINVAL;
}

static int read_stat(pid_t pid, char *state, pid_t *ppid)
{
	return read_stat_flags(pid, state, ppid, NULL);
}

enum proc_state proc_state(pid_t pid, bool *kthread)
{
	unsigned long flags;
	pid_t ppid;
	char state;

	*kthread = false;
	if (read_stat_flags(pid, &state, &ppid, &flags))
		return PROC_GONE;
	*kthread = flags & PF_KTHREAD;
	return state == 'Z' || state == 'X' ? PROC_ZOMBIE : PROC_LIVE;
}

bool proc_alive(pid_t pid)
{
	char state;
	pid_t ppid;

	return !read_stat(pid, &state, &ppid) && state != 'Z' && state != 'X';
}

int proc_ppid(pid_t pid, pid_t *ppid)
{
	char state;

	return read_stat(pid, &state, ppid);
}

struct pair {
	pid_t pid, ppid;
};

int proc_descendants(pid_t root, pid_t **pids, size_t *n)
{
	struct pair *all = NULL, *tmp;
	size_t nall = 0, cap = 0, nout = 0, i, scan;
	pid_t *out = NULL;
	struct dirent *de;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t pid, ppid;
		char state;

		if (parse_pid(de->d_name, &pid) ||
		    read_stat(pid, &state, &ppid) || state == 'Z')
			continue;
		if (nall == cap) {
			cap = cap ? cap * 2 : 256;
			tmp = realloc(all, cap * sizeof(*all));
			if (!tmp)
				goto nomem;
			all = tmp;
		}
		all[nall++] = (struct pair){ pid, ppid };
	}
	closedir(d);
	d = NULL;

	/* Breadth-first: out[] grows while it is scanned. */
	out = malloc((nall + 1) * sizeof(*out));
	if (!out)
		goto nomem;
	for (scan = 0;; scan++) {
		pid_t parent = scan ? out[scan - 1] : root;

		for (i = 0; i < nall; i++)
			if (all[i].ppid == parent && all[i].pid != root)
				out[nout++] = all[i].pid;
		if (scan >= nout)
			break;
	}
	free(all);
	*pids = out;
	*n = nout;
	return 0;
nomem:
	if (d)
		closedir(d);
	free(all);
	free(out);
	return -ENOMEM;
}

int sysctl_long(const char *name, long *v)
{
	char path[128], buf[32], *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	errno = 0;
	*v = strtol(buf, &end, 10);
	if (end == buf || errno || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

int proc_self_pfn(const void *addr, uint64_t *pfn)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t off = (off_t)((uintptr_t)addr / page) * sizeof(uint64_t);
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, &e, sizeof(e), off);
	if (n < 0)
		err = -errno;
	else if (n != sizeof(e))
		err = -EIO;
	close(fd);
	if (err)
		return err;
	/* Bit 63: present; bits 0-54: the frame (Documentation/admin-guide/mm/pagemap.rst). */
	if (!(e >> 63))
		return -ENOENT;
	*pfn = e & ((1ULL << 55) - 1);
	return *pfn ? 0 : -EPERM;
}

int proc_comm(pid_t pid, char comm[16])
{
	char path[64];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, comm, 15);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (n < 0)
		return err;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return 0;
}
