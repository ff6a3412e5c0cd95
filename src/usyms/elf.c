// SPDX-License-Identifier: GPL-2.0
/*
 * ELF files a traced process maps: opened without blocking, their headers
 * checked against the file before libelf sizes anything by them, read
 * into memory images for libdw, and their sections found.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "usyms/internal.h"

/* Far above any real file, low enough that a lie cannot exhaust memory. */
#define MAX_SECTIONS	(1 << 20)
#define MAX_PHDRS	(1 << 16)
/* zlib cannot expand data more than 1032 times; more is a lie that would
 * have us allocate a huge buffer before inflating. */
#define MAX_INFLATE_RATIO 1040
#define MAX_INFLATED	UINT32_MAX
#define MAX_IMAGE	(1ULL << 36)
/* All of a file's sections together: each can be within the ratio, and
 * all point at the same bytes. Real debug files inflate 3 to 10 times. */
#define MAX_IMAGE_RATIO	64
#define IMAGE_PAD	64

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_ELFDATA ELFDATA2LSB
#else
#define HOST_ELFDATA ELFDATA2MSB
#endif

/* ---- opening ELF files ---- */

/*
 * A field of an ELF structure, wherever the file's class puts it: read
 * and written in the host's byte order (elf_precheck takes no other),
 * through memcpy (a header inside a file image need not be aligned).
 */
struct efield {
	uint8_t off[2], len[2];		/* [0]: ELFCLASS32, [1]: ELFCLASS64 */
};

