// SPDX-License-Identifier: GPL-2.0
// src/uprobe/x86insn.c against a real disassembler: the first 64 bytes of every function symbol of libc, libstdc++, ld.so and every ELF file under /usr/lib/x86_64-linux-gnu, decoded by both; each instruction the decoder claims to know must start and end where objdump's does. A uprobe placed inside an instruction corrupts the traced program.
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"
#include "uprobe/x86insn.h"

#define HEAD 64		/* bytes of each function decoded */
#define PAD 16		/* nops after each: objdump is back in step after them */
#define LIBDIR "/usr/lib/x86_64-linux-gnu"

struct fn {
	uint32_t file;		/* index in files */
	uint32_t len;		/* bytes of it in the blob (<= HEAD) */
	uint64_t vaddr;
	size_t at;		/* its offset in the blob */
};

static char **files;
static size_t nfiles, files_cap;
static struct fn *fns;
static size_t nfns, fns_cap;
static uint8_t *blob;
static size_t blob_len, blob_cap;

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = need > 2 * *cap ? need : 2 * *cap;
	p = realloc(p, *cap * elem);
	if (!p)
		abort();
	return p;
}

static void add_fn(uint32_t file, uint64_t vaddr, const uint8_t *code,
		   size_t len)
{
	for (size_t i = nfns; i-- > 0 && fns[i].file == file;)
		if (fns[i].vaddr == vaddr)
			return;		/* .symtab and .dynsym name it both */
	fns = grow(fns, &fns_cap, nfns + 1, sizeof(*fns));
	blob = grow(blob, &blob_cap, blob_len + len + PAD, 1);
	fns[nfns++] = (struct fn){ file, (uint32_t)len, vaddr, blob_len };
	memcpy(blob + blob_len, code, len);
	memset(blob + blob_len + len, 0x90, PAD);
	blob_len += len + PAD;
}

/* Every defined function symbol of the symbol table scn, in a code
 * section. */
static void add_symbols(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
			uint32_t file)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; data && i < n; i++) {
		GElf_Sym sym;
		GElf_Shdr tsh;
		Elf_Scn *text;
		Elf_Data *td;
		uint64_t off;
		int type;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || !sym.st_size ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		text = elf_getscn(e, sym.st_shndx);
		if (!text || !gelf_getshdr(text, &tsh) ||
		    !(tsh.sh_flags & SHF_EXECINSTR) || tsh.sh_type != SHT_PROGBITS ||
		    sym.st_value < tsh.sh_addr ||
		    sym.st_value >= tsh.sh_addr + tsh.sh_size)
			continue;
		td = elf_getdata(text, NULL);
		off = sym.st_value - tsh.sh_addr;
		if (!td || !td->d_buf || off >= td->d_size)
			continue;
		add_fn(file, sym.st_value, (const uint8_t *)td->d_buf + off,
		       sym.st_size < HEAD ? sym.st_size : HEAD);
		if (off + (sym.st_size < HEAD ? sym.st_size : HEAD) > td->d_size)
			fns[nfns - 1].len = (uint32_t)(td->d_size - off);
	}
}

static void add_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	Elf *e;

	if (fd < 0)
		return;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_kind(e) == ELF_K_ELF && gelf_getehdr(e, &eh) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_machine == EM_X86_64 &&
	    (eh.e_type == ET_DYN || eh.e_type == ET_EXEC)) {
		files = grow(files, &files_cap, nfiles + 1, sizeof(*files));
		files[nfiles] = strdup(path);
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;

			if (gelf_getshdr(scn, &sh) &&
			    (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM))
				add_symbols(e, scn, &sh, (uint32_t)nfiles);
		}
		nfiles++;
	}
	if (e)
		elf_end(e);
	close(fd);
}

static int walk_one(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode))
		add_file(path);
	return 0;
}

