// SPDX-License-Identifier: GPL-2.0
/* A BPF program relocated by the kernel: its ELF sections, its BTF made
 * loadable, and BPF_PROG_LOAD with core_relos. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>
#include <sys/syscall.h>
#include "core/kreloc.h"
#include "util/kbtf.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

/* .BTF.ext's header (libbpf's struct btf_ext_header; core_relo_* from
 * hdr_len 32): each section's offset from the end of the header. */
struct ext_header {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

struct elf_view {
	const uint8_t *data;
	size_t size;
	const Elf64_Shdr *sh;
	size_t nsh;
	const char *names;		/* section names */
	size_t names_size;
};

/* The headers are read in place, so they must lie aligned: obj is (a
 * skeleton's bytes, a large constant gcc aligns, or a malloc()ed copy),
 * and a table of section headers at an unaligned offset is refused. */
static int elf_open(struct elf_view *e, const void *obj, size_t size)
{
	const Elf64_Ehdr *h = obj;
	const Elf64_Shdr *names;

	*e = (struct elf_view){ .data = obj, .size = size };
	if ((uintptr_t)obj % _Alignof(Elf64_Ehdr) || size < sizeof(*h) ||
	    memcmp(h->e_ident, ELFMAG, SELFMAG) ||
	    h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_machine != EM_BPF ||
	    h->e_shentsize != sizeof(Elf64_Shdr) || h->e_shoff > size ||
	    h->e_shoff % _Alignof(Elf64_Shdr) ||
	    h->e_shnum > (size - h->e_shoff) / sizeof(Elf64_Shdr) ||
	    h->e_shstrndx >= h->e_shnum)
		return -EINVAL;
	e->sh = (const void *)(e->data + h->e_shoff);
	e->nsh = h->e_shnum;
	names = &e->sh[h->e_shstrndx];
	if (names->sh_offset > size || names->sh_size > size - names->sh_offset ||
	    !names->sh_size || e->data[names->sh_offset + names->sh_size - 1])
		return -EINVAL;
	e->names = (const char *)e->data + names->sh_offset;
	e->names_size = names->sh_size;
	return 0;
}

/* The bytes of section name: 0, -ENOENT, -EINVAL (past the end). */
static int elf_section(const struct elf_view *e, const char *name,
		       const uint8_t **at, size_t *len)
{
	for (size_t i = 0; i < e->nsh; i++) {
		const Elf64_Shdr *s = &e->sh[i];

		if (s->sh_name >= e->names_size || strcmp(e->names + s->sh_name, name))
			continue;
		if (s->sh_offset > e->size || s->sh_size > e->size - s->sh_offset)
			return -EINVAL;
		*at = e->data + s->sh_offset;
		*len = s->sh_size;
		return 0;
	}
	return -ENOENT;
}

/*
 * clang leaves a DATASEC's size 0 in the object (libbpf sets it from the
 * section when it loads); the kernel refuses that: each is given the end
 * of its last variable.
 */
static int size_datasecs(void *btf, size_t size)
{
	struct btf_header *h = btf;
	uint8_t *types;
	size_t off = 0;

	if (size < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > size ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > size ||
	    (h->hdr_len + h->type_off) % 4)
		return -EINVAL;
	types = (uint8_t *)btf + h->hdr_len + h->type_off;
	while (off + sizeof(struct btf_type) <= h->type_len) {
		struct btf_type *t = (void *)(types + off);
		struct btf_var_secinfo *v = (void *)(t + 1);
		size_t extra = kbtf_extra_size(t);

		if (off + sizeof(*t) + extra > h->type_len)
			return -EINVAL;
		if (BTF_INFO_KIND(t->info) == BTF_KIND_DATASEC && !t->size)
			for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++)
				if (v[i].offset + v[i].size > t->size)
					t->size = v[i].offset + v[i].size;
		off += sizeof(*t) + extra;
	}
	return off == h->type_len ? 0 : -EINVAL;
}

/* A string of the BTF (a section's name in .BTF.ext), or NULL. */
static const char *btf_str(const void *btf, uint32_t off)
{
	const struct btf_header *h = btf;
	const char *s = (const char *)btf + h->hdr_len + h->str_off;

	if (off >= h->str_len || !memchr(s + off, '\0', h->str_len - off))
		return NULL;
	return s + off;
}

/*
 * The records of section sec in one part of .BTF.ext (func_info or
 * core_relo: a record size, then for each section its name, a count and
 * the records): *recs points at them, *n of rec_size bytes each.
 */
static int ext_records(const void *btf, const uint8_t *part, size_t len,
		       const char *sec, size_t want_size, const uint8_t **recs,
		       size_t *n)
{
	uint32_t rec_size, name, count;
	size_t at = 4;

	*n = 0;
	if (len < 4)
		return len ? -EINVAL : 0;
	memcpy(&rec_size, part, 4);
	if (rec_size < want_size)
		return -EINVAL;
	while (at + 8 <= len) {
		const char *s;

		memcpy(&name, part + at, 4);
		memcpy(&count, part + at + 4, 4);
		at += 8;
		if (count > (len - at) / rec_size)
			return -EINVAL;
		s = btf_str(btf, name);
		if (s && !strcmp(s, sec) && rec_size == want_size) {
			*recs = part + at;
			*n = count;
			return 0;
		}
		at += (size_t)count * rec_size;
	}
	return 0;
}

