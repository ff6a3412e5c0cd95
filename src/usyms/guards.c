// SPDX-License-Identifier: GPL-2.0
/*
 * What libdw 0.188 would read out of bounds on, checked before it reads
 * any DWARF of a file: string sections without their last NUL, units
 * whose first DIE does not end inside them, forms it would follow
 * anywhere.
 */
#include <dwarf.h>
#include <string.h>
#include "usyms/internal.h"

/* .debug_str, .debug_line_str, and their .zdebug_, .dwo and
 * .gnu.debuglto_ forms; not .debug_str_offsets. */
static bool is_string_section(const char *name)
{
	static const char *const kinds[] = { "debug_str", "debug_line_str" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *p = strstr(name, kinds[i]);

		if (p && (!p[strlen(kinds[i])] ||
			  !strcmp(p + strlen(kinds[i]), ".dwo")))
			return true;
	}
	return false;
}

/*
 * The section after scn (NULL: the first) that has a name and bytes in
 * the file (not NOBITS), its name in *name; NULL at the end, or with *bad
 * set when the section headers or their names cannot be read.
 */
static Elf_Scn *next_in_file(Elf *elf, Elf_Scn *scn, const char **name,
			     bool *bad)
{
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx)) {
		*bad = true;
		return NULL;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh)) {
			*bad = true;
			return NULL;
		}
		*name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (*name && sh.sh_type != SHT_NOBITS)
			return scn;
	}
	return NULL;
}

/*
 * libdw 0.188 takes strings from .debug_str and .debug_line_str with
 * strlen, trusting the section to end with a NUL (later versions check):
 * a file where one does not is refused. Checked once libdw has read (and
 * inflated) the sections, on the very data it uses.
 */
bool dw_strings_ok(Elf *elf)
{
	Elf_Scn *scn = NULL;
	const char *name;
	bool bad = false;

	while ((scn = next_in_file(elf, scn, &name, &bad))) {
		Elf_Data *d;

		if (!is_string_section(name))
			continue;
		d = elf_rawdata(scn, NULL);
		if (d && d->d_buf && d->d_size &&
		    ((const char *)d->d_buf)[d->d_size - 1])
			return false;
	}
	return !bad;
}

/*
 * libdw 0.188 bounds its reading of a DIE by the end of its unit, but
 * once a read lands one byte past that end (a DIE starting at the end, a
 * DW_FORM_indirect form code there) every later check passes and it
 * follows lengths from anywhere. The only DIEs read here are the units'
 * first ones (by dwarf_get_units, dwarf_ranges, dwarf_getsrclines), so
 * those are walked first, strictly, and DWARF where one does not end
 * inside its unit is refused.
 */
struct rd {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t rd_uleb(struct rd *r)
{
	uint64_t v = 0;

