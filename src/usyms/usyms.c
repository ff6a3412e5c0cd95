// SPDX-License-Identifier: GPL-2.0
/*
 * User-space symbolization: /proc/PID/maps, ELF symbol tables (libelf),
 * DWARF line tables (libdw), separate debug files found by build-id or
 * .gnu_debuglink.
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
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>
#include "util/procfs.h"
#include "usyms/usyms.h"

/* libstdc++'s demangler; the binary links -lstdc++. */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* Far above any real file, low enough that a lie cannot exhaust memory. */
#define MAX_SECTIONS	(1 << 20)
#define MAX_PHDRS	(1 << 16)
#define MAX_SYMS	(1 << 24)
#define MAX_FUNC_SIZE	(1ULL << 30)	/* larger: a bogus st_size */
#define MAX_UNITS	(1 << 22)
#define MAX_RANGES	(1 << 23)
#define MAX_UNIT_RANGES	(1 << 16)
#define MAX_MANGLED	4096		/* longer names are not demangled */
#define MAX_BUILD_ID	64
#define MAX_MAPS	(1 << 20)
#define MAX_MAPS_LINE	(PATH_MAX + 256)
/* zlib cannot expand data more than 1032 times; more is a lie that would
 * have us allocate a huge buffer before inflating. */
#define MAX_INFLATE_RATIO 1040
#define MAX_INFLATED	UINT32_MAX
#define MAX_IMAGE	(1ULL << 36)
/* All of a file's sections together: each can be within the ratio, and
 * all point at the same bytes. Real debug files inflate 3 to 10 times. */
#define MAX_IMAGE_RATIO	64
#define IMAGE_PAD	64
/* Containing symbols searched before the nearest: nested symbols (a
 * local label function inside a larger one) are few. */
#define SYM_BACKTRACK	64
#define RANGE_BACKTRACK	64
#define CACHE_MIN	1024
#define CACHE_MAX	(1 << 17)

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_ELFDATA ELFDATA2LSB
#else
#define HOST_ELFDATA ELFDATA2MSB
#endif

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

struct centry {
	uint64_t addr;
	uint64_t batch;		/* when rc < 0: valid in that batch only */
	struct usym s;
	int rc;
	bool used;
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

/* ---- small helpers ---- */

/* snprintf into buf, false when it does not fit. */
__attribute__((format(printf, 3, 4))) static bool
fmt_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

static bool pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += n;
	}
	return true;
}

/* off + len fits in size, without overflowing. */
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static bool inflate_ok(uint64_t out, uint64_t in)
{
	return out <= MAX_INFLATED && out / MAX_INFLATE_RATIO <= in;
}

/* ---- opening ELF files ---- */

/*
 * What libelf sizes its first allocations by, read before elf_begin:
 * the section count (possibly from section 0, for 65280 sections or
 * more) and the header tables' places. Only the host's byte order is
 * taken: every file a process on this machine maps has it.
 */