#define EFIELD(T, m)                                                     \
	(&(const struct efield){                                         \
		{ offsetof(Elf32_##T, m), offsetof(Elf64_##T, m) },      \
		{ sizeof(((Elf32_##T *)0)->m), sizeof(((Elf64_##T *)0)->m) } })
#define EGET(p, is64, T, m)	eget(p, is64, EFIELD(T, m))
#define ESET(p, is64, T, m, v)	eset(p, is64, EFIELD(T, m), v)
#define ESIZE(is64, T)		((is64) ? sizeof(Elf64_##T) : sizeof(Elf32_##T))

static uint64_t eget(const void *p, bool is64, const struct efield *f)
{
	const char *b = (const char *)p + f->off[is64];
	uint16_t v2;
	uint32_t v4;
	uint64_t v8;

	switch (f->len[is64]) {
	case 2:
		memcpy(&v2, b, sizeof(v2));
		return v2;
	case 4:
		memcpy(&v4, b, sizeof(v4));
		return v4;
	default:
		memcpy(&v8, b, sizeof(v8));
		return v8;
	}
}

static void eset(void *p, bool is64, const struct efield *f, uint64_t v)
{
	char *b = (char *)p + f->off[is64];
	uint16_t v2 = v;
	uint32_t v4 = v;

	switch (f->len[is64]) {
	case 2:
		memcpy(b, &v2, sizeof(v2));
		break;
	case 4:
		memcpy(b, &v4, sizeof(v4));
		break;
	default:
		memcpy(b, &v, sizeof(v));
	}
}

/*
 * What libelf sizes its first allocations by, read before elf_begin:
 * the section count (possibly from section 0, for 65280 sections or
 * more) and the header tables' places. Only the host's byte order is
 * taken: every file a process on this machine maps has it.
 */
static bool elf_precheck(int fd, uint64_t size)
{
	unsigned char eh[sizeof(Elf64_Ehdr)] = { 0 }, sh[sizeof(Elf64_Shdr)];
	uint64_t shoff, shnum, phoff, phnum, shent, phent, shstrndx;
	bool is64;

	if (size < EI_NIDENT ||
	    !pread_full(fd, eh, size < sizeof(eh) ? size : sizeof(eh), 0))
		return false;
	if (memcmp(eh, ELFMAG, SELFMAG) || eh[EI_DATA] != HOST_ELFDATA ||
	    eh[EI_VERSION] != EV_CURRENT ||
	    (eh[EI_CLASS] != ELFCLASS64 && eh[EI_CLASS] != ELFCLASS32))
		return false;
	is64 = eh[EI_CLASS] == ELFCLASS64;
	if (size < ESIZE(is64, Ehdr))
		return false;
	shoff = EGET(eh, is64, Ehdr, e_shoff);
	shnum = EGET(eh, is64, Ehdr, e_shnum);
	shent = EGET(eh, is64, Ehdr, e_shentsize);
	phoff = EGET(eh, is64, Ehdr, e_phoff);
	phnum = EGET(eh, is64, Ehdr, e_phnum);
	phent = EGET(eh, is64, Ehdr, e_phentsize);
	shstrndx = EGET(eh, is64, Ehdr, e_shstrndx);

	if (shoff) {
		if (shent != ESIZE(is64, Shdr) || !in_file(shoff, shent, size) ||
		    !pread_full(fd, sh, shent, shoff))
			return false;
		/* Section 0 holds the counts that do not fit the header. */
		if (shnum == 0)
			shnum = EGET(sh, is64, Shdr, sh_size);
		if (shstrndx == SHN_XINDEX)
			shstrndx = EGET(sh, is64, Shdr, sh_link);
		if (phnum == PN_XNUM)
			phnum = EGET(sh, is64, Shdr, sh_info);
		if (shnum == 0 || shnum > MAX_SECTIONS ||
		    shnum > (size - shoff) / shent || shstrndx >= shnum)
			return false;
	} else if (shnum || phnum == PN_XNUM) {
		return false;
	}

	if (phnum) {
		if (phent != ESIZE(is64, Phdr) || phnum > MAX_PHDRS ||
		    !in_file(phoff, 0, size) || phnum > (size - phoff) / phent)
			return false;
	}
	return true;
}

/* The headers libelf loaded (and will use from now on) against the file:
 * no section may reach past its end. */
static bool elf_validate(struct elf_file *f)
{
	size_t shnum, phnum;
	Elf_Scn *scn = NULL;

	if (elf_kind(f->elf) != ELF_K_ELF ||
	    elf_getshdrnum(f->elf, &shnum) || shnum > MAX_SECTIONS ||
	    elf_getphdrnum(f->elf, &phnum) || phnum > MAX_PHDRS)
		return false;
	while ((scn = elf_nextscn(f->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return false;
		if (sh.sh_type != SHT_NOBITS &&
		    !in_file(sh.sh_offset, sh.sh_size, f->size))
			return false;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(f->elf, i, &ph))
			return false;
	}
	return true;
}

void elf_file_close(struct elf_file *f)
{
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	free(f->image);
	f->elf = NULL;
	f->fd = -1;
	f->image = NULL;
}

/*
 * Once everything is read, libelf and libdw no longer need the file:
 * give its descriptor back rather than hold one per library.
 */
void elf_file_done(struct elf_file *f)
{
	if (f->elf && f->fd >= 0)
		elf_cntl(f->elf, ELF_C_FDDONE);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/*
 * 0, or -1 when path is not a regular file holding a sane ELF file.
 * libelf reads the parts asked for, when asked (ELF_C_READ): not the whole
 * of a large library when only its symbols are wanted.
 */
int elf_file_open(struct elf_file *f, const char *path)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	/* stat first: opening a device or a FIFO may block or act. */
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return -1;
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (f->fd < 0)
		return -1;
	if (fstat(f->fd, &st) || !S_ISREG(st.st_mode) ||
	    !elf_precheck(f->fd, st.st_size))
		goto fail;
	f->size = st.st_size;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->elf || !elf_validate(f))
		goto fail;
	return 0;
fail:
	elf_file_close(f);
	return -1;
}

/* ---- memory images for libdw ---- */

/* A compressed section: its zlib stream, and the size it inflates to. */
struct zsec {
	size_t ndx;
	uint64_t in_off, in_len, out_len;
};

static uint64_t align16(uint64_t x)
{
	return (x + 15) & ~(uint64_t)15;
}

static bool inflate_ok(uint64_t out, uint64_t in)
{
	return out <= MAX_INFLATED && out / MAX_INFLATE_RATIO <= in;
}

/*
 * 1 when the section is compressed, in the ELF way (SHF_COMPRESSED) or
 * the GNU way (".zdebug_*": "ZLIB", the size big-endian, the stream),
 * and sanely: zlib, not allocated, not inflating to more than its bytes
 * can; -1 when compressed otherwise; 0 when not compressed.
 */
static int zsection(const char *img, bool is64, const GElf_Shdr *sh,
		    const char *name, struct zsec *z)
{
	const unsigned char *p;
	uint32_t type = ELFCOMPRESS_ZLIB;
	size_t hdr;

	/* The offset of a section with no data in the file means nothing. */
	if (sh->sh_type == SHT_NOBITS)
		return 0;
	p = (const unsigned char *)img + sh->sh_offset;
	if (sh->sh_flags & SHF_COMPRESSED) {
		hdr = ESIZE(is64, Chdr);
		if (sh->sh_size < hdr)
			return -1;
		type = EGET(p, is64, Chdr, ch_type);
		z->out_len = EGET(p, is64, Chdr, ch_size);
	} else if (name && !strncmp(name, ".zdebug", 7) && sh->sh_size >= 12 &&
		   !memcmp(p, "ZLIB", 4)) {
		z->out_len = 0;
		for (int i = 4; i < 12; i++)
			z->out_len = z->out_len << 8 | p[i];
		hdr = 12;
	} else {
		return 0;
	}
	z->in_off = sh->sh_offset + hdr;
	z->in_len = sh->sh_size - hdr;
	if (type != ELFCOMPRESS_ZLIB || sh->sh_flags & SHF_ALLOC ||
	    !inflate_ok(z->out_len, z->in_len) || z->in_len > UINT32_MAX ||
	    z->out_len > UINT32_MAX)
		return -1;
	return 1;
}

/* Exactly out_len bytes, and the end of the stream. */
static bool inflate_exact(const char *in, uint64_t in_len, char *out,
			  uint64_t out_len)
{
	z_stream z;
	bool good;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return false;
	z.next_in = (Bytef *)in;
	z.avail_in = in_len;
	z.next_out = (Bytef *)out;
	z.avail_out = out_len;
	good = inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == out_len;
	inflateEnd(&z);
	return good;
}

static void set_section(char *img, const GElf_Ehdr *eh, size_t ndx,
			uint64_t off, uint64_t size)
{
	char *p = img + eh->e_shoff + ndx * eh->e_shentsize;
	bool is64 = eh->e_ident[EI_CLASS] == ELFCLASS64;

	ESET(p, is64, Shdr, sh_offset, off);
	ESET(p, is64, Shdr, sh_size, size);
	ESET(p, is64, Shdr, sh_flags,
	     EGET(p, is64, Shdr, sh_flags) & ~(uint64_t)SHF_COMPRESSED);
	ESET(p, is64, Shdr, sh_addralign, 1);
}

/*
 * libdw 0.188 reads past the end of malformed DWARF in places (a ULEB128
 * at the very end of a unit, a string without its NUL), and would do so
 * past the end of the buffer libelf read each section into. So the file
 * it gets is read whole into one buffer, its compressed sections inflated
 * here into the same buffer, each followed by IMAGE_PAD zero bytes, and
 * libelf is given that memory image (elf_memory): an over-read reads
 * other bytes of the image, or zeros, never past it. Nothing is left for
 * libdw to inflate (into a buffer of its own, exactly sized). On failure
 * f is left as it was.
 */
int elf_file_image(struct elf_file *f)
{
	size_t shstrndx = 0, nz = 0, shnum;
	struct zsec *zs = NULL;
	struct elf_file img = *f;
	uint64_t total, pos;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	char *buf, *more;
	bool is64;

	if (f->image)
		return 0;
	if (!gelf_getehdr(f->elf, &eh) || elf_getshdrnum(f->elf, &shnum) ||
	    f->size > MAX_IMAGE)
		return -1;
	is64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
	if (shnum)
		elf_getshdrstrndx(f->elf, &shstrndx);
	total = align16(f->size) + IMAGE_PAD;
	buf = calloc(1, total);
	zs = calloc(shnum ? shnum : 1, sizeof(*zs));
	if (!buf || !zs || !pread_full(f->fd, buf, f->size, 0))
		goto fail;
	img.dwarf_bad = false;
	/* Where each inflated section goes, from the headers as read:
	 * rewriting one header must not change what another says. */
	while ((scn = elf_nextscn(f->elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		int rc;

		if (!gelf_getshdr(scn, &sh))
			goto fail;
		name = shstrndx ? elf_strptr(f->elf, shstrndx, sh.sh_name) :
				  NULL;
		rc = zsection(buf, is64, &sh, name, &zs[nz]);
		if (rc < 0)
			img.dwarf_bad = true;
		if (rc <= 0)
			continue;
		zs[nz++].ndx = elf_ndxscn(scn);
		total = align16(total + zs[nz - 1].out_len + IMAGE_PAD);
		if (total > MAX_IMAGE ||
		    total / MAX_IMAGE_RATIO > f->size + (1 << 20) ||
		    (!is64 && total > UINT32_MAX))
			goto fail;
	}
	more = realloc(buf, total);
	if (!more)
		goto fail;
	buf = more;
	pos = align16(f->size) + IMAGE_PAD;
	memset(buf + f->size, 0, total - f->size);
	for (size_t i = 0; i < nz; i++) {
		if (inflate_exact(buf + zs[i].in_off, zs[i].in_len, buf + pos,
				  zs[i].out_len))
			set_section(buf, &eh, zs[i].ndx, pos, zs[i].out_len);
		else
			img.dwarf_bad = true;
		pos = align16(pos + zs[i].out_len + IMAGE_PAD);
	}
	img.elf = elf_memory(buf, total);
	img.image = buf;
	img.size = total;
	if (!img.elf || !elf_validate(&img)) {
		if (img.elf)
			elf_end(img.elf);
		goto fail;
	}
	/* Inflated data that looks compressed again would be inflated by
	 * libdw. */
	while ((scn = elf_nextscn(img.elf, scn))) {
		GElf_Shdr sh;
		struct zsec z;

		if (!gelf_getshdr(scn, &sh) ||
		    zsection(buf, is64, &sh,
			     shstrndx ? elf_strptr(img.elf, shstrndx,
						   sh.sh_name) :
					NULL,
			     &z))
			img.dwarf_bad = true;
	}
	free(zs);
	elf_end(f->elf);
	*f = img;
	return 0;
fail:
	free(zs);
	free(buf);
	return -1;
}

/* ---- sections ---- */

Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *shp)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) || !shstrndx)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, shp))
			return NULL;
		n = elf_strptr(elf, shstrndx, shp->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

Elf_Scn *find_section_type(Elf *elf, Elf64_Word type, GElf_Shdr *shp)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, shp))
			return NULL;
		if (shp->sh_type == type && shp->sh_size)
			return scn;
	}
	return NULL;
}

/* The bytes of the section of that name as they are in the file (not
 * inflated); NULL when it has none. */
Elf_Data *section_bytes(Elf *elf, const char *name)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(elf, name, &sh);
	Elf_Data *d;

	if (!scn || sh.sh_type == SHT_NOBITS)
		return NULL;
	d = elf_rawdata(scn, NULL);
	return d && d->d_buf && d->d_size ? d : NULL;
}

/* A section with contents, not stripped to SHT_NOBITS. */
static bool has_section(Elf *elf, const char *name)
{
	GElf_Shdr sh;

	return find_section(elf, name, &sh) && sh.sh_type != SHT_NOBITS &&
	       sh.sh_size;
}

bool has_dwarf(const struct elf_file *f)
{
	return f->elf &&
	       (has_section(f->elf, ".debug_info") ||
		has_section(f->elf, ".zdebug_info")) &&
	       (has_section(f->elf, ".debug_line") ||
		has_section(f->elf, ".zdebug_line"));
}

bool has_symtab(const struct elf_file *f)
{
	GElf_Shdr sh;

	return f->elf && find_section_type(f->elf, SHT_SYMTAB, &sh);
}