	for (unsigned int shift = 0; shift < 64; shift += 7) {
		unsigned char b;

		if (r->p >= r->end)
			break;
		b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

/* Host byte order, which is the file's. */
static uint64_t rd_uint(struct rd *r, size_t n)
{
	uint64_t v = 0;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p, n);
	r->p += n;
	return v;
}

static void rd_skip(struct rd *r, uint64_t n)
{
	if (r->bad || n > (uint64_t)(r->end - r->p))
		r->bad = true;
	else
		r->p += n;
}

struct unit {
	unsigned int version, addr_size, offset_size;
};

/* Past one attribute value of that form. */
static void skip_form(struct rd *r, uint64_t form, const struct unit *u,
		      bool indirect)
{
	const unsigned char *nul;

	switch (form) {
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const:
		break;
	case DW_FORM_data1:
	case DW_FORM_ref1:
	case DW_FORM_flag:
	case DW_FORM_strx1:
	case DW_FORM_addrx1:
		rd_skip(r, 1);
		break;
	case DW_FORM_data2:
	case DW_FORM_ref2:
	case DW_FORM_strx2:
	case DW_FORM_addrx2:
		rd_skip(r, 2);
		break;
	case DW_FORM_strx3:
	case DW_FORM_addrx3:
		rd_skip(r, 3);
		break;
	case DW_FORM_data4:
	case DW_FORM_ref4:
	case DW_FORM_ref_sup4:
	case DW_FORM_strx4:
	case DW_FORM_addrx4:
		rd_skip(r, 4);
		break;
	case DW_FORM_data8:
	case DW_FORM_ref8:
	case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup8:
		rd_skip(r, 8);
		break;
	case DW_FORM_data16:
		rd_skip(r, 16);
		break;
	case DW_FORM_addr:
		rd_skip(r, u->addr_size);
		break;
	case DW_FORM_ref_addr:
		rd_skip(r, u->version == 2 ? u->addr_size : u->offset_size);
		break;
	case DW_FORM_strp:
	case DW_FORM_line_strp:
	case DW_FORM_sec_offset:
	case DW_FORM_strp_sup:
	case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		rd_skip(r, u->offset_size);
		break;
	case DW_FORM_block1:
		rd_skip(r, rd_uint(r, 1));
		break;
	case DW_FORM_block2:
		rd_skip(r, rd_uint(r, 2));
		break;
	case DW_FORM_block4:
		rd_skip(r, rd_uint(r, 4));
		break;
	case DW_FORM_block:
	case DW_FORM_exprloc:
		rd_skip(r, rd_uleb(r));
		break;
	case DW_FORM_sdata:
	case DW_FORM_udata:
	case DW_FORM_ref_udata:
	case DW_FORM_strx:
	case DW_FORM_addrx:
	case DW_FORM_loclistx:
	case DW_FORM_rnglistx:
	case DW_FORM_GNU_addr_index:
	case DW_FORM_GNU_str_index:
		rd_uleb(r);
		break;
	case DW_FORM_string:
		nul = r->p < r->end ? memchr(r->p, '\0', r->end - r->p) : NULL;
		if (nul)
			r->p = nul + 1;
		else
			r->bad = true;
		break;
	case DW_FORM_indirect:
		form = rd_uleb(r);
		if (indirect || form == DW_FORM_indirect ||
		    form == DW_FORM_implicit_const)
			r->bad = true;
		else if (!r->bad)
			skip_form(r, form, u, true);
		break;
	default:
		r->bad = true;
	}
}

/* The attribute specifications of abbreviation code in the table at
 * off; the first of that code, as libdw takes it. */
static bool find_abbrev(const unsigned char *ab, size_t size, uint64_t off,
			uint64_t code, struct rd *specs)
{
	struct rd r = { ab + off, ab + size, off >= size };

	while (!r.bad) {
		uint64_t c = rd_uleb(&r), name, form;
		const unsigned char *start;

		if (r.bad || !c)
			return false;
		rd_uleb(&r);		/* tag */
		rd_skip(&r, 1);		/* children */
		start = r.p;
		do {
			name = rd_uleb(&r);
			form = rd_uleb(&r);
			if (form == DW_FORM_implicit_const)
				rd_uleb(&r);	/* a sleb: the same bytes */
		} while (!r.bad && (name || form));
		if (!r.bad && c == code) {
			*specs = (struct rd){ start, r.p, false };
			return true;
		}
	}
	return false;
}

/* The unit's first DIE: its attributes end inside the unit, and it
 * refers to no other DIE for libdw to follow (dwarf_attr_integrate). */
static bool first_die_ok(struct rd *d, const struct unit *u,
			 const unsigned char *ab, size_t ab_size,
			 uint64_t ab_off)
{
	uint64_t code = rd_uleb(d);
	struct rd specs;

	if (d->bad || !code || !find_abbrev(ab, ab_size, ab_off, code, &specs))
		return false;
	for (;;) {
		uint64_t name = rd_uleb(&specs), form = rd_uleb(&specs);

		if (specs.bad)
			return false;
		if (!name && !form)
			return true;
		if (form == DW_FORM_implicit_const)
			rd_uleb(&specs);
		if (name == DW_AT_specification ||
		    name == DW_AT_abstract_origin)
			return false;
		skip_form(d, form, u, false);
		if (d->bad)
			return false;
	}
}

/* Every unit header of .debug_info (or .debug_types) as libdw reads it,
 * the unit's end clamped to the section's as libdw does. */
static bool units_ok(const Elf_Data *info, bool types, const Elf_Data *abbr)
{
	const unsigned char *base = info->d_buf;
	uint64_t off = 0, size = info->d_size;

	for (size_t n = 0; off + 4 < size; n++) {
		struct rd r = { base + off, base + size, false };
		uint64_t len = rd_uint(&r, 4), end, ab_off;
		struct unit u = { .offset_size = 4 };
		unsigned int type = types ? DW_UT_type : DW_UT_compile;
		struct rd die;

		if (len == 0xffffffff) {
			len = rd_uint(&r, 8);
			u.offset_size = 8;
		} else if (len >= 0xfffffff0) {
			return false;
		}
		if (r.bad || n >= MAX_UNITS)
			return false;
		end = len < (uint64_t)(r.end - r.p) ? (r.p - base) + len : size;
		u.version = rd_uint(&r, 2);
		if (u.version < 2 || u.version > 5)
			return false;
		if (u.version == 5) {
			type = rd_uint(&r, 1);
			u.addr_size = rd_uint(&r, 1);
			ab_off = rd_uint(&r, u.offset_size);
		} else {
			ab_off = rd_uint(&r, u.offset_size);
			u.addr_size = rd_uint(&r, 1);
		}
		if (type == DW_UT_skeleton || type == DW_UT_split_compile)
			rd_skip(&r, 8);
		else if (type == DW_UT_type || type == DW_UT_split_type)
			rd_skip(&r, 8 + u.offset_size);
		else if (type != DW_UT_compile && type != DW_UT_partial)
			return false;
		if (r.bad || (u.addr_size != 4 && u.addr_size != 8) ||
		    (uint64_t)(r.p - base) >= end)
			return false;
		die = (struct rd){ r.p, base + end, false };
		if (!first_die_ok(&die, &u, abbr->d_buf, abbr->d_size, ab_off))
			return false;
		off = end;
	}
	return true;
}

/* The one section of a kind libdw would take, under either name; NULL
 * when there is none, and *ok false when there are several. */
static Elf_Data *debug_section(Elf *elf, const char *kind, bool *ok)
{
	Elf_Scn *scn = NULL;
	Elf_Data *found = NULL;
	const char *name;
	bool bad = false;

	/* An unreadable header ends the search with what was found. */
	while ((scn = next_in_file(elf, scn, &name, &bad))) {
		Elf_Data *d;

		if (strcmp(name, kind) &&
		    (name[0] != '.' || name[1] != 'z' ||
		     strcmp(name + 2, kind + 1)))
			continue;
		d = elf_rawdata(scn, NULL);
		if (!d || !d->d_buf || !d->d_size)
			continue;
		if (found)
			*ok = false;
		found = d;
	}
	return found;
}

bool dw_units_ok(Elf *elf)
{
	bool ok = true;
	Elf_Data *info = debug_section(elf, ".debug_info", &ok);
	Elf_Data *types = debug_section(elf, ".debug_types", &ok);
	Elf_Data *abbr = debug_section(elf, ".debug_abbrev", &ok);

	if (!ok || ((info || types) && !abbr))
		return false;
	return (!info || units_ok(info, false, abbr)) &&
	       (!types || units_ok(types, true, abbr));
}
