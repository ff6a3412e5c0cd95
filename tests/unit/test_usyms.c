// SPDX-License-Identifier: GPL-2.0
// Tests for src/usyms/: symbolizing this process (its own functions with lines, libc through its debug file, a dlopen'ed library), formatting, and malformed ELF files.
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "readfile.h"
#include "tap.h"
#include "usyms/usyms.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* noipa: no inlining, cloning (".constprop.0") or interprocedural
 * guesses, so the symbol and the call below stay as written. */
#ifdef __clang__
#define NOIPA __attribute__((noinline, used))
#else
#define NOIPA __attribute__((noipa, used))
#endif

static char dir[64];
static int probe_line;

static bool write_bytes(const char *path, const void *data, size_t len);

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

NOIPA uintptr_t usyms_test_ret(void)
{
	return (uintptr_t)__builtin_return_address(0);
}

/* Returns the address its call to usyms_test_ret returns to. */
NOIPA uintptr_t usyms_test_probe(void)
{
	uintptr_t r;

	r = usyms_test_ret(); probe_line = __LINE__;
	return r;
}

/* A C++ name: what the symbol table holds is mangled. */
NOIPA int usyms_test_cxx(int x) __asm__("_ZN7memtest5probeEi");
int usyms_test_cxx(int x)
{
	return x * 3 + 1;
}

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

static void show(const struct usym *s, uint64_t addr)
{
	char buf[512];

	usym_format(s, addr, buf, sizeof(buf));
	printf("#   0x%" PRIx64 ": %s (elf 0x%" PRIx64 ")\n", addr, buf,
	       s->elf_addr);
}

static bool all_null(const struct usym *s)
{
	return !s->func && !s->file && !s->module && !s->offset &&
	       !s->line && !s->elf_addr;
}

/* Is a file named like lib mapped in this process? */
static bool mapped(const char *lib)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, lib))
			found = true;
	fclose(f);
	return found;
}

static void test_self(struct usyms *u)
{
	char exe[PATH_MAX], buf[512], want[512];
	uintptr_t addr = (uintptr_t)usyms_test_probe + 4, ret;
	struct usym s;
	ssize_t n;
	int rc, len;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';

	usyms_begin(u);
	rc = usyms_resolve(u, addr, &s);
	if (!ok(rc == 0 && s.func && !strcmp(s.func, "usyms_test_probe") &&
		s.offset == 4, "own function: usyms_test_probe+0x4"))
		show(&s, addr);
	ok(s.module && !strcmp(base(s.module), base(exe)),
	   "own function: module [%s] (got %s)", base(exe), str(s.module));
	ok(s.file && !strcmp(s.file, "test_usyms.c") && s.line > 0,
	   "own function: file test_usyms.c (got %s:%d)", str(s.file),
	   s.line);

	/* The line of a call, from the address it returns to, less one. */
	ret = usyms_test_probe();
	rc = usyms_resolve(u, ret - 1, &s);
	if (!ok(rc == 0 && s.func && !strcmp(s.func, "usyms_test_probe") &&
		s.file && !strcmp(s.file, "test_usyms.c") &&
		s.line == probe_line,
		"return address: usyms_test_probe (test_usyms.c:%d)",
		probe_line))
		show(&s, ret - 1);

	/* The same address again comes from the cache, identical. */
	{
		struct usym again;

		usyms_resolve(u, ret - 1, &again);
		ok(!memcmp(&s, &again, sizeof(s)), "second lookup identical");
	}

	rc = usyms_resolve(u, addr, &s);
	len = usym_format(&s, addr, buf, sizeof(buf));
	snprintf(want, sizeof(want),
		 "usyms_test_probe+0x4 (test_usyms.c:%d) [%s]", s.line,
		 base(exe));
	if (!ok(rc == 0 && !strcmp(buf, want) && len == (int)strlen(want),
		"format: \"%s\"", want))
		printf("#   got \"%s\" (%d)\n", buf, len);

	/* Truncated like snprintf: the full length, a terminated prefix. */
	memset(buf, 'x', sizeof(buf));
	len = usym_format(&s, addr, buf, 8);
	ok(len == (int)strlen(want) && !strncmp(buf, want, 7) && !buf[7],
	   "format into 8 bytes: \"%s\", length %d", buf, len);

	addr = (uintptr_t)usyms_test_cxx;
	rc = usyms_resolve(u, addr, &s);
	if (!ok(rc == 0 && s.func && !strcmp(s.func, "memtest::probe(int)") &&
		s.offset == 0, "C++ symbol demangled: memtest::probe(int)"))
		show(&s, addr);
}

