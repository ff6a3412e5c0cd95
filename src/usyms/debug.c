// SPDX-License-Identifier: GPL-2.0
/*
 * Build-ids, .gnu_debuglink, and the separate debug files they lead to:
 * looked for in a few places only, in the process's root first, and
 * taken only when they match the module.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "usyms/internal.h"

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
size_t elf_build_id(const struct elf_file *f, uint8_t *id)
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
	Elf_Data *d = section_bytes(f->elf, ".gnu_debuglink");
	const char *p, *nul;
	size_t n, crc_off;

	if (!d)
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

/* Where a debug file with that build-id is: false when there is no
 * such place (a build-id of one byte). */
static bool build_id_path(char *path, size_t len, const uint8_t *id,
			  size_t id_len)
{
	char hex[2 * MAX_BUILD_ID + 1];

	if (id_len < 2 || id_len > MAX_BUILD_ID)
		return false;
	for (size_t i = 0; i < id_len; i++)
		sprintf(hex + 2 * i, "%02x", id[i]);
	return fmt_path(path, len, "/usr/lib/debug/.build-id/%.2s/%s.debug",
			hex, hex + 2);
}

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

void find_debug(struct usyms_module *m, const char *root)
{
	struct debug_want w = { 0 };
	char path[PATH_MAX], name[256], dir[PATH_MAX];
	const char *slash;

	w.id_len = elf_build_id(&m->main, w.id);
	if (build_id_path(path, sizeof(path), w.id, w.id_len) &&
	    try_debug_at(m, root, path, &w))
		return;
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

/* path in the process's root (when there is one), then in ours: added
 * to the n paths there are; returns how many there are now. */
static int add_rooted(char (*paths)[PATH_MAX], int n, const char *root,
		      const char *path)
{
	if (root[0] && fmt_path(paths[n], PATH_MAX, "%s%s", root, path))
		n++;
	if (fmt_path(paths[n], PATH_MAX, "%s", path))
		n++;
	return n;
}

int alt_paths(const struct elf_file *f, const char *fpath, const char *root,
	      char (*paths)[PATH_MAX], const uint8_t **want, size_t *want_len)
{
	Elf_Data *d = section_bytes(f->elf, ".gnu_debugaltlink");
	const char *name, *nul, *slash;
	char path[PATH_MAX];
	int n = 0;

	if (!d)
		return 0;
	name = d->d_buf;
	nul = memchr(name, '\0', d->d_size);
	if (!nul || nul == name)
		return 0;
	*want = (const uint8_t *)nul + 1;
	*want_len = d->d_size - (nul + 1 - name);
	if (!*want_len || *want_len > MAX_BUILD_ID)
		return 0;
	if (build_id_path(path, sizeof(path), *want, *want_len))
		n = add_rooted(paths, n, root, path);
	if (name[0] == '/')
		return add_rooted(paths, n, root, name);
	/* Relative to the debug file's directory. */
	slash = strrchr(fpath, '/');
	if (slash && fmt_path(paths[n], PATH_MAX, "%.*s/%s",
			      (int)(slash - fpath), fpath, name))
		n++;
	return n;
}