/* objdump's instruction starts in the blob (1), "(bad)" ones (2). */
static uint8_t *objdump_starts(const char *blob_path)
{
	char cmd[512], line[512];
	uint8_t *mark = calloc(blob_len + 1, 1);
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "objdump -D -z -b binary -m i386:x86-64 --no-show-raw-insn %s",
		 blob_path);
	p = popen(cmd, "r");
	if (!p || !mark)
		abort();
	while (fgets(line, sizeof(line), p)) {
		char *end, *s = line + strspn(line, " ");
		unsigned long long addr = strtoull(s, &end, 16);

		if (end == s || *end != ':' || end[1] != '\t' || addr >= blob_len)
			continue;
		mark[addr] = strncmp(end + 2, "(bad)", 5) ? 1 : 2;
	}
	if (pclose(p))
		mark[blob_len] = 0xff;		/* objdump failed */
	else
		mark[blob_len] = 1;
	return mark;
}

/* objdump's length of the instruction at a (a start), or 0. */
static size_t objdump_len(const uint8_t *mark, size_t a)
{
	size_t b = a + 1;

	if (mark[a] != 1)
		return 0;
	while (b < blob_len && !mark[b])
		b++;
	return b - a;
}

struct tally {
	size_t fns, insns, before_site, wrong, wrong_before_site;
};

static void compare_fn(const struct fn *f, const uint8_t *mark, struct tally *t)
{
	const uint8_t *code = blob + f->at;
	struct x86_probe_site site;
	size_t off = 0, len;

	x86_cheap_probe_site(code, f->len, &site);
	t->fns++;
	while (off < f->len && (len = x86_insn_len(code + off, f->len - off))) {
		bool before = off <= site.offset && site.insn;
		size_t want = objdump_len(mark, f->at + off);

		t->insns++;
		t->before_site += before;
		if (want != len) {
			t->wrong++;
			t->wrong_before_site += before;
			if (t->wrong <= 10) {
				printf("# %s+0x%llx +%zu: decoder %zu bytes, objdump %zu:",
				       files[f->file], (unsigned long long)f->vaddr,
				       off, len, want);
				for (size_t i = off; i < f->len && i < off + 15; i++)
					printf(" %02x", code[i]);
				printf("\n");
			}
			break;
		}
		off += len;
	}
}

int main(void)
{
	static const char *const first[] = {
		"/lib/x86_64-linux-gnu/libc.so.6",
		"/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
		"/lib64/ld-linux-x86-64.so.2",
	};
	char blob_path[] = "/tmp/x86insn-blob.XXXXXX";
	struct timespec t0, t1;
	struct tally t = { 0 };
	uint8_t *mark;
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	elf_version(EV_CURRENT);
	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		add_file(first[i]);
	ok(nfiles == 3, "libc, libstdc++ and ld.so read (%zu functions)", nfns);
	nftw(LIBDIR, walk_one, 32, FTW_PHYS);
	fd = mkstemp(blob_path);
	if (fd < 0 || write(fd, blob, blob_len) != (ssize_t)blob_len)
		abort();
	close(fd);
	mark = objdump_starts(blob_path);
	unlink(blob_path);
	if (!ok(mark[blob_len] == 1, "objdump disassembled %zu functions of %zu files",
		nfns, nfiles)) {
		printf("# objdump (binutils) is needed\n");
		return tap_done();
	}
	for (size_t i = 0; i < nfns; i++)
		compare_fn(&fns[i], mark, &t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %zu functions, %zu instructions decoded (%zu up to the probe site), %.1f s\n",
	       t.fns, t.insns, t.before_site,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	ok(t.fns > 100000 && t.before_site > 100000,
	   "a large sample: %zu functions, %zu instructions up to their probe sites",
	   t.fns, t.before_site);
	ok(!t.wrong_before_site,
	   "0 disagreements with objdump up to the probe site (%zu)",
	   t.wrong_before_site);
	ok(!t.wrong, "0 disagreements with objdump in the first %d bytes (%zu)",
	   HEAD, t.wrong);
	free(mark);
	return tap_done();
}
