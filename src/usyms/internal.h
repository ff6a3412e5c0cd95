/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space symbolization, inside: /proc/PID/maps (maps.c), ELF files
 * and their memory images (elf.c), separate debug files found by
 * build-id or .gnu_debuglink (debug.c), symbol tables (symbols.c), the
 * checks that keep libdw 0.188 inside malformed DWARF (guards.c), DWARF
 * line tables (dwarf.c), one mapped file with all of that (module.c),
 * the API and its per-address cache (usyms.c), what they share
 * (helpers.c). Not for use outside src/usyms/.
 *
 * Every file here comes from a traced process and may be malformed or
 * hostile. libelf opened with ELF_C_READ does not know the file's size,
 * so it would allocate whatever a header claims: every count, offset and
 * size is checked against the file before libelf or libdw get to use it,
 * and every file is opened without blocking and only when it is a
 * regular file (a FIFO would hang, a device could act on open). libdw
 * 0.188 itself reads past malformed sections in places: it gets a memory
 * image of the file where such reads stay inside (elf_file_image).
 */
#ifndef MEMTRACE_USYMS_INTERNAL_H
#define MEMTRACE_USYMS_INTERNAL_H

#include <elfutils/libdw.h>
#include <gelf.h>
#include <limits.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "usyms/usyms.h"

/* Far above any real file, low enough that a lie cannot exhaust memory. */
#define MAX_UNITS	(1 << 22)
#define MAX_BUILD_ID	64

/* One opened ELF file. */
struct elf_file {
	Elf *elf;
	int fd;
	uint64_t size;
	dev_t dev;
	ino_t ino;
	char *image;		/* the whole file, for libdw */
	bool dwarf_bad;		/* a compressed section could not be
				 * inflated: do not give it to libdw */
};

/* A PT_LOAD segment: file offsets [offset, offset + filesz) are at
 * addresses from vaddr. */
struct seg {
	uint64_t offset, filesz, vaddr;
	bool exec;
};

struct sym {
	uint64_t start, size;
	const char *name;	/* in the string table's Elf_Data */
};

/* A range of addresses one compile unit covers. */
struct cu_range {
	uint64_t lo, hi;
	size_t cu;		/* index in usyms_module.cus */
};

struct usyms_module {
	char *path;		/* as in /proc/PID/maps, or as opened */
	uint64_t dev, ino;	/* from /proc/PID/maps; 0: not checked */
	int pin;		/* the mapped file, opened while the process
				 * lived (map_files); -1 when not */
	int state;		/* 0: not loaded yet, 1: loaded, -1: failed */
	struct elf_file main, debug, alt;
	char *debug_path;	/* where debug was found */
	char build_id[2 * MAX_BUILD_ID + 1];	/* hex; "" if none */
	Dwarf *dw, *alt_dw;
	struct seg *segs;
	size_t nsegs;
	struct sym *syms;
	size_t nsyms;
	/* Lazily demangled names, by symbol index; a name that does not
	 * demangle points at the symbol's own name. */
	char **demangled;
	Dwarf_Die *cus;
	size_t ncus;
	struct cu_range *ranges;
	size_t nranges;
	bool indexed;		/* cus and ranges were built */
	struct usyms_module *next;
};

struct map {
	uint64_t start, end, offset;
	struct usyms_module *mod;
};

struct usyms {
	int pid;
	char root[32];		/* "/proc/PID/root": the process's view */
	struct map *maps;
	size_t nmaps;
	struct usyms_module *mods;
	struct centry *cache;
	size_t cache_cap, cache_used;
	uint64_t batch;
	bool may_refresh;
};

/* helpers.c */
__attribute__((format(printf, 3, 4))) bool
fmt_path(char *buf, size_t len, const char *fmt, ...);
bool pread_full(int fd, void *buf, size_t len, uint64_t off);
bool in_file(uint64_t off, uint64_t len, uint64_t size);
/* In an array sorted by a uint64_t key (key_off bytes into each element
 * of size bytes), how many elements have a key <= key. */
size_t count_le(const void *base, size_t n, size_t size, size_t key_off,
		uint64_t key);

/* elf.c: files, their memory images, sections */
int elf_file_open(struct elf_file *f, const char *path);
void elf_file_done(struct elf_file *f);
void elf_file_close(struct elf_file *f);
int elf_file_image(struct elf_file *f);
Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *shp);
Elf_Scn *find_section_type(Elf *elf, Elf64_Word type, GElf_Shdr *shp);
Elf_Data *section_bytes(Elf *elf, const char *name);
bool has_dwarf(const struct elf_file *f);
bool has_symtab(const struct elf_file *f);

/* debug.c: build-ids and separate debug files */
size_t elf_build_id(const struct elf_file *f, uint8_t *id);
void find_debug(struct usyms_module *m, const char *root);
/*
 * Where the "alt" file f's .gnu_debugaltlink names may be, best first:
 * by its build-id, then by its name (an absolute one in the process's
 * root, then in ours; a relative one next to f, which is at fpath).
 * Returns how many paths there are, and the build-id it must have.
 */
#define ALT_PATHS 4
int alt_paths(const struct elf_file *f, const char *fpath, const char *root,
	      char (*paths)[PATH_MAX], const uint8_t **want, size_t *want_len);

/* symbols.c */
struct elf_file *find_syms(struct usyms_module *m);
const struct sym *find_sym(const struct usyms_module *m, uint64_t addr);
const char *sym_name(struct usyms_module *m, const struct sym *s);
void syms_free(struct usyms_module *m);

/* guards.c: what libdw 0.188 would read out of bounds on */
bool dw_strings_ok(Elf *elf);
bool dw_units_ok(Elf *elf);

/* dwarf.c: line tables */
void open_dwarf(struct usyms_module *m, struct elf_file *f, const char *path,
		const char *root);
void index_cus(struct usyms_module *m);
void find_line(struct usyms_module *m, uint64_t addr, struct usym *s);

/* module.c: one ELF file with its debug file, symbols and DWARF */
struct usyms_module *module_new(const char *path, uint64_t dev, uint64_t ino);
void module_unpin(struct usyms_module *m);
void module_free(struct usyms_module *m);
int module_load(struct usyms_module *m, const char *path, const char *root);
int module_lookup(struct usyms_module *m, uint64_t addr, struct usym *s);

/* maps.c: a process's mappings */
int read_maps(struct usyms *u);
struct map *find_map(struct usyms *u, uint64_t addr);
void load_mapped(struct usyms *u, struct usyms_module *m);
uint64_t elf_addr_of(const struct usyms_module *m, const struct map *mp,
		     uint64_t addr);

#endif /* MEMTRACE_USYMS_INTERNAL_H */
