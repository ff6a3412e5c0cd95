// SPDX-License-Identifier: GPL-2.0
/* leak: finding the allocator a process uses, and the program a command
 * runs. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/log.h"
#include "leak/target.h"
#include "util/procfs.h"
#include "util/path.h"
#include "util/procmaps.h"
#include "uprobe/uelf.h"

#define MAX_LIBS 4096

/* libc.so.6, libstdc++.so.6: the name, then ".so". */
static bool is_lib(const char *path, const char *stem)
{
	const char *b = path_base(path);
	size_t n = strlen(stem);

	return !strncmp(b, stem, n) && !strncmp(b + n, ".so", 3);
}

/* -O matches a path, a file name, or a file name without its version
 * (libjemalloc.so for libjemalloc.so.2). */
static bool obj_matches(const char *path, const char *obj)
{
	const char *b = path_base(path);
	size_t n = strlen(obj);

	if (strchr(obj, '/'))
		return !strcmp(path, obj);
	return !strcmp(b, obj) || (!strncmp(b, obj, n) && b[n] == '.');
}

static bool defines(const char *path, const char *prefix, const char *func)
{
	char name[256];
	struct uelf *e = uelf_open(path);
	struct ufunc f;
	bool ok;

	if (!e)
		return false;
	snprintf(name, sizeof(name), "%s%s", prefix, func);
	ok = !uelf_func(e, name, &f);
	uelf_close(e);
	return ok;
}

/* libstdc++ (operator new) and libc (mmap and co.) among files[], the
 * host paths of names[]. */
static void pick_runtime(char **files, char **names, int n,
			 struct leak_libs *libs)
{
	for (int i = 0; i < n; i++) {
		if (!libs->cxx[0] && is_lib(names[i], "libstdc++"))
			snprintf(libs->cxx, sizeof(libs->cxx), "%s", files[i]);
		if (!libs->libc[0] && is_lib(names[i], "libc"))
			snprintf(libs->libc, sizeof(libs->libc), "%s", files[i]);
	}
}

/* Picks the allocator, libc and libstdc++ among files[] (host paths),
 * shown to the user as names[]. */
static int pick(char **files, char **names, int n, const char *obj,
		const char *prefix, const char *where, struct leak_libs *libs)
{
	int alloc = -1;

	pick_runtime(files, names, n, libs);
	for (int i = 0; i < n && alloc < 0; i++)
		if (obj ? obj_matches(names[i], obj) :
		    *prefix ? defines(files[i], prefix, "malloc") :
			      is_lib(names[i], "libc"))
			alloc = i;
	/* A static program has no libc: the allocator is in the program. */
	if (alloc < 0 && !obj && !*prefix) {
		for (int i = 0; i < n && alloc < 0; i++)
			if (defines(files[i], "", "malloc"))
				alloc = i;
	}
	if (alloc < 0) {
		if (obj)
			log_err("-O %s: no such library in %s", obj, where);
		else
			log_err("no allocator (%smalloc) found in %s", prefix, where);
		return -1;
	}
	if (!defines(files[alloc], prefix, "malloc")) {
		log_err("%s has no function %smalloc%s", names[alloc], prefix,
			*prefix ? "" : " (another prefix? see --symbol-prefix)");
		return -1;
	}
	snprintf(libs->alloc, sizeof(libs->alloc), "%s", files[alloc]);
	if (!libs->libc[0])	/* static: the program has its own mmap */
		snprintf(libs->libc, sizeof(libs->libc), "%s", files[alloc]);
	if (!strcmp(libs->cxx, libs->alloc))
		libs->cxx[0] = '\0';
	return 0;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
}

/* The file mapped at e, as a path this process can open: the process's
 * view through its root, or, for a file replaced since it was mapped (a
 * library upgrade), the mapped one through map_files. */
static void mapped_file(pid_t pid, const struct procmaps_entry *e, char *host,
			size_t len)
{
	if (e->deleted)
		snprintf(host, len, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, pid,
			 e->start, e->end);
	else
		snprintf(host, len, "/proc/%d/root%s", pid, e->path);
}