/* The same function found through the ELF file alone. */
static void test_module_self(void)
{
	struct usyms_module *m = usyms_module_open("/proc/self/exe");
	uintptr_t addr = (uintptr_t)usyms_test_probe;
	uint64_t addrs[4];
	size_t n;
	Dl_info info;
	struct usym s;
	int rc;

	if (!ok(m, "usyms_module_open(/proc/self/exe)"))
		return;
	if (!dladdr((void *)addr, &info) || !info.dli_fbase) {
		skip("dladdr finds no load address for this program");
	} else {
		/* A PIE's first segment is at address 0 in the file. */
		uint64_t elf_addr = addr - (uintptr_t)info.dli_fbase + 2;

		rc = usyms_module_lookup(m, elf_addr, &s);
		if (!ok(rc == 0 && s.func &&
			!strcmp(s.func, "usyms_test_probe") && s.offset == 2 &&
			s.file && !strcmp(s.file, "test_usyms.c"),
			"module lookup: usyms_test_probe+0x2 (test_usyms.c)"))
			show(&s, elf_addr);
	}
	/* This file's functions and the symbolizer's at least, and the DWARF's
	 * compile units. */
	n = usyms_module_addrs(m, addrs, ARRAY_SIZE(addrs));
	ok(n > 20, "module lists %zu addresses worth looking up", n);
	usyms_module_close(m);
}

struct find_obj {
	const char *name;
	uint8_t id[64];
	size_t id_len;
};

/* libc's build-id, from its note in memory. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_obj *f = arg;

	(void)size;
	if (!info->dlpi_name || !strstr(info->dlpi_name, f->name))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const void *)p;
			const char *name = p + sizeof(*nh);
			const char *desc = name + ((nh->n_namesz + 3) & ~3u);

			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 && !memcmp(name, "GNU", 4) &&
			    nh->n_descsz <= sizeof(f->id)) {
				memcpy(f->id, desc, nh->n_descsz);
				f->id_len = nh->n_descsz;
				return 1;
			}
			p = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 0;
}

static bool libc_debug_file(char *path, size_t len)
{
	struct find_obj f = { .name = "libc.so.6" };
	int n;

	if (!dl_iterate_phdr(find_build_id, &f) || f.id_len < 2)
		return false;
	n = snprintf(path, len, "/usr/lib/debug/.build-id/%02x/", f.id[0]);
	for (size_t i = 1; i < f.id_len; i++)
		n += snprintf(path + n, len - n, "%02x", f.id[i]);
	snprintf(path + n, len - n, ".debug");
	return !access(path, R_OK);
}

static void *libc_handle(void)
{
	return dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
}

static void test_libc(struct usyms *u)
{
	void *h = libc_handle(), *fn;
	char debug[PATH_MAX];
	struct usym s;
	int rc;

#ifndef __GLIBC__
	/* The musl build of the tests is static: no libc.so.6 to look into. */
	skip("libc functions: a static build has no libc.so.6");
	return;
