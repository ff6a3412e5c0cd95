/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space addresses of a live process to "function+0xoff (file.c:LINE)
 * [module]", for the leak report: /proc/PID/maps tells which file an
 * address is in, the file's symbol table the function, its DWARF (or that
 * of a separate debug file) the line.
 *
 * Every file a traced process maps is untrusted input: a malformed one
 * yields "unknown", never a crash, a hang or an unbounded allocation.
 * Not thread-safe: one thread uses a struct usyms at a time.
 */
#ifndef MEMTRACE_USYMS_H
#define MEMTRACE_USYMS_H

#include <stddef.h>
#include <stdint.h>

struct usyms;
struct usyms_module;

/* The strings belong to the usyms (or usyms_module) that filled this in,
 * and stay valid until it is freed. */
struct usym {
	const char *func;	/* demangled when C++; NULL if unknown */
	uint64_t offset;	/* addr - function start */
	const char *file;	/* source file basename; NULL without a line */
	int line;
	const char *module;	/* path of the mapped file, as in
				 * /proc/PID/maps; NULL outside file mappings */
	uint64_t elf_addr;	/* the address in the module's ELF file (its
				 * file offset when the file is unreadable) */
};

/* Reads /proc/PID/maps. NULL with errno set on failure: ESRCH when there
 * is no such process. */
struct usyms *usyms_new(int pid);
void usyms_free(struct usyms *u);

/*
 * Call once before each report. An address outside every known mapping
 * (a library dlopen'ed since) makes usyms_resolve read /proc/PID/maps
 * again, at most once between two calls to usyms_begin, so that a report
 * full of unknown addresses does not read it thousands of times.
 */
void usyms_begin(struct usyms *u);

/* Reads /proc/PID/maps now, e.g. when the process stops at its exit, the
 * last moment it can be read: 0, or a negative errno (the map read before
 * stays). */
int usyms_refresh(struct usyms *u);

/*
 * 0 when at least the module is known, -ENOENT otherwise (s is then all
 * NULL and 0). A return address's line is that of the instruction after
 * the call: pass addr - 1 for the line of the call itself.
 */
int usyms_resolve(struct usyms *u, uint64_t addr, struct usym *s);

/* The file mapping an address is in, for profiles (pprof's Mapping). The
 * strings belong to the usyms, like struct usym's. */
struct usym_mapping {
	uint64_t start, end, offset;	/* [start, end) maps the file from
					 * offset, as in /proc/PID/maps */
	const char *path;
	const char *build_id;		/* hex; NULL when the file has none
					 * or could not be read */
};

/* 0, or -ENOENT when addr is in no file mapping known. */
int usyms_mapping(struct usyms *u, uint64_t addr, struct usym_mapping *m);

/*
 * One frame as the report prints it: "func+0xoff (file.c:LINE) [module]",
 * "func+0xoff [module]", "0xaddr [module]" or "0xaddr", module being the
 * basename of its path. Returns the length the whole text has, as
 * snprintf does (buf holds at most len - 1 characters of it).
 */
int usym_format(const struct usym *s, uint64_t addr, char *buf, size_t len);

/*
 * One ELF file on its own, for tests and fuzzing: NULL when path is not a
 * usable ELF file. Its separate debug file is looked for as for a mapped
 * module. Lookups take addresses in the file's own address space.
 */
struct usyms_module *usyms_module_open(const char *path);
/* 0 when a function contains elf_addr, -ENOENT otherwise. */
int usyms_module_lookup(struct usyms_module *m, uint64_t elf_addr,
			struct usym *s);
/* Up to max addresses worth looking up (function starts, then the starts
 * of the DWARF compile units' ranges); returns how many there are. */
size_t usyms_module_addrs(struct usyms_module *m, uint64_t *addrs,
			  size_t max);
void usyms_module_close(struct usyms_module *m);

#endif /* MEMTRACE_USYMS_H */
