// SPDX-License-Identifier: GPL-2.0
/* One mapped ELF file: loaded once, with its debug file, symbols and
 * DWARF; looked up by address in the file. */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "usyms/internal.h"

struct usyms_module *module_new(const char *path, uint64_t dev, uint64_t ino)
{
	struct usyms_module *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->path = strdup(path);
	if (!m->path) {
		free(m);
		return NULL;
	}
	m->dev = dev;
	m->ino = ino;
	m->pin = -1;
	m->main.fd = m->debug.fd = m->alt.fd = -1;
	return m;
}

void module_unpin(struct usyms_module *m)
{
	if (m->pin >= 0)
		close(m->pin);
	m->pin = -1;
}

void module_free(struct usyms_module *m)
{
	if (!m)
		return;
	module_unpin(m);
	if (m->dw)
		dwarf_end(m->dw);
	if (m->alt_dw)
		dwarf_end(m->alt_dw);
	elf_file_close(&m->alt);
	elf_file_close(&m->debug);
	elf_file_close(&m->main);
	syms_free(m);
	free(m->segs);
	free(m->cus);
	free(m->ranges);
	free(m->debug_path);
	free(m->path);
	free(m);
}

static void load_segs(struct usyms_module *m)
{
	size_t phnum, n = 0;

	if (elf_getphdrnum(m->main.elf, &phnum) || !phnum)
		return;
	m->segs = calloc(phnum, sizeof(*m->segs));
	if (!m->segs)
		return;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(m->main.elf, i, &ph) ||
		    ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		m->segs[n].offset = ph.p_offset;
		m->segs[n].filesz = ph.p_filesz;
		m->segs[n].vaddr = ph.p_vaddr;
		m->segs[n].exec = ph.p_flags & PF_X;
		n++;
	}
	m->nsegs = n;
}

/*
 * Everything a lookup needs, read at once: symbols, then the DWARF (from
 * the module or its debug file). path is the file to open (m->path may be
 * as the process sees it, under another root); root is "" or
 * "/proc/PID/root", where debug files are looked for first.
 */
/* The file's GNU build ID in hex, for profiles (pprof's Mapping). */
static void load_build_id(struct usyms_module *m)
{
	uint8_t id[MAX_BUILD_ID];
	size_t n = elf_build_id(&m->main, id);

	for (size_t i = 0; i < n; i++)
		snprintf(m->build_id + 2 * i, 3, "%02x", id[i]);
}

int module_load(struct usyms_module *m, const char *path, const char *root)
{
	struct elf_file *syms_from, *dwarf_from = NULL;
	const char *dwarf_path = NULL;

	m->state = -1;
	if (elf_file_open(&m->main, path))
		return -1;
	m->state = 1;
	load_build_id(m);
	load_segs(m);
	if (!has_symtab(&m->main) || !has_dwarf(&m->main))
		find_debug(m, root);
	if (has_dwarf(&m->main)) {
		dwarf_from = &m->main;
		dwarf_path = path;
	} else if (has_dwarf(&m->debug)) {
		dwarf_from = &m->debug;
		dwarf_path = m->debug_path;
	}
	/* Before the symbols are read: they point into the file's data. */
	if (dwarf_from && elf_file_image(dwarf_from))
		dwarf_from = NULL;
	syms_from = find_syms(m);
	open_dwarf(m, dwarf_from, dwarf_path, root);
	/* A debug file that gave neither symbols nor DWARF is not kept. */
	if (m->debug.elf && syms_from != &m->debug &&
	    !(m->dw && dwarf_getelf(m->dw) == m->debug.elf))
		elf_file_close(&m->debug);
	elf_file_done(&m->main);
	elf_file_done(&m->debug);
	elf_file_done(&m->alt);
	return 0;
}

int module_lookup(struct usyms_module *m, uint64_t addr, struct usym *s)
{
	const struct sym *sym;

	memset(s, 0, sizeof(*s));
	s->module = m->path;
	s->elf_addr = addr;
	if (m->state != 1)
		return -ENOENT;
	sym = find_sym(m, addr);
	if (sym) {
		s->func = sym_name(m, sym);
		s->offset = addr - sym->start;
	}
	find_line(m, addr, s);
	return sym ? 0 : -ENOENT;
}