#endif
	/* libc's own confstr, not a sanitizer's interceptor of it. */
	fn = h ? dlsym(h, "confstr") : NULL;
	if (!ok(fn, "dlsym(libc, confstr)"))
		return;
	rc = usyms_resolve(u, (uintptr_t)fn + 1, &s);
	if (!ok(rc == 0 && s.func && dlsym(h, s.func) == fn && s.offset == 1,
		"libc function: %s+0x1", str(s.func)))
		show(&s, (uintptr_t)fn + 1);
	ok(s.module && !strcmp(base(s.module), "libc.so.6"),
	   "libc function: module [libc.so.6] (got %s)", str(s.module));
	if (!libc_debug_file(debug, sizeof(debug))) {
		printf("# no debug file for libc's build-id (libc6-dbg not installed?)\n");
		skip("libc line numbers need libc6-dbg");
	} else if (!ok(s.file && s.line > 0 && strstr(s.file, ".c"),
		       "libc line from %s: %s:%d", debug, str(s.file),
		       s.line)) {
		show(&s, (uintptr_t)fn + 1);
	}
	/* A versioned symbol: libc's debug .symtab names it
	 * pthread_create@@GLIBC_2.34; the report shows pthread_create. */
	fn = h ? dlsym(h, "pthread_create") : NULL;
	rc = fn ? usyms_resolve(u, (uintptr_t)fn + 1, &s) : -1;
	ok(rc == 0 && s.func && !strcmp(s.func, "pthread_create"),
	   "versioned symbol without its version: %s", str(s.func));
	dlclose(h);
}

/*
 * .gnu_debuglink: a copy of libc without its build-id note, next to a
 * copy of its debug file under the name the link gives. The CRC in the
 * link must match: one byte changed in the debug file and it is ignored.
 */
static void test_debuglink(void)
{
	static const unsigned char note[] = { 4, 0, 0, 0, 20, 0, 0, 0, 3, 0,
					      0, 0, 'G', 'N', 'U', 0 };
	char debug[PATH_MAX], lib[128], dbg[PATH_MAX], link_name[256];
	unsigned char *so = NULL, *dbgdata = NULL, *p;
	size_t so_len = 0, dbg_len = 0;
	void *h = libc_handle(), *fn = h ? dlsym(h, "confstr") : NULL;
	struct usyms_module *m;
	Dl_info info;
	uint64_t elf_addr;
	struct usym s;

	if (!fn || !dladdr(fn, &info) || !info.dli_fname ||
	    !libc_debug_file(debug, sizeof(debug))) {
		skip("debug link: needs libc6-dbg");
		goto out;
	}
	elf_addr = (uintptr_t)fn - (uintptr_t)info.dli_fbase;
	so = read_file(info.dli_fname, &so_len);
	dbgdata = read_file(debug, &dbg_len);
	p = so ? memmem(so, so_len, note, sizeof(note)) : NULL;
	if (!ok(p && dbgdata, "read libc and its debug file"))
		goto out;
	p[8] = 0x7f;		/* not NT_GNU_BUILD_ID any more */
	/* The debug link is the part after the build-id directory. */
	snprintf(link_name, sizeof(link_name), "%s", base(debug));
	snprintf(lib, sizeof(lib), "%s/libc.so.6", dir);
	snprintf(dbg, sizeof(dbg), "%s/%s", dir, link_name);
	if (!ok(write_bytes(lib, so, so_len) &&
		write_bytes(dbg, dbgdata, dbg_len),
		"copies in %s", dir))
		goto out;
	m = usyms_module_open(lib);
	usyms_module_lookup(m, elf_addr + 2, &s);
	if (!ok(m && s.func && !strcmp(s.func, "confstr") && s.file &&
		s.line > 0, "debug link found, CRC right: confstr+0x2 (%s:%d)",
		str(s.file), s.line))
		show(&s, elf_addr + 2);
	usyms_module_close(m);

	dbgdata[dbg_len / 2] ^= 1;
	m = NULL;
	if (write_bytes(dbg, dbgdata, dbg_len))
		m = usyms_module_open(lib);
	usyms_module_lookup(m, elf_addr + 2, &s);
	if (!ok(m && s.func && !strcmp(s.func, "confstr") && !s.file,
		"debug link, CRC wrong: ignored, confstr from .dynsym"))
		show(&s, elf_addr + 2);
	usyms_module_close(m);
	unlink(lib);
	unlink(dbg);
out:
	free(so);
	free(dbgdata);
	if (h)
		dlclose(h);
}