int leak_libs_of_pid(pid_t pid, const char *obj, const char *prefix,
		     struct leak_libs *libs)
{
	char **files = calloc(MAX_LIBS, sizeof(char *));
	char **names = calloc(MAX_LIBS, sizeof(char *));
	struct procmaps_entry e;
	struct procmaps pm;
	char where[64];
	int n = 0, err = -1;

	memset(libs, 0, sizeof(*libs));
	if (!files || !names) {
		log_err("out of memory");
		goto out;
	}
	err = procmaps_open(&pm, pid);
	if (err) {
		log_err("cannot read /proc/%d/maps: %s", pid, strerror(-err));
		err = -1;
		goto out;
	}
	while (n < MAX_LIBS && procmaps_next(&pm, &e) > 0) {
		char host[PATH_MAX + 64];
		bool seen = false;

		if (e.path[0] != '/')
			continue;	/* files only */
		for (int i = 0; i < n && !seen; i++)
			seen = !strcmp(names[i], e.path);
		if (seen)
			continue;
		mapped_file(pid, &e, host, sizeof(host));
		names[n] = strdup(e.path);
		files[n] = strdup(host);
		if (!names[n] || !files[n]) {
			free(names[n]);
			free(files[n]);
			break;
		}
		n++;
	}
	procmaps_close(&pm);
	snprintf(where, sizeof(where), "the memory map of process %d", pid);
	err = pick(files, names, n, obj, prefix, where, libs);
out:
	if (files)
		free_list(files, n);
	if (names)
		free_list(names, n);
	free(files);
	free(names);
	return err;
}

