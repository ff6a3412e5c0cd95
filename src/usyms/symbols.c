// SPDX-License-Identifier: GPL-2.0
/* Function symbols: .symtab or .dynsym, sorted, looked up, demangled. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <libiberty/demangle.h>
#include "usyms/internal.h"

#define MAX_SYMS	(1 << 24)
#define MAX_FUNC_SIZE	(1ULL << 30)	/* larger: a bogus st_size */
#define MAX_MANGLED	4096		/* longer names are not demangled */
/* Containing symbols searched before the nearest: nested symbols (a
 * local label function inside a larger one) are few. */
#define SYM_BACKTRACK	64

struct rawsym {
	uint64_t start, size;
	const char *name;
	uint8_t underscores, bind;
	size_t len;
};

static int cmp_rawsym(const void *a, const void *b)
{
	const struct rawsym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* Among aliases, the public name: "getpid" rather than "__getpid"
	 * (glibc's public names are often weak aliases), then global, then
	 * the shortest. */
	if (x->underscores != y->underscores)
		return x->underscores - y->underscores;
	if (x->bind != y->bind)
		return x->bind - y->bind;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The function symbols of one symbol table, sorted, one per address. */
static int load_syms(struct usyms_module *m, Elf *elf, Elf_Scn *scn)
{
	GElf_Shdr sh, strsh;
	Elf_Scn *strscn;
	Elf_Data *d, *strd;
	struct rawsym *raw;
	size_t ent, n, nraw = 0, out = 0;

	if (!gelf_getshdr(scn, &sh))
		return -1;
	strscn = elf_getscn(elf, sh.sh_link);
	if (!strscn || !gelf_getshdr(strscn, &strsh) ||
	    strsh.sh_type != SHT_STRTAB)
		return -1;
	d = elf_getdata(scn, NULL);
	strd = elf_getdata(strscn, NULL);
	ent = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!d || !strd || !strd->d_buf || !ent)
		return -1;
	n = d->d_size / ent;
	if (n > MAX_SYMS)
		n = MAX_SYMS;
	raw = calloc(n ? n : 1, sizeof(*raw));
	if (!raw)
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		const char *name;
		struct rawsym *r;
		int type;

		if (!gelf_getsym(d, i, &s))
			break;
		type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    s.st_shndx == SHN_UNDEF || !s.st_name ||
		    s.st_name >= strd->d_size)
			continue;
		/* The name must end inside the string table. */
		name = (const char *)strd->d_buf + s.st_name;
		if (!memchr(name, '\0', strd->d_size - s.st_name) || !name[0])
			continue;
		r = &raw[nraw++];
		r->start = s.st_value;
		r->size = s.st_size <= MAX_FUNC_SIZE ? s.st_size : 0;
		r->name = name;
		r->len = strlen(name);
		while (r->underscores < 3 && name[r->underscores] == '_')
			r->underscores++;
		r->bind = GELF_ST_BIND(s.st_info) == STB_GLOBAL ? 0 :
			  GELF_ST_BIND(s.st_info) == STB_WEAK	? 1 :
								  2;
	}
	if (!nraw) {
		free(raw);
		return -1;
	}
	qsort(raw, nraw, sizeof(*raw), cmp_rawsym);
	m->syms = malloc(nraw * sizeof(*m->syms));
	if (!m->syms) {
		free(raw);
		return -1;
	}
	for (size_t i = 0; i < nraw; i++) {
		if (out && m->syms[out - 1].start == raw[i].start) {
			/* An alias: keep the first name, the largest size. */
			if (raw[i].size > m->syms[out - 1].size)
				m->syms[out - 1].size = raw[i].size;
			continue;
		}
		m->syms[out].start = raw[i].start;
		m->syms[out].size = raw[i].size;
		m->syms[out].name = raw[i].name;
		out++;
	}
	free(raw);
	m->nsyms = out;
	return 0;
}

/* .symtab (the module's, else its debug file's), else .dynsym. Returns
 * the file the symbols came from. */
struct elf_file *find_syms(struct usyms_module *m)
{
	struct {
		struct elf_file *f;
		Elf64_Word type;
	} order[] = {
		{ &m->main, SHT_SYMTAB },
		{ &m->debug, SHT_SYMTAB },
		{ &m->main, SHT_DYNSYM },
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		GElf_Shdr sh;
		Elf_Scn *scn;

		if (!order[i].f->elf)
			continue;
		scn = find_section_type(order[i].f->elf, order[i].type, &sh);
		if (scn && !load_syms(m, order[i].f->elf, scn))
			return order[i].f;
	}
	return NULL;
}

/*
 * The sized symbol holding addr; else, when the nearest symbol below it
 * has no size (hand-written assembly), that one.
 */
const struct sym *find_sym(const struct usyms_module *m, uint64_t addr)
{
	size_t lo = count_le(m->syms, m->nsyms, sizeof(*m->syms),
			     offsetof(struct sym, start), addr), i;

	if (!lo)
		return NULL;
	for (i = lo; i-- > 0 && lo - i <= SYM_BACKTRACK;) {
		const struct sym *s = &m->syms[i];

		if (s->size && addr - s->start < s->size)
			return s;
	}
	return m->syms[lo - 1].size ? NULL : &m->syms[lo - 1];
}

/*
 * The name as a person reads it: C++ names demangled, and without the
 * symbol version a .symtab may append (pthread_create@@GLIBC_2.34).
 */
const char *sym_name(struct usyms_module *m, const struct sym *s)
{
	size_t i = s - m->syms;
	const char *at = strchr(s->name, '@');
	bool mangled = !strncmp(s->name, "_Z", 2);
	char *d, *base;

	if ((!mangled && !at) || strlen(s->name) > MAX_MANGLED)
		return s->name;
	if (!m->demangled) {
		m->demangled = calloc(m->nsyms, sizeof(*m->demangled));
		if (!m->demangled)
			return s->name;
	}
	if (!m->demangled[i]) {
		base = at ? strndup(s->name, at - s->name) : NULL;
		if (at && !base)
			return s->name;
		/* libiberty's demangler, the one behind libstdc++'s
		 * __cxa_demangle(), with the same options. */
		d = mangled ? cplus_demangle_v3(base ? base : s->name,
						DMGL_PARAMS | DMGL_TYPES) : NULL;
		if (!d) {
			d = base;
			base = NULL;
		}
		free(base);
		m->demangled[i] = d ? d : (char *)s->name;
	}
	return m->demangled[i];
}

void syms_free(struct usyms_module *m)
{
	if (m->demangled) {
		for (size_t i = 0; i < m->nsyms; i++)
			if (m->demangled[i] != m->syms[i].name)
				free(m->demangled[i]);
		free(m->demangled);
	}
	free(m->syms);
	m->demangled = NULL;
	m->syms = NULL;
	m->nsyms = 0;
}