static const struct {
	const char *lib, *stem, *func;
} dlopen_libs[] = {
	{ "libcrypt.so.1", "libcrypt", "crypt" },
	{ "libexpat.so.1", "libexpat", "XML_ParserCreate" },
	{ "libuuid.so.1", "libuuid", "uuid_generate" },
	{ "libcap.so.2", "libcap", "cap_init" },
	{ "libacl.so.1", "libacl", "acl_init" },
	{ "libffi.so.8", "libffi", "ffi_call" },
	{ "libgmp.so.10", "libgmp", "__gmpz_init" },
};

/*
 * Unknown addresses, and the refresh after dlopen: one reread of the
 * maps per batch, spent here on 0x10, so the library loaded next is
 * found in the next batch only.
 */
static void test_unknown_and_dlopen(struct usyms *u)
{
	struct usym s;
	char buf[64];
	void *h = NULL, *fn = NULL;
	size_t i;
	int rc;

	usyms_begin(u);
	rc = usyms_resolve(u, 0x10, &s);
	ok(rc == -ENOENT && all_null(&s), "0x10: -ENOENT, nothing known");
	usym_format(&s, 0x10, buf, sizeof(buf));
	ok(!strcmp(buf, "0x10"), "0x10 formats as \"0x10\" (got \"%s\")", buf);
	ok(usym_format(NULL, 0xabc, buf, sizeof(buf)) == 5 &&
	   !strcmp(buf, "0xabc"), "no usym: \"0xabc\"");

	for (i = 0; i < ARRAY_SIZE(dlopen_libs); i++) {
		if (mapped(dlopen_libs[i].stem))
			continue;
		h = dlopen(dlopen_libs[i].lib, RTLD_NOW | RTLD_LOCAL);
		if (!h)
			continue;
		fn = dlsym(h, dlopen_libs[i].func);
		if (fn)
			break;
		dlclose(h);
		h = NULL;
	}
	if (!h) {
		skip("no library left to dlopen");
		return;
	}
	printf("# dlopen(%s)\n", dlopen_libs[i].lib);
	rc = usyms_resolve(u, (uintptr_t)fn, &s);
	ok(rc == -ENOENT, "%s before the next batch: not reread yet",
	   dlopen_libs[i].func);
	usyms_begin(u);
	rc = usyms_resolve(u, (uintptr_t)fn, &s);
	if (!ok(rc == 0 && s.func && dlsym(h, s.func) == fn && !s.offset &&
		s.module && strstr(base(s.module), dlopen_libs[i].stem),
		"after dlopen: %s [%s]", dlopen_libs[i].func,
		dlopen_libs[i].lib))
		show(&s, (uintptr_t)fn);
	/* The library stays mapped: usyms may hold pointers to nothing of
	 * its memory, but the test keeps the address meaningful. */
	(void)h;
}

/*
 * A copy of a library, dlopen'ed: its path in *path, the address of its
 * function in *fn, the handle returned. NULL when none is left to copy.
 */
static void *dlopen_copy(const char *name, char *path, size_t len,
			 const char **func, void **fn)
{
	for (size_t i = 0; i < ARRAY_SIZE(dlopen_libs); i++) {
		unsigned char *data = NULL;
		size_t size = 0;
		Dl_info info;
		void *h, *f;

		if (mapped(dlopen_libs[i].stem))
			continue;
		h = dlopen(dlopen_libs[i].lib, RTLD_NOW | RTLD_LOCAL);
		f = h ? dlsym(h, dlopen_libs[i].func) : NULL;
		if (f && dladdr(f, &info) && info.dli_fname)
			data = read_file(info.dli_fname, &size);
		if (h)
			dlclose(h);
		snprintf(path, len, "%s/%s", dir, name);
		if (!data || !write_bytes(path, data, size)) {
			free(data);
			continue;
		}
		free(data);
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		*func = dlopen_libs[i].func;
		*fn = h ? dlsym(h, *func) : NULL;
		if (*fn)
			return h;
		if (h)
			dlclose(h);
		unlink(path);
	}
	return NULL;
}

/*
 * A library deleted while mapped, as an upgrade replaces it, with a
 * newline in its name: the module is named as /proc/PID/maps names it,
 * " (deleted)" and all. Its symbols come from the mapping itself, pinned
 * through map_files (which takes CAP_SYS_ADMIN), never from its path.
 */