/* The func_info and CO-RE relocations of sec, from .BTF.ext. */
static int read_ext(struct kreloc_prog *p, const uint8_t *ext, size_t len,
		    const char *sec)
{
	struct ext_header h = { 0 };
	const uint8_t *recs = NULL;
	size_t n;
	int err;

	if (len < 24)
		return -EINVAL;
	memcpy(&h, ext, len < sizeof(h) ? len : sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len > len || h.hdr_len < 24 ||
	    h.func_info_off > len - h.hdr_len ||
	    h.func_info_len > len - h.hdr_len - h.func_info_off)
		return -EINVAL;
	err = ext_records(p->btf, ext + h.hdr_len + h.func_info_off,
			  h.func_info_len, sec, sizeof(p->func), &recs, &n);
	if (err || n != 1)
		return err ? err : -ENOENT;
	memcpy(&p->func, recs, sizeof(p->func));
	p->func.insn_off /= sizeof(struct bpf_insn);
	if (h.hdr_len < 32 || !h.core_relo_len)
		return 0;
	if (h.core_relo_off > len - h.hdr_len ||
	    h.core_relo_len > len - h.hdr_len - h.core_relo_off)
		return -EINVAL;
	err = ext_records(p->btf, ext + h.hdr_len + h.core_relo_off,
			  h.core_relo_len, sec, sizeof(*p->relos), &recs, &n);
	if (err || !n)
		return err;
	p->relos = malloc(n * sizeof(*p->relos));
	if (!p->relos)
		return -ENOMEM;
	memcpy(p->relos, recs, n * sizeof(*p->relos));
	p->nrelos = n;
	return 0;
}

int kreloc_parse(const void *obj, size_t size, const char *sec,
		 struct kreloc_prog *p)
{
	const uint8_t *code, *btf, *ext, *rel;
	size_t code_len, btf_len, ext_len, rel_len;
	struct elf_view e;
	char rel_name[256];
	int err;

	*p = (struct kreloc_prog){ 0 };
	err = elf_open(&e, obj, size);
	if (!err)
		err = elf_section(&e, sec, &code, &code_len);
	if (!err)
		err = elf_section(&e, ".BTF", &btf, &btf_len);
	if (!err)
		err = elf_section(&e, ".BTF.ext", &ext, &ext_len);
	if (err)
		return err;
	/* Relocations of another kind: a map, global data, a call. */
	snprintf(rel_name, sizeof(rel_name), ".rel%s", sec);
	if (!elf_section(&e, rel_name, &rel, &rel_len))
		return -EOPNOTSUPP;
	if (!code_len || code_len % sizeof(struct bpf_insn))
		return -EINVAL;
	p->insns = (const void *)code;
	p->insn_cnt = code_len / sizeof(struct bpf_insn);
	p->btf = malloc(btf_len);
	if (!p->btf)
		return -ENOMEM;
	memcpy(p->btf, btf, btf_len);
	p->btf_size = btf_len;
	err = size_datasecs(p->btf, btf_len);
	return err ? err : read_ext(p, ext, ext_len, sec);
}

void kreloc_free(struct kreloc_prog *p)
{
	free(p->btf);
	free(p->relos);
	*p = (struct kreloc_prog){ 0 };
}

/* The bpf() system call itself: libbpf's wrappers first load a program
 * to learn whether to raise RLIMIT_MEMLOCK, which every kernel that takes
 * core_relos (5.17+) charges to the memory cgroup instead. */
static int sys_bpf(int cmd, union bpf_attr *a)
{
	int fd = syscall(__NR_bpf, cmd, a, sizeof(*a));

	return fd < 0 ? -errno : fd;
}

static int btf_load(const struct kreloc_prog *p)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.btf = (uintptr_t)p->btf;
	a.btf_size = p->btf_size;
	return sys_bpf(BPF_BTF_LOAD, &a);
}

static int prog_load(const struct kreloc_prog *p, int btf_fd,
		     enum bpf_prog_type type)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uintptr_t)p->insns;
	a.insn_cnt = p->insn_cnt;
	a.license = (uintptr_t)"GPL";
	a.prog_btf_fd = btf_fd;
	/* The kernel applies core_relos only with func_info. */
	a.func_info = (uintptr_t)&p->func;
	a.func_info_cnt = 1;
	a.func_info_rec_size = sizeof(p->func);
	a.core_relos = (uintptr_t)p->relos;
	a.core_relo_cnt = p->nrelos;
	a.core_relo_rec_size = sizeof(*p->relos);
	return sys_bpf(BPF_PROG_LOAD, &a);
}

int kreloc_load(const void *obj, size_t size, const char *sec,
		enum bpf_prog_type type)
{
	struct kreloc_prog p;
	int err = kreloc_parse(obj, size, sec, &p), btf_fd, fd;

	if (err) {
		kreloc_free(&p);
		return err;
	}
	btf_fd = btf_load(&p);
	fd = btf_fd < 0 ? btf_fd : prog_load(&p, btf_fd, type);
	if (btf_fd >= 0)
		close(btf_fd);
	kreloc_free(&p);
	return fd;
}
