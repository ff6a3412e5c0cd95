// SPDX-License-Identifier: GPL-2.0
/* DWARF line tables through libdw: opening, the compile units' address
 * ranges, an address's line. */
#include <dwarf.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "usyms/internal.h"
#include "util/path.h"

#define MAX_RANGES	(1 << 23)
#define MAX_UNIT_RANGES	(1 << 16)
#define RANGE_BACKTRACK	64

/*
 * A dwz-compressed debug file shares strings and DIEs with an "alt" file
 * its .gnu_debugaltlink names. Left to itself libdw would open that
 * path with a blocking open(), so it is found here, with the same care
 * as any other file, and handed over with dwarf_setalt.
 */
static bool open_alt(struct usyms_module *m, const struct elf_file *f,
		     const char *fpath, const char *root)
{
	char paths[ALT_PATHS][PATH_MAX];
	const uint8_t *want = NULL;
	size_t want_len = 0;
	GElf_Shdr sh;
	int n = alt_paths(f, fpath, root, paths, &want, &want_len);

	for (int i = 0; i < n; i++) {
		uint8_t id[MAX_BUILD_ID];

		if (elf_file_open(&m->alt, paths[i]))
			continue;
		if (elf_build_id(&m->alt, id) == want_len &&
		    !memcmp(id, want, want_len) &&
		    !find_section(m->alt.elf, ".gnu_debugaltlink", &sh) &&
		    !elf_file_image(&m->alt) && !m->alt.dwarf_bad) {
			m->alt_dw = dw_units_ok(m->alt.elf) ?
				dwarf_begin_elf(m->alt.elf, DWARF_C_READ,
						NULL) : NULL;
			if (m->alt_dw && dw_strings_ok(m->alt.elf))
				return true;
			if (m->alt_dw)
				dwarf_end(m->alt_dw);
			m->alt_dw = NULL;
		}
		elf_file_close(&m->alt);
	}
	return false;
}

/* f (already an image) holds the DWARF; path is where it was found. */
void open_dwarf(struct usyms_module *m, struct elf_file *f, const char *path,
		const char *root)
{
	GElf_Shdr sh;

	if (!f || f->dwarf_bad)
		return;
	if (find_section(f->elf, ".gnu_debugaltlink", &sh) &&
	    !open_alt(m, f, path, root))
		return;
	if (!dw_units_ok(f->elf))
		return;
	m->dw = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
	if (m->dw && !dw_strings_ok(f->elf)) {
		dwarf_end(m->dw);
		m->dw = NULL;
	}
	if (m->dw && m->alt_dw)
		dwarf_setalt(m->dw, m->alt_dw);
}

static int cmp_range(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

static bool add_range(struct usyms_module *m, size_t *cap, uint64_t lo,
		      uint64_t hi, size_t cu)
{
	if (m->nranges == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		struct cu_range *r;

		if (c > MAX_RANGES)
			return false;
		r = realloc(m->ranges, c * sizeof(*r));
		if (!r)
			return false;
		m->ranges = r;
		*cap = c;
	}
	m->ranges[m->nranges++] = (struct cu_range){ lo, hi, cu };
	return true;
}

/*
 * Addresses to compile units, from each unit's own ranges (low_pc/high_pc
 * or DW_AT_ranges): .debug_aranges, which dwarf_addrdie needs, is often
 * missing (clang does not emit it), and would have libdw read DIEs at
 * offsets it gives, which dw_units_ok has not checked. A skeleton unit
 * (split DWARF) has its ranges and line table here, in the program; libdw
 * opens the .dwo file it names only when asked for the split unit's DIE
 * (which is never done here), with a blocking open().
 */
void index_cus(struct usyms_module *m)
{
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Half version;
	uint8_t type;
	Dwarf_Die die;
	size_t ccap = 0, rcap = 0, units = 0;

	m->indexed = true;
	while (units++ < MAX_UNITS &&
	       !dwarf_get_units(m->dw, cu, &next, &version, &type, &die,
				NULL)) {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;
		size_t k = 0;

		cu = next;
		if (type != DW_UT_compile && type != DW_UT_partial &&
		    type != DW_UT_skeleton)
			continue;
		if (m->ncus == ccap) {
			size_t c = ccap ? ccap * 2 : 64;
			Dwarf_Die *v = realloc(m->cus, c * sizeof(*v));

			if (!v)
				break;
			m->cus = v;
			ccap = c;
		}
		m->cus[m->ncus] = die;
		while (k++ < MAX_UNIT_RANGES &&
		       (off = dwarf_ranges(&die, off, &base, &lo, &hi)) > 0)
			if (lo < hi && !add_range(m, &rcap, lo, hi, m->ncus))
				break;
		m->ncus++;
	}
	if (m->nranges)
		qsort(m->ranges, m->nranges, sizeof(*m->ranges), cmp_range);
}

static bool line_of(Dwarf_Die *cudie, uint64_t addr, struct usym *s)
{
	Dwarf_Line *line = dwarf_getsrc_die(cudie, addr);
	const char *src;
	int lineno;

	if (!line || dwarf_lineno(line, &lineno) || lineno <= 0)
		return false;
	src = dwarf_linesrc(line, NULL, NULL);
	if (!src || !*path_base(src))
		return false;
	s->file = path_base(src);
	s->line = lineno;
	return true;
}

void find_line(struct usyms_module *m, uint64_t addr, struct usym *s)
{
	size_t lo;

	if (!m->dw)
		return;
	if (!m->indexed)
		index_cus(m);
	lo = count_le(m->ranges, m->nranges, sizeof(*m->ranges),
		      offsetof(struct cu_range, lo), addr);
	/* Ranges may overlap (LTO, or a malformed file): the few below. */
	for (size_t i = lo; i-- > 0 && lo - i <= RANGE_BACKTRACK;) {
		const struct cu_range *r = &m->ranges[i];

		if (addr < r->hi && line_of(&m->cus[r->cu], addr, s))
			return;
	}
}