static void test_deleted(void)
{
	char path[PATH_MAX], want[PATH_MAX + 16];
	const char *func = NULL;
	struct usyms *u;
	struct usym s;
	void *h, *fn = NULL;
	int rc;

	h = dlopen_copy("deleted\nlib.so", path, sizeof(path), &func, &fn);
	if (!h) {
		skip("no library left to copy");
		return;
	}
	unlink(path);
	snprintf(want, sizeof(want), "%s (deleted)", path);
	u = usyms_new(getpid());
	rc = u ? usyms_resolve(u, (uintptr_t)fn, &s) : -1;
	if (!ok(rc == 0 && s.module && !strcmp(s.module, want),
		"a deleted library: its path (a newline in it) \" (deleted)\""))
		show(&s, (uintptr_t)fn);
	if (geteuid() == 0)
		ok(rc == 0 && s.func && dlsym(h, s.func) == fn,
		   "and its function %s, from the mapped file", func);
	else
		ok(rc || !s.func || dlsym(h, s.func) == fn,
		   "and no wrong name for %s (not root: not pinned)", func);
	usyms_free(u);
	dlclose(h);
}

/* A process that has exited keeps its last maps. */
static void test_exited(void)
{
	void *h = libc_handle(), *fn = h ? dlsym(h, "confstr") : NULL;
	struct usyms *u;
	struct usym s;
	pid_t pid;
	int rc, status;

	if (!fn) {
		skip("no confstr in libc");
		return;
	}
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (!ok(pid > 0, "fork"))
		return;
	u = usyms_new(pid);
	ok(u, "usyms_new(child)");
	kill(pid, SIGKILL);
	/* A zombie's maps read as empty, a reaped process's are gone. */
	for (int reaped = 0; reaped < 2; reaped++) {
		if (reaped) {
			waitpid(pid, &status, 0);
		} else {
			siginfo_t si;

			waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
		}
		usyms_begin(u);
		/* 0x10 makes it reread the maps. */
		usyms_resolve(u, 0x10, &s);
		rc = usyms_resolve(u, (uintptr_t)fn, &s);
		if (!ok(rc == 0 && s.func && dlsym(h, s.func) == fn,
			"%s child: confstr still resolves",
			reaped ? "reaped" : "zombie"))
			show(&s, (uintptr_t)fn);
	}
	usyms_free(u);
	dlclose(h);
}

static void test_no_process(void)
{
	struct usyms *u;

	errno = 0;
	u = usyms_new(INT_MAX);
	ok(!u && (errno == ESRCH || errno == ENOENT),
	   "usyms_new(no such pid): NULL, %s", strerror(errno));
	usyms_free(u);
	errno = 0;
	u = usyms_new(-1);
	ok(!u && errno == EINVAL, "usyms_new(-1): NULL, EINVAL");
}

static bool write_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool good;

	if (fd < 0)
		return false;
	good = write(fd, data, len) == (ssize_t)len;
	return !close(fd) && good;
}