/* Looks for name in the colon-separated dirs; $ORIGIN is origin. */
static bool search_dirs(const char *dirs, const char *origin, const char *name,
			char *out, size_t len)
{
	char *copy, *save = NULL;
	bool found = false;

	if (!dirs || !(copy = strdup(dirs)))
		return false;
	for (char *d = strtok_r(copy, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		if (!strncmp(d, "$ORIGIN", 7))
			snprintf(out, len, "%s%s/%s", origin, d + 7, name);
		else
			snprintf(out, len, "%s/%s", d, name);
		found = access(out, R_OK) == 0;
	}
	free(copy);
	return found;
}

/* A script's interpreter ("#!/bin/sh -e" -> /bin/sh) into out: the
 * program that will really run. false if exe is not a script. */
static bool script_interpreter(const char *exe, char *out, size_t len)
{
	char line[PATH_MAX + 3];
	FILE *f = fopen(exe, "re");
	bool ok = false;

	if (!f)
		return false;
	if (fgets(line, sizeof(line), f) && line[0] == '#' && line[1] == '!') {
		char *p = line + 2 + strspn(line + 2, " \t");

		p[strcspn(p, " \t\r\n")] = '\0';
		ok = *p == '/';
		if (ok)
			snprintf(out, len, "%s", p);
	}
	fclose(f);
	return ok;
}

int leak_libs_of_program(const char *exe, const char *obj, const char *prefix,
			 struct leak_libs *libs)
{
	char interp[PATH_MAX];

	/* The kernel allows four levels of interpreters; so do we. */
	for (int depth = 0; depth < 4 && script_interpreter(exe, interp,
							     sizeof(interp));
	     depth++)
		exe = strdupa(interp);

	static const char system_dirs[] =
		"/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:"
		"/usr/lib64:/lib:/usr/lib:/usr/local/lib";
	char *files[MAX_LIBS], *names[MAX_LIBS], origin[PATH_MAX], where[PATH_MAX + 16];
	int n = 0, err;

	memset(libs, 0, sizeof(*libs));
	snprintf(origin, sizeof(origin), "%s", exe);
	*strrchr(origin, '/') = '\0';
	if (obj && strchr(obj, '/')) {
		if (access(obj, R_OK)) {
			log_err("-O %s: %s", obj, strerror(errno));
			return -1;
		}
	}
	files[n] = strdup(exe);
	names[n] = strdup(exe);
	if (!files[n] || !names[n])
		goto oom;
	n++;
	/* The program, then its libraries breadth-first, as ld.so loads them. */
	for (int i = 0; i < n; i++) {
		struct uelf *e = uelf_open(files[i]);
		const char *need, *runpath;

		if (!e)
			continue;
		if (i == 0 && !uelf_dynamic(e)) {
			uelf_close(e);
			break;
		}
		runpath = uelf_runpath(e);
		for (size_t k = 0; (need = uelf_needed(e, k)) && n < MAX_LIBS; k++) {
			char path[PATH_MAX];
			bool seen = false;

			for (int j = 0; j < n && !seen; j++)
				seen = !strcmp(path_base(names[j]), need);
			if (seen)
				continue;
			if (!search_dirs(runpath, origin, need, path, sizeof(path)) &&
			    !search_dirs(getenv("LD_LIBRARY_PATH"), origin, need,
					 path, sizeof(path)) &&
			    !search_dirs(system_dirs, origin, need, path, sizeof(path)))
				continue;
			files[n] = strdup(path);
			names[n] = strdup(path);
			if (!files[n] || !names[n]) {
				free(files[n]);
				free(names[n]);
				uelf_close(e);
				goto oom;
			}
			n++;
		}
		uelf_close(e);
	}
	if (obj && strchr(obj, '/')) {
		/* A library the program will dlopen, or LD_PRELOAD. */
		snprintf(libs->alloc, sizeof(libs->alloc), "%s", obj);
		err = defines(obj, prefix, "malloc") ? 0 : -1;
		if (err)
			log_err("%s has no function %smalloc", obj, prefix);
		pick_runtime(files, names, n, libs);
	} else {
		snprintf(where, sizeof(where), "%s and its libraries", exe);
		err = pick(files, names, n, obj, prefix, where, libs);
	}
	free_list(files, n);
	free_list(names, n);
	return err;
oom:
	free_list(files, n);
	free_list(names, n);
	log_err("out of memory");
	return -1;
}

/*
 * What exec would say of the program at path, said before anything is
 * attached: a directory, a file that is neither ELF nor a #! script, a
 * script whose interpreter is missing.
 */
static int check_program(const char *cmd, const char *path)
{
	char interp[PATH_MAX], magic[4];
	struct stat st;
	ssize_t n = 0;
	int fd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_err("cannot run '%s': it is a directory", cmd);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		n = read(fd, magic, sizeof(magic));
		close(fd);
	}
	if (n == 4 && !memcmp(magic, "\177ELF", 4))
		return 0;
	if (n >= 2 && !memcmp(magic, "#!", 2)) {
		if (!script_interpreter(path, interp, sizeof(interp))) {
			log_err("cannot run '%s': its #! line names no interpreter by its full path",
				cmd);
			return -1;
		}
		if (access(interp, X_OK)) {
			log_err("cannot run '%s': its interpreter %s: %s", cmd, interp,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	if (fd < 0) {
		log_err("cannot run '%s': %s", cmd, strerror(errno));
		return -1;
	}
	log_err("cannot run '%s': not a program (no ELF header, no #! line)", cmd);
	return -1;
}

int leak_find_program(const char *cmd, char *path, size_t len)
{
	const char *dirs = getenv("PATH");

	if (!*cmd) {
		log_err("cannot run '': an empty command name");
		return -1;
	}
	if (strchr(cmd, '/')) {
		snprintf(path, len, "%s", cmd);
		if (access(path, X_OK)) {
			log_err("cannot run '%s': %s", cmd, strerror(errno));
			return -1;
		}
	} else if (!search_dirs(dirs ? dirs : "/usr/local/bin:/usr/bin:/bin",
				".", cmd, path, len) || access(path, X_OK)) {
		log_err("cannot run '%s': command not found", cmd);
		return -1;
	}
	/* ld.so and the report want an absolute path. */
	if (path[0] != '/') {
		char cwd[PATH_MAX], rel[PATH_MAX];

		snprintf(rel, sizeof(rel), "%s", path);
		if (getcwd(cwd, sizeof(cwd)))
			snprintf(path, len, "%s/%s", cwd, rel);
	}
	return check_program(cmd, path);
}