static bool elf_precheck(int fd, uint64_t size)
{
	unsigned char buf[sizeof(Elf64_Ehdr)];
	uint64_t shoff, shnum, phoff, phnum, shent, phent, shstrndx;
	bool is64;

	if (size < EI_NIDENT ||
	    !pread_full(fd, buf, size < sizeof(buf) ? size : sizeof(buf), 0))
		return false;
	if (memcmp(buf, ELFMAG, SELFMAG) || buf[EI_DATA] != HOST_ELFDATA ||
	    buf[EI_VERSION] != EV_CURRENT)
		return false;
	if (buf[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (size < sizeof(eh))
			return false;
		memcpy(&eh, buf, sizeof(eh));
		shoff = eh.e_shoff;
		shnum = eh.e_shnum;
		shent = eh.e_shentsize;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phent = eh.e_phentsize;
		shstrndx = eh.e_shstrndx;
		is64 = true;
	} else if (buf[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (size < sizeof(eh))
			return false;
		memcpy(&eh, buf, sizeof(eh));
		shoff = eh.e_shoff;
		shnum = eh.e_shnum;
		shent = eh.e_shentsize;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phent = eh.e_phentsize;
		shstrndx = eh.e_shstrndx;
		is64 = false;
	} else {
		return false;
	}

	if (shoff) {
		uint64_t sh_size, sh_link, sh_info;

		if (shent != (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
		    !in_file(shoff, shent, size))
			return false;
		/* Section 0 holds the counts that do not fit the header. */
		if (is64) {
			Elf64_Shdr sh;

			if (!pread_full(fd, &sh, sizeof(sh), shoff))
				return false;
			sh_size = sh.sh_size;
			sh_link = sh.sh_link;
			sh_info = sh.sh_info;
		} else {
			Elf32_Shdr sh;

			if (!pread_full(fd, &sh, sizeof(sh), shoff))
				return false;
			sh_size = sh.sh_size;
			sh_link = sh.sh_link;
			sh_info = sh.sh_info;
		}
		if (shnum == 0)
			shnum = sh_size;
		if (shstrndx == SHN_XINDEX)
			shstrndx = sh_link;
		if (phnum == PN_XNUM)
			phnum = sh_info;
		if (shnum == 0 || shnum > MAX_SECTIONS ||
		    shnum > (size - shoff) / shent || shstrndx >= shnum)
			return false;
	} else if (shnum || phnum == PN_XNUM) {
		return false;
	}

	if (phnum) {
		if (phent != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
		    phnum > MAX_PHDRS || !in_file(phoff, 0, size) ||
		    phnum > (size - phoff) / phent)
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

static void elf_file_close(struct elf_file *f)
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
static void elf_file_done(struct elf_file *f)
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
static int elf_file_open(struct elf_file *f, const char *path)
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
		if (is64) {
			Elf64_Chdr ch;

			if (sh->sh_size < sizeof(ch))
				return -1;
			memcpy(&ch, p, sizeof(ch));
			type = ch.ch_type;
			z->out_len = ch.ch_size;
			hdr = sizeof(ch);
		} else {
			Elf32_Chdr ch;

			if (sh->sh_size < sizeof(ch))
				return -1;
			memcpy(&ch, p, sizeof(ch));
			type = ch.ch_type;
			z->out_len = ch.ch_size;
			hdr = sizeof(ch);
		}
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

	if (eh->e_ident[EI_CLASS] == ELFCLASS64) {
		Elf64_Shdr sh;

		memcpy(&sh, p, sizeof(sh));
		sh.sh_offset = off;
		sh.sh_size = size;
		sh.sh_flags &= ~(uint64_t)SHF_COMPRESSED;
		sh.sh_addralign = 1;
		memcpy(p, &sh, sizeof(sh));
	} else {
		Elf32_Shdr sh;

		memcpy(&sh, p, sizeof(sh));
		sh.sh_offset = off;
		sh.sh_size = size;
		sh.sh_flags &= ~(uint32_t)SHF_COMPRESSED;
		sh.sh_addralign = 1;
		memcpy(p, &sh, sizeof(sh));
	}
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
static int elf_file_image(struct elf_file *f)
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

/* ---- sections and notes ---- */

static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *shp)
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

static Elf_Scn *find_section_type(Elf *elf, Elf64_Word type, GElf_Shdr *shp)
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

/* A section with contents, not stripped to SHT_NOBITS. */
static bool has_section(Elf *elf, const char *name)
{
	GElf_Shdr sh;

	return find_section(elf, name, &sh) && sh.sh_type != SHT_NOBITS &&
	       sh.sh_size;
}

static bool has_dwarf(const struct elf_file *f)
{
	return f->elf &&
	       (has_section(f->elf, ".debug_info") ||
		has_section(f->elf, ".zdebug_info")) &&
	       (has_section(f->elf, ".debug_line") ||
		has_section(f->elf, ".zdebug_line"));
}

static bool has_symtab(const struct elf_file *f)
{
	GElf_Shdr sh;

	return f->elf && find_section_type(f->elf, SHT_SYMTAB, &sh);
}

static size_t notes_build_id(Elf_Data *d, uint8_t *id)
{
	GElf_Nhdr nh;
	size_t off = 0, next, name_off, desc_off;

	if (!d || !d->d_buf)
		return 0;
	while (off < d->d_size &&
	       (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > off) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    in_file(name_off, 4, d->d_size) &&
		    !memcmp((char *)d->d_buf + name_off, "GNU", 4) &&
		    nh.n_descsz && nh.n_descsz <= MAX_BUILD_ID &&
		    in_file(desc_off, nh.n_descsz, d->d_size)) {
			memcpy(id, (char *)d->d_buf + desc_off, nh.n_descsz);
			return nh.n_descsz;
		}
		off = next;
	}
	return 0;
}

/* The NT_GNU_BUILD_ID note's bytes: from the note sections, or from the
 * PT_NOTE segments when the section headers are gone. */
static size_t elf_build_id(const struct elf_file *f, uint8_t *id)
{
	Elf_Scn *scn = NULL;
	size_t phnum, n;

	while ((scn = elf_nextscn(f->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			break;
		if (sh.sh_type == SHT_NOTE &&
		    (n = notes_build_id(elf_getdata(scn, NULL), id)))
			return n;
	}
	if (elf_getphdrnum(f->elf, &phnum))
		return 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(f->elf, i, &ph) || ph.p_type != PT_NOTE ||
		    !ph.p_filesz || !in_file(ph.p_offset, ph.p_filesz, f->size))
			continue;
		n = notes_build_id(elf_getdata_rawchunk(f->elf, ph.p_offset,
							ph.p_filesz,
							ph.p_align == 8 ?
							ELF_T_NHDR8 :
							ELF_T_NHDR), id);
		if (n)
			return n;
	}
	return 0;
}

/* The file a debug link names must be a plain name: it is looked for in
 * a few directories, never elsewhere. */
static bool debuglink(const struct elf_file *f, char *name, size_t len,
		      uint32_t *crc)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(f->elf, ".gnu_debuglink", &sh);
	Elf_Data *d;
	const char *p, *nul;
	size_t n, crc_off;

	if (!scn || sh.sh_type == SHT_NOBITS)
		return false;
	d = elf_rawdata(scn, NULL);
	if (!d || !d->d_buf || !d->d_size)
		return false;
	p = d->d_buf;
	nul = memchr(p, '\0', d->d_size);
	if (!nul)
		return false;
	n = nul - p;
	crc_off = (n + 4) & ~(size_t)3;
	if (!n || n >= len || strchr(p, '/') || !strcmp(p, ".") ||
	    !strcmp(p, "..") || !in_file(crc_off, 4, d->d_size))
		return false;
	memcpy(name, p, n + 1);
	memcpy(crc, p + crc_off, 4);
	return true;
}

static bool crc_matches(const struct elf_file *f, uint32_t want)
{
	enum { CHUNK = 1 << 16 };
	unsigned char *buf = malloc(CHUNK);
	uLong crc = crc32(0, Z_NULL, 0);
	uint64_t off = 0;

	if (!buf)
		return false;
	while (off < f->size) {
		size_t n = f->size - off < CHUNK ? f->size - off : CHUNK;

		if (!pread_full(f->fd, buf, n, off))
			break;
		crc = crc32(crc, buf, n);
		off += n;
	}
	free(buf);
	return off == f->size && (uint32_t)crc == want;
}

/* ---- separate debug files ---- */

struct debug_want {
	uint8_t id[MAX_BUILD_ID];
	size_t id_len;
	uint32_t crc;
	bool has_crc;
};

/* The file at path is m's debug file: same build-id (or the debug link's
 * CRC when there is no build-id to compare), with something to offer. */
static bool try_debug(struct usyms_module *m, const char *path,
		      const struct debug_want *w)
{
	struct elf_file d;
	uint8_t id[MAX_BUILD_ID];
	size_t id_len;
	bool match;

	if (elf_file_open(&d, path))
		return false;
	if (d.dev == m->main.dev && d.ino == m->main.ino)
		goto no;
	id_len = elf_build_id(&d, id);
	if (w->id_len && id_len)
		match = id_len == w->id_len && !memcmp(id, w->id, id_len);
	else
		match = w->has_crc && crc_matches(&d, w->crc);
	if (!match || (!has_symtab(&d) && !has_dwarf(&d)))
		goto no;
	m->debug_path = strdup(path);
	if (!m->debug_path)
		goto no;
	m->debug = d;
	return true;
no:
	elf_file_close(&d);
	return false;
}

/* path in the process's root first (its mount namespace), then in ours. */
static bool try_debug_at(struct usyms_module *m, const char *root,
			 const char *path, const struct debug_want *w)
{
	char buf[PATH_MAX];

	if (root[0] && fmt_path(buf, sizeof(buf), "%s%s", root, path) &&
	    try_debug(m, buf, w))
		return true;
	return try_debug(m, path, w);
}

static void find_debug(struct usyms_module *m, const char *root)
{
	struct debug_want w = { 0 };
	char path[PATH_MAX], name[256], dir[PATH_MAX];
	char hex[2 * MAX_BUILD_ID + 1];
	const char *slash;

	w.id_len = elf_build_id(&m->main, w.id);
	if (w.id_len) {
		for (size_t i = 0; i < w.id_len; i++)
			sprintf(hex + 2 * i, "%02x", w.id[i]);
		if (w.id_len > 1 &&
		    fmt_path(path, sizeof(path),
			     "/usr/lib/debug/.build-id/%.2s/%s.debug", hex,
			     hex + 2) &&
		    try_debug_at(m, root, path, &w))
			return;
	}
	if (!debuglink(&m->main, name, sizeof(name), &w.crc))
		return;
	w.has_crc = true;
	/* Next to the module, in .debug/ there, under /usr/lib/debug. */
	slash = strrchr(m->path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (!fmt_path(dir, sizeof(dir), "%.*s", (int)(slash - m->path),
			   m->path))
		return;
	if (fmt_path(path, sizeof(path), "%s/%s", dir, name) &&
	    try_debug_at(m, root, path, &w))
		return;
	if (fmt_path(path, sizeof(path), "%s/.debug/%s", dir, name) &&
	    try_debug_at(m, root, path, &w))
		return;
	if (dir[0] == '/' &&
	    fmt_path(path, sizeof(path), "/usr/lib/debug%s/%s", dir, name))
		try_debug_at(m, root, path, &w);
}

/* ---- symbols ---- */

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
static struct elf_file *find_syms(struct usyms_module *m)
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
static const struct sym *find_sym(const struct usyms_module *m,
				  uint64_t addr)
{
	size_t lo = 0, hi = m->nsyms, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
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
static const char *sym_name(struct usyms_module *m, const struct sym *s)
{
	size_t i = s - m->syms;
	const char *at = strchr(s->name, '@');
	bool mangled = !strncmp(s->name, "_Z", 2);
	char *d, *base;
	int status;

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
		d = mangled ? __cxa_demangle(base ? base : s->name, NULL, NULL,
					     &status) : NULL;
		if (!mangled || status || !d) {
			free(d);
			d = base;
			base = NULL;
		}
		free(base);
		m->demangled[i] = d ? d : (char *)s->name;
	}
	return m->demangled[i];
}

/* ---- DWARF ---- */

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
 * libdw 0.188 takes strings from .debug_str and .debug_line_str with
 * strlen, trusting the section to end with a NUL (later versions check):
 * a file where one does not is refused. Checked once libdw has read (and
 * inflated) the sections, on the very data it uses.
 */
static bool dwarf_strings_ok(Elf *elf)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			return false;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || sh.sh_type == SHT_NOBITS ||
		    !is_string_section(name))
			continue;
		d = elf_rawdata(scn, NULL);
		if (d && d->d_buf && d->d_size &&
		    ((const char *)d->d_buf)[d->d_size - 1])
			return false;
	}
	return true;
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
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf_Data *found = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			break;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || sh.sh_type == SHT_NOBITS ||
		    (strcmp(name, kind) &&
		     (name[0] != '.' || name[1] != 'z' ||
		      strcmp(name + 2, kind + 1))))
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

