// SPDX-License-Identifier: GPL-2.0
/* Where leak's uprobes go: functions, interpreter and needed libraries. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "uprobe/uelf.h"

#define MAX_NEEDED 64

struct uelf {
	int fd;
	Elf *elf;
	bool dynamic;
	const char *needed[MAX_NEEDED];
	size_t nr_needed;
	const char *runpath;
};

static void read_dynamic(struct uelf *e)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e->elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *s;

			if (!gelf_getdyn(d, i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH &&
			    dyn.d_tag != DT_RPATH)
				continue;
			s = elf_strptr(e->elf, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				continue;
			if (dyn.d_tag != DT_NEEDED)
				e->runpath = e->runpath ? e->runpath : s;
			else if (e->nr_needed < MAX_NEEDED)
				e->needed[e->nr_needed++] = s;
		}
		return;
	}
}

struct uelf *uelf_open(const char *path)
{
	struct uelf *e;
	GElf_Ehdr eh;
	size_t nph;

	elf_version(EV_CURRENT);
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0)
		goto fail;
	e->elf = elf_begin(e->fd, ELF_C_READ, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF || !gelf_getehdr(e->elf, &eh) ||
	    gelf_getclass(e->elf) != ELFCLASS64 || eh.e_machine != EM_X86_64 ||
	    elf_getphdrnum(e->elf, &nph)) {
		errno = ENOEXEC;
		goto fail;
	}
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e->elf, i, &ph) && ph.p_type == PT_INTERP)
			e->dynamic = true;
	}
	read_dynamic(e);
	return e;
fail:
	uelf_close(e);
	return NULL;
}

void uelf_close(struct uelf *e)
{
	int err = errno;

	if (!e)
		return;
	elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
	errno = err;
}

bool uelf_dynamic(const struct uelf *e)
{
	return e->dynamic;
}

const char *uelf_needed(struct uelf *e, size_t i)
{
	return i < e->nr_needed ? e->needed[i] : NULL;
}

const char *uelf_runpath(struct uelf *e)
{
	return e->runpath;
}

/* The file offset of a virtual address, through the PT_LOAD segments. */
static int vaddr_to_off(Elf *elf, uint64_t vaddr, uint64_t *off)
{
	size_t nph;

	if (elf_getphdrnum(elf, &nph))
		return -ENOENT;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_X))
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

static int find_in(struct uelf *e, Elf_Scn *scn, const GElf_Shdr *sh,
		   const char *name, GElf_Sym *out)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	int found = -ENOENT;

	for (size_t i = 0; d && i < n; i++) {
		GElf_Sym sym;
		const char *s;
		int type;

		if (!gelf_getsym(d, i, &sym) || sym.st_shndx == SHN_UNDEF ||
		    !sym.st_value)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		s = elf_strptr(e->elf, sh->sh_link, sym.st_name);
		if (!s || strcmp(s, name))
			continue;
		if (type == STT_GNU_IFUNC) {
			found = -ENOTSUP;
			continue;
		}
		*out = sym;
		return 0;
	}
	return found;
}

int uelf_func(struct uelf *e, const char *name, struct ufunc *f)
{
	static const unsigned types[] = { SHT_DYNSYM, SHT_SYMTAB };
	int err = -ENOENT;
	GElf_Sym sym;

	for (int t = 0; t < 2 && err; t++) {
		Elf_Scn *scn = NULL;
		GElf_Shdr sh;

		while ((scn = elf_nextscn(e->elf, scn))) {
			if (!gelf_getshdr(scn, &sh) || sh.sh_type != types[t])
				continue;
			err = find_in(e, scn, &sh, name, &sym);
			break;
		}
	}
	if (err)
		return err;
	memset(f, 0, sizeof(*f));
	f->vaddr = sym.st_value;
	f->size = sym.st_size;
	if (vaddr_to_off(e->elf, f->vaddr, &f->file_off))
		return -ENOENT;
	size_t want = f->size && f->size < UELF_CODE_BYTES ? f->size :
							     UELF_CODE_BYTES;
	ssize_t got = pread(e->fd, f->code, want, (off_t)f->file_off);

	f->code_len = got > 0 ? (size_t)got : 0;
	return 0;
}
