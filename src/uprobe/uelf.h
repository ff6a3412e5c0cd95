/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What leak needs to know about an ELF file before it attaches uprobes:
 * where a function is (its file offset, which uprobes take) and its first
 * bytes; whether the program is static; which libraries it needs.
 */
#ifndef MEMTRACE_UELF_H
#define MEMTRACE_UELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UELF_CODE_BYTES 32

struct uelf;

struct ufunc {
	uint64_t vaddr;			/* st_value */
	uint64_t size;
	uint64_t file_off;		/* what a uprobe is attached at */
	uint8_t code[UELF_CODE_BYTES];	/* the function's first bytes */
	size_t code_len;
};

/* NULL with errno set when the file cannot be read or is not a 64-bit
 * x86-64 ELF file. */
struct uelf *uelf_open(const char *path);
void uelf_close(struct uelf *e);
/*
 * A function defined in the file by that name, from .dynsym, else
 * .symtab: 0, -ENOENT when there is none, -ENOTSUP when it is an
 * indirect function (its symbol is the resolver, not the code).
 */
int uelf_func(struct uelf *e, const char *name, struct ufunc *f);
/* The program has an interpreter (PT_INTERP): it is dynamically linked. */
bool uelf_dynamic(const struct uelf *e);
/*
 * The i-th DT_NEEDED entry (NULL past the last), and the DT_RUNPATH or
 * DT_RPATH string (NULL if none); the strings belong to e.
 */
const char *uelf_needed(struct uelf *e, size_t i);
const char *uelf_runpath(struct uelf *e);

#endif /* MEMTRACE_UELF_H */