static bool dwarf_units_ok(Elf *elf)
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

/*
 * A dwz-compressed debug file shares strings and DIEs with an "alt" file
 * its .gnu_debugaltlink names. Left to itself libdw would open that
 * path with a blocking open(), so it is found here, with the same care
 * as any other file, and handed over with dwarf_setalt.
 */
static bool open_alt(struct usyms_module *m, const struct elf_file *f,
		     const char *fpath, const char *root)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(f->elf, ".gnu_debugaltlink", &sh);
	Elf_Data *d;
	const char *name, *nul, *slash;
	const uint8_t *want;
	size_t want_len;
	char paths[4][PATH_MAX], hex[2 * MAX_BUILD_ID + 1];
	int n = 0;

	if (!scn || sh.sh_type == SHT_NOBITS)
		return false;
	d = elf_rawdata(scn, NULL);
	if (!d || !d->d_buf || !d->d_size)
		return false;
	name = d->d_buf;
	nul = memchr(name, '\0', d->d_size);
	if (!nul || nul == name)
		return false;
	want = (const uint8_t *)nul + 1;
	want_len = d->d_size - (nul + 1 - name);
	if (!want_len || want_len > MAX_BUILD_ID)
		return false;
	for (size_t i = 0; i < want_len; i++)
		sprintf(hex + 2 * i, "%02x", want[i]);
	if (want_len > 1) {
		if (root[0] &&
		    fmt_path(paths[n], PATH_MAX,
			     "%s/usr/lib/debug/.build-id/%.2s/%s.debug", root,
			     hex, hex + 2))
			n++;
		if (fmt_path(paths[n], PATH_MAX,
			     "/usr/lib/debug/.build-id/%.2s/%s.debug", hex,
			     hex + 2))
			n++;
	}
	if (name[0] == '/') {
		if (root[0] &&
		    fmt_path(paths[n], PATH_MAX, "%s%s", root, name))
			n++;
	} else {
		/* Relative to the debug file's directory. */
		slash = strrchr(fpath, '/');
		if (slash && fmt_path(paths[n], PATH_MAX, "%.*s/%s",
				      (int)(slash - fpath), fpath, name))
			n++;
	}
	if (name[0] == '/' && fmt_path(paths[n], PATH_MAX, "%s", name))
		n++;

	for (int i = 0; i < n; i++) {
		uint8_t id[MAX_BUILD_ID];

		if (elf_file_open(&m->alt, paths[i]))
			continue;
		if (elf_build_id(&m->alt, id) == want_len &&
		    !memcmp(id, want, want_len) &&
		    !find_section(m->alt.elf, ".gnu_debugaltlink", &sh) &&
		    !elf_file_image(&m->alt) && !m->alt.dwarf_bad) {
			m->alt_dw = dwarf_units_ok(m->alt.elf) ?
				dwarf_begin_elf(m->alt.elf, DWARF_C_READ,
						NULL) : NULL;
			if (m->alt_dw && dwarf_strings_ok(m->alt.elf))
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
static void open_dwarf(struct usyms_module *m, struct elf_file *f,
		       const char *path, const char *root)
{
	GElf_Shdr sh;

	if (!f || f->dwarf_bad)
		return;
	if (find_section(f->elf, ".gnu_debugaltlink", &sh) &&
	    !open_alt(m, f, path, root))
		return;
	if (!dwarf_units_ok(f->elf))
		return;
	m->dw = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
	if (m->dw && !dwarf_strings_ok(f->elf)) {
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
 * offsets it gives, which dwarf_units_ok has not checked. A skeleton unit
 * (split DWARF) has its ranges and line table here, in the program; libdw
 * opens the .dwo file it names only when asked for the split unit's DIE
 * (which is never done here), with a blocking open().
 */
static void dwarf_index(struct usyms_module *m)
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
	if (!src || !*basename(src))
		return false;
	s->file = basename(src);
	s->line = lineno;
	return true;
}

static void find_line(struct usyms_module *m, uint64_t addr, struct usym *s)
{
	size_t lo = 0, hi;

	if (!m->dw)
		return;
	if (!m->indexed)
		dwarf_index(m);
	hi = m->nranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ranges[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Ranges may overlap (LTO, or a malformed file): the few below. */
	for (size_t i = lo; i-- > 0 && lo - i <= RANGE_BACKTRACK;) {
		const struct cu_range *r = &m->ranges[i];

		if (addr < r->hi && line_of(&m->cus[r->cu], addr, s))
			return;
	}
}

/* ---- modules ---- */

static struct usyms_module *module_new(const char *path, uint64_t dev,
				       uint64_t ino)
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

static void module_unpin(struct usyms_module *m)
{
	if (m->pin >= 0)
		close(m->pin);
	m->pin = -1;
}

static void module_free(struct usyms_module *m)
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
	if (m->demangled) {
		for (size_t i = 0; i < m->nsyms; i++)
			if (m->demangled[i] != m->syms[i].name)
				free(m->demangled[i]);
		free(m->demangled);
	}
	free(m->syms);
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
static int module_load(struct usyms_module *m, const char *path,
		       const char *root)
{
	struct elf_file *syms_from, *dwarf_from = NULL;
	const char *dwarf_path = NULL;

	m->state = -1;
	if (elf_file_open(&m->main, path))
		return -1;
	m->state = 1;
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

static int module_lookup(struct usyms_module *m, uint64_t addr,
			 struct usym *s)
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

/* The address in the ELF file of a runtime address in mapping mp: through
 * the file offset, and the PT_LOAD segment holding that offset. */
static uint64_t elf_addr_of(const struct usyms_module *m,
			    const struct map *mp, uint64_t addr)
{
	uint64_t off = addr - mp->start + mp->offset;
	const struct seg *found = NULL;

	for (size_t i = 0; i < m->nsegs; i++) {
		const struct seg *g = &m->segs[i];

		if (off - g->offset < g->filesz) {
			found = g;
			if (g->exec)
				break;
		}
	}
	return found ? off - found->offset + found->vaddr : off;
}

/* ---- /proc/PID/maps ---- */

static int cmp_map(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static struct usyms_module *module_for(struct usyms *u, const char *path,
				       uint64_t dev, uint64_t ino)
{
	struct usyms_module *m;

	for (m = u->mods; m; m = m->next)
		if (m->ino == ino && m->dev == dev && !strcmp(m->path, path))
			return m;
	m = module_new(path, dev, ino);
	if (m) {
		m->next = u->mods;
		u->mods = m;
	}
	return m;
}

/*
 * While the process lives, map_files opens the very file each mapping
 * shows (needs CAP_SYS_ADMIN). Kept open until the module is loaded, it
 * is what is read even when the path has been replaced since, or the
 * process is gone, or lived in another mount namespace.
 */
static void pin_mapped(struct usyms *u)
{
	for (size_t i = 0; i < u->nmaps; i++) {
		const struct map *mp = &u->maps[i];
		struct usyms_module *m = mp->mod;
		char path[96];
		struct stat st;
		int fd;

		if (m->state || m->pin >= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
			 u->pid, mp->start, mp->end);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0)
			continue;	/* no privilege, no descriptor left */
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_ino != m->ino) {
			close(fd);
			continue;
		}
		m->pin = fd;
	}
}

/* "start-end perms offset dev inode   path": executable file mappings
 * only, the ones code addresses are in. */
static bool parse_map(char *line, uint64_t *start, uint64_t *end,
		      uint64_t *off, uint64_t *dev, uint64_t *ino, char **path)
{
	unsigned long long major, minor;
	char *p = line, *e;
	size_t len;

	errno = 0;
	*start = strtoull(p, &e, 16);
	if (e == p || *e != '-')
		return false;
	p = e + 1;
	*end = strtoull(p, &e, 16);
	if (e == p || *e != ' ' || *end <= *start)
		return false;
	p = e + 1;
	if (strlen(p) < 5 || p[2] != 'x' || p[4] != ' ')
		return false;
	p += 5;
	*off = strtoull(p, &e, 16);
	if (e == p || *e != ' ')
		return false;
	/* The device, "major:minor" in hex. */
	p = e + 1;
	major = strtoull(p, &e, 16);
	if (e == p || *e != ':')
		return false;
	p = e + 1;
	minor = strtoull(p, &e, 16);
	if (e == p || *e != ' ' || major > UINT32_MAX || minor > UINT32_MAX)
		return false;
	*dev = makedev(major, minor);
	p = e;
	*ino = strtoull(p + 1, &e, 10);
	if (e == p + 1 || errno)
		return false;
	while (*e == ' ')
		e++;
	len = strcspn(e, "\n");
	e[len] = '\0';
	maps_path_unescape(e);
	*path = e;
	/* Files only: not [vdso], [heap] or anonymous memory. */
	return e[0] == '/' && *ino;
}

static int read_maps(struct usyms *u)
{
	char path[64], *line = NULL;
	size_t cap = 0, n = 0, mcap = 0;
	struct map *maps = NULL;
	ssize_t len;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", u->pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((len = getline(&line, &cap, f)) > 0) {
		uint64_t start, end, off, dev, ino;
		char *file;

		if (len > MAX_MAPS_LINE ||
		    !parse_map(line, &start, &end, &off, &dev, &ino, &file))
			continue;
		if (n == mcap) {
			size_t c = mcap ? mcap * 2 : 64;
			struct map *v;

			if (c > MAX_MAPS) {
				err = -E2BIG;
				break;
			}
			v = realloc(maps, c * sizeof(*v));
			if (!v) {
				err = -ENOMEM;
				break;
			}
			maps = v;
			mcap = c;
		}
		maps[n].start = start;
		maps[n].end = end;
		maps[n].offset = off;
		maps[n].mod = module_for(u, file, dev, ino);
		if (!maps[n].mod) {
			err = -ENOMEM;
			break;
		}
		n++;
	}
	if (ferror(f) && !err)
		err = errno == ESRCH ? -ESRCH : -EIO;
	free(line);
	fclose(f);
	/* An exited process not yet reaped has empty maps: no better than
	 * what we had. */
	if (!err && !n)
		err = -ESRCH;
	if (err) {
		free(maps);
		return err;
	}
	qsort(maps, n, sizeof(*maps), cmp_map);
	free(u->maps);
	u->maps = maps;
	u->nmaps = n;
	pin_mapped(u);
	return 0;
}

static struct map *find_map(struct usyms *u, uint64_t addr)
{
	size_t lo = 0, hi = u->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr < u->maps[lo - 1].end)
		return &u->maps[lo - 1];
	return NULL;
}

/*
 * Opens a mapped file to read its symbols: the one pinned while the
 * process lived, else the file at its path, as the process sees it (its
 * root) or as we do, only when it is the mapped inode. A file that is not
 * (replaced since, another mount namespace's) would give wrong names:
 * such frames show their address and module. Through the process's root
 * while it lives, the inode number is enough: overlayfs shows its own
 * device, and /proc/PID/maps the real file's.
 */
static void load_mapped(struct usyms *u, struct usyms_module *m)
{
	char path[PATH_MAX];
	struct stat st;
	int err;

	if (m->pin >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", m->pin);
		err = module_load(m, path, u->root);
		module_unpin(m);
		if (!err)
			return;
	}
	if (fmt_path(path, sizeof(path), "%s%s", u->root, m->path) &&
	    !stat(path, &st) && st.st_ino == m->ino &&
	    !module_load(m, path, u->root))
		return;
	if (!stat(m->path, &st) && st.st_ino == m->ino && st.st_dev == m->dev &&
	    !module_load(m, m->path, u->root))
		return;
	m->state = -1;
}

/* ---- the per-address cache ---- */

static size_t hash_addr(uint64_t addr, size_t cap)
{
	return (size_t)((addr * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

static struct centry *cache_slot(struct usyms *u, uint64_t addr)
{
	size_t i;

	if (!u->cache_cap)
		return NULL;
	for (i = hash_addr(addr, u->cache_cap);;
	     i = (i + 1) & (u->cache_cap - 1))
		if (!u->cache[i].used || u->cache[i].addr == addr)
			return &u->cache[i];
}

static void cache_clear(struct usyms *u)
{
	if (u->cache)
		memset(u->cache, 0, u->cache_cap * sizeof(*u->cache));
	u->cache_used = 0;
}

/* Kept at most half full; at its largest it is emptied, not grown. */
static void cache_put(struct usyms *u, uint64_t addr, int rc,
		      const struct usym *s)
{
	struct centry *e;

	if ((u->cache_used + 1) * 2 > u->cache_cap) {
		size_t cap = u->cache_cap ? u->cache_cap * 2 : CACHE_MIN;
		struct centry *old = u->cache, *v;
		size_t oldcap = u->cache_cap;

		if (cap > CACHE_MAX) {
			cache_clear(u);
		} else {
			v = calloc(cap, sizeof(*v));
			if (!v)
				return;
			u->cache = v;
			u->cache_cap = cap;
			u->cache_used = 0;
			for (size_t i = 0; i < oldcap; i++) {
				if (!old[i].used)
					continue;
				*cache_slot(u, old[i].addr) = old[i];
				u->cache_used++;
			}
			free(old);
		}
	}
	e = cache_slot(u, addr);
	if (!e->used)
		u->cache_used++;
	e->used = true;
	e->addr = addr;
	e->batch = u->batch;
	e->rc = rc;
	e->s = *s;
}

/* ---- the API ---- */

struct usyms *usyms_new(int pid)
{
	struct usyms *u;
	int err;

	if (pid <= 0) {
		errno = EINVAL;
		return NULL;
	}
	elf_version(EV_CURRENT);
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->pid = pid;
	snprintf(u->root, sizeof(u->root), "/proc/%d/root", pid);
	err = read_maps(u);
	if (err) {
		usyms_free(u);
		errno = -err;
		return NULL;
	}
	u->may_refresh = true;
	return u;
}

void usyms_free(struct usyms *u)
{
	struct usyms_module *m, *next;

	if (!u)
		return;
	for (m = u->mods; m; m = next) {
		next = m->next;
		module_free(m);
	}
	free(u->maps);
	free(u->cache);
	free(u);
}

void usyms_begin(struct usyms *u)
{
	if (!u)
		return;
	u->batch++;
	u->may_refresh = true;
}

int usyms_refresh(struct usyms *u)
{
	int err = u ? read_maps(u) : -EINVAL;

	if (!err)
		cache_clear(u);
	return err;
}

int usyms_resolve(struct usyms *u, uint64_t addr, struct usym *s)
{
	struct centry *e;
	struct map *mp;
	struct usyms_module *m;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!u)
		return -ENOENT;
	e = cache_slot(u, addr);
	/* Not being in any mapping holds for this batch only: a library
	 * may be loaded there by the next report. */
	if (e && e->used && (!e->rc || e->batch == u->batch)) {
		*s = e->s;
		return e->rc;
	}
	mp = find_map(u, addr);
	if (!mp && u->may_refresh) {
		u->may_refresh = false;
		/* The process may have exited: keep what we had then. */
		if (!read_maps(u)) {
			cache_clear(u);
			mp = find_map(u, addr);
		}
	}
	if (!mp) {
		cache_put(u, addr, -ENOENT, s);
		return -ENOENT;
	}
	m = mp->mod;
	if (!m->state)
		load_mapped(u, m);
	module_lookup(m, elf_addr_of(m, mp, addr), s);
	rc = 0;
	cache_put(u, addr, rc, s);
	return rc;
}

struct out {
	char *buf;
	size_t len, pos;
};

__attribute__((format(printf, 2, 3))) static void out(struct out *o,
						     const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->pos < o->len ? o->buf + o->pos : NULL,
		      o->pos < o->len ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += n;
}

int usym_format(const struct usym *s, uint64_t addr, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	if (buf && len)
		buf[0] = '\0';
	if (s && s->func) {
		out(&o, "%s+0x%" PRIx64, s->func, s->offset);
		if (s->file)
			out(&o, " (%s:%d)", s->file, s->line);
	} else {
		out(&o, "0x%" PRIx64, addr);
	}
	if (s && s->module)
		out(&o, " [%s]", basename(s->module));
	return o.pos > INT_MAX ? INT_MAX : (int)o.pos;
}

struct usyms_module *usyms_module_open(const char *path)
{
	struct usyms_module *m;

	if (!path)
		return NULL;
	elf_version(EV_CURRENT);
	m = module_new(path, 0, 0);
	if (!m)
		return NULL;
	if (module_load(m, path, "")) {
		module_free(m);
		return NULL;
	}
	return m;
}

int usyms_module_lookup(struct usyms_module *m, uint64_t elf_addr,
			struct usym *s)
{
	if (!m) {
		memset(s, 0, sizeof(*s));
		return -ENOENT;
	}
	return module_lookup(m, elf_addr, s);
}

size_t usyms_module_addrs(struct usyms_module *m, uint64_t *addrs,
			  size_t max)
{
	size_t n = 0;

	if (!m || m->state != 1)
		return 0;
	if (m->dw && !m->indexed)
		dwarf_index(m);
	for (size_t i = 0; i < m->nsyms; i++, n++)
		if (n < max)
			addrs[n] = m->syms[i].start;
	for (size_t i = 0; i < m->nranges; i++, n++)
		if (n < max)
			addrs[n] = m->ranges[i].lo;
	return n;
}

void usyms_module_close(struct usyms_module *m)
{
	module_free(m);
}