/* Open, look up what it lists and a few more, close: must not crash. */
static bool poke(const char *path)
{
	struct usyms_module *m = usyms_module_open(path);
	uint64_t addrs[64];
	size_t n;
	struct usym s;
	char buf[256];

	if (!m)
		return false;
	n = usyms_module_addrs(m, addrs, ARRAY_SIZE(addrs));
	if (n > ARRAY_SIZE(addrs))
		n = ARRAY_SIZE(addrs);
	for (size_t i = 0; i < n; i++) {
		usyms_module_lookup(m, addrs[i], &s);
		usym_format(&s, addrs[i], buf, sizeof(buf));
		usyms_module_lookup(m, addrs[i] + 7, &s);
	}
	usyms_module_lookup(m, 0, &s);
	usyms_module_lookup(m, 0x1000, &s);
	usyms_module_lookup(m, UINT64_MAX, &s);
	usyms_module_close(m);
	return true;
}

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_malformed(void)
{
	char path[128], fifo[128];
	unsigned char *exe, *junk;
	size_t len = 0, sizes[6];
	int opened = 0, crashes = 0;

	snprintf(path, sizeof(path), "%s/file", dir);
	ok(!usyms_module_open("/nonexistent/file"), "no such file: NULL");
	ok(!usyms_module_open(dir), "directory: NULL");
	ok(write_bytes(path, "", 0) && !usyms_module_open(path),
	   "empty file: NULL");
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	/* Nobody writes to it: opening it for reading would block. */
	ok(!mkfifo(fifo, 0600) && !usyms_module_open(fifo), "FIFO: NULL");
	unlink(fifo);

	junk = malloc(65536);
	for (size_t i = 0; i < 65536; i++)
		junk[i] = next_rand();
	ok(write_bytes(path, junk, 65536) && !usyms_module_open(path),
	   "random bytes: NULL");
	memcpy(junk, ELFMAG "\2\1\1", 7);
	ok(write_bytes(path, junk, 65536) && !poke(path) + 1,
	   "random bytes after an ELF magic: no crash");
	free(junk);

	exe = read_file("/proc/self/exe", &len);
	if (!ok(exe && len > 4096, "read /proc/self/exe (%zu bytes)", len)) {
		free(exe);
		return;
	}
	sizes[0] = 4;
	sizes[1] = 52;
	sizes[2] = 64;
	sizes[3] = 4096;
	sizes[4] = len / 2;
	sizes[5] = len - 1;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (!write_bytes(path, exe, sizes[i]))
			crashes++;
		else
			opened += poke(path);
	}
	ok(!crashes, "truncated copies of this program: no crash (%d opened)",
	   opened);

	/* Random corruption, in the headers and anywhere. */
	opened = 0;
	for (int round = 0; round < 40; round++) {
		unsigned char *copy = malloc(len);

		memcpy(copy, exe, len);
		for (int k = 0; k < 16; k++) {
			size_t at = round & 1 ? next_rand() % len :
						next_rand() % 4096;

			copy[at] = next_rand();
		}
		if (write_bytes(path, copy, len))
			opened += poke(path);
		free(copy);
	}
	ok(1, "40 corrupted copies of this program: no crash (%d opened)",
	   opened);
	free(exe);
	unlink(path);
}

/*
 * Inputs the fuzzer found crashing libdw 0.188 (tests/fuzz/crashes), and
 * the seeds: all open and look up safely. Under valgrind this also sees
 * libdw reading past a section, which src/usyms/elf.c makes harmless.
 */
static void test_fuzz_inputs(void)
{
	static const char *const dirs[] = { "tests/fuzz/crashes",
					    "tests/fuzz/corpus" };
	const char *root = getenv("MEMTRACE_ROOT");

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char path[PATH_MAX];
		struct dirent *de;
		int n = 0, opened = 0;
		DIR *d;

		snprintf(path, sizeof(path), "%s/%s", root ? root : ".",
			 dirs[i]);
		d = opendir(path);
		if (!d) {
			printf("# %s: %s\n", path, strerror(errno));
			skip("fuzz inputs not found (run from the source tree)");
			continue;
		}
		while ((de = readdir(d))) {
			char file[PATH_MAX + 256];

			if (de->d_name[0] == '.' ||
			    !strcmp(de->d_name, "README"))
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			opened += poke(file);
			n++;
		}
		closedir(d);
		ok(n > 0, "%s: %d files, %d opened, no crash", dirs[i], n,
		   opened);
	}
}

int main(void)
{
	struct usyms *u;

	snprintf(dir, sizeof(dir), "/tmp/test_usyms.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	u = usyms_new(getpid());
	if (!ok(u, "usyms_new(self)")) {
		printf("#   %s\n", strerror(errno));
		return tap_done();
	}
	test_self(u);
	test_module_self();
	test_libc(u);
	test_debuglink();
	test_unknown_and_dlopen(u);
	usyms_free(u);
	test_deleted();
	test_exited();
	test_no_process();
	test_malformed();
	test_fuzz_inputs();
	rmdir(dir);
	return tap_done();
}
