// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include "util/kbtf.h"
#include "util/readall.h"

struct kbtf {
	const struct kbtf *base;	/* split BTF: ids and strings go on */
	const uint8_t *data;
	size_t size;
	bool mapped;
	const struct btf_header *hdr;
	const uint8_t *types;		/* the type section */
	const char *strs;
	uint32_t str_len;
	uint32_t first_id;		/* 1, or the base's count */
	uint32_t count;			/* types of this BTF */
	uint32_t *offs;			/* id - first_id -> offset in types */
};

/* Bytes after struct btf_type for a type of this kind and vlen. */
size_t kbtf_extra_size(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return vlen * 12;	/* struct btf_enum64 */
	default:
		return 0;	/* PTR FWD TYPEDEF CONST VOLATILE RESTRICT FUNC
				 * FLOAT TYPE_TAG */
	}
}

/* /sys/kernel/btf files can be mapped from 6.16; before, read them. */
static int load(struct kbtf *b, const char *path)
{
	size_t cap = 8 << 20, len;
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && st.st_size > 0) {
		void *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			b->data = p;
			b->size = st.st_size;
			b->mapped = true;
			close(fd);
			return 0;
		}
		cap = st.st_size + 1;	/* + 1: room to see the end */
	}
	err = read_all(fd, cap, &buf, &len);
	close(fd);
	if (err)
		return err;
	b->data = (uint8_t *)buf;
	b->size = len;
	return 0;
}

static int index_types(struct kbtf *b)
{
	const struct btf_header *h = (const void *)b->data;
	size_t off = 0, cap = 1 << 16;

	/* Types are read in place: they must be 4-byte aligned, and the
	 * strings NUL-terminated, or a malformed file is read past its end. */
	if (b->size < sizeof(*h) || h->magic != BTF_MAGIC ||
	    h->hdr_len < sizeof(*h) || (h->hdr_len + h->type_off) % 4 ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > b->size ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > b->size)
		return -EINVAL;
	b->hdr = h;
	b->types = b->data + h->hdr_len + h->type_off;
	b->strs = (const char *)b->data + h->hdr_len + h->str_off;
	b->str_len = h->str_len;
	if (h->str_len && b->strs[h->str_len - 1])
		return -EINVAL;
	b->offs = malloc(cap * sizeof(*b->offs));
	while (b->offs && off + sizeof(struct btf_type) <= h->type_len) {
		const struct btf_type *t = (const void *)(b->types + off);

		if (b->count == cap) {
			uint32_t *tmp = realloc(b->offs, (cap *= 2) * sizeof(*tmp));

			if (!tmp)
				break;
			b->offs = tmp;
		}
		b->offs[b->count++] = off;
		off += sizeof(*t) + kbtf_extra_size(t);
	}
	return b->offs && off == h->type_len ? 0 : -EINVAL;
}

struct kbtf *kbtf_open(const char *path, const struct kbtf *base)
{
	struct kbtf *b = calloc(1, sizeof(*b));
	int err;

	if (!b)
		return NULL;
	b->base = base;
	b->first_id = base ? base->first_id + base->count : 1;
	err = load(b, path);
	if (!err)
		err = index_types(b);
	if (err) {
		kbtf_close(b);
		errno = -err;
		return NULL;
	}
	return b;
}

void kbtf_close(struct kbtf *b)
{
	if (!b)
		return;
	if (b->mapped)
		munmap((void *)b->data, b->size);
	else
		free((void *)b->data);
	free(b->offs);
	free(b);
}

static const struct btf_type *type_by_id(const struct kbtf *b, int id)
{
	if (id <= 0)
		return NULL;
	if ((uint32_t)id < b->first_id)
		return b->base ? type_by_id(b->base, id) : NULL;
	if ((uint32_t)id - b->first_id >= b->count)
		return NULL;
	return (const void *)(b->types + b->offs[id - b->first_id]);
}

/* A split BTF's string offsets continue after its base's strings. */
static const char *str(const struct kbtf *b, uint32_t off)
{
	if (b->base) {
		if (off < b->base->str_len)
			return str(b->base, off);
		off -= b->base->str_len;
	}
	return off < b->str_len ? b->strs + off : "";
}

void kbtf_find_all(const struct kbtf *b, const char *const *names, int n,
		   int kind, int *ids)
{
	int left = n;

	for (int k = 0; k < n; k++)
		ids[k] = -1;
	for (uint32_t i = 0; i < b->count && left; i++) {
		const struct btf_type *t = (const void *)(b->types + b->offs[i]);
		const char *name;

		if ((int)BTF_INFO_KIND(t->info) != kind || !t->name_off)
			continue;
		name = str(b, t->name_off);
		for (int k = 0; k < n; k++) {
			if (ids[k] < 0 && name[0] == names[k][0] &&
			    !strcmp(name, names[k])) {
				ids[k] = b->first_id + i;
				left--;
			}
		}
	}
}

int kbtf_find(const struct kbtf *b, const char *name, int kind)
{
	int id;

	kbtf_find_all(b, &name, 1, kind, &id);
	return id;
}

const char *kbtf_name(const struct kbtf *b, int type_id)
{
	const struct btf_type *t = type_by_id(b, type_id);

	return t ? str(b, t->name_off) : "";
}

/* Past typedefs and const/volatile/restrict/type tags. */
static int resolve(const struct kbtf *b, int id)
{
	for (int depth = 0; depth < 32; depth++) {
		const struct btf_type *t = type_by_id(b, id);

		if (!t)
			return id;
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			return id;
		}
	}
	return -1;
}

static int member_in(const struct kbtf *b, int id, const char *name,
		     uint32_t base_bits, uint32_t *bit_offset, int *type,
		     uint32_t *bitfield, int depth)
{
	const struct btf_type *t = type_by_id(b, resolve(b, id));
	const struct btf_member *m;
	uint32_t kind;

	if (!t || depth > 8)
		return -1;
	kind = BTF_INFO_KIND(t->info);
	if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION)
		return -1;
	m = (const void *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++, m++) {
		/* With kind_flag, the top 8 bits are a bitfield's size. */
		uint32_t bits = BTF_INFO_KFLAG(t->info) ? m->offset & 0xffffff :
							  m->offset;
		const char *mname = str(b, m->name_off);

		if (!*mname) {
			if (!member_in(b, m->type, name, base_bits + bits,
				       bit_offset, type, bitfield, depth + 1))
				return 0;
		} else if (!strcmp(mname, name)) {
			*bit_offset = base_bits + bits;
			*type = m->type;
			*bitfield = BTF_INFO_KFLAG(t->info) ? m->offset >> 24 : 0;
			return 0;
		}
	}
	return -1;
}

int kbtf_member(const struct kbtf *b, int type_id, const char *member,
		uint32_t *bit_offset, int *member_type)
{
	uint32_t bitfield;

	return member_in(b, type_id, member, 0, bit_offset, member_type,
			 &bitfield, 0);
}

/* kbtf_member with a bitfield's size in bits (0: not a bitfield). */
static int member_bits(const struct kbtf *b, int type_id, const char *member,
		       uint32_t *bit_offset, int *member_type, uint32_t *bitfield)
{
	return member_in(b, type_id, member, 0, bit_offset, member_type,
			 bitfield, 0);
}

int kbtf_shape(const struct kbtf *b, int type_id, uint32_t *size,
	       int *pointee)
{
	const struct btf_type *t = type_by_id(b, resolve(b, type_id));

	if (!t)
		return -1;
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		*size = t->size;
		return KBTF_SCALAR;
	case BTF_KIND_PTR:
		*size = sizeof(void *);
		*pointee = t->type ? resolve(b, t->type) : -1;
		return KBTF_POINTER;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		*size = t->size;
		return KBTF_RECORD;
	default:
		return -1;
	}
}

/* -- The subset for libbpf ----------------------------------------------- */

struct wanted {
	char type[64];
	const char *member;
	int order;			/* its place in the caller's list */
	const struct kbtf *btf;		/* where the struct is */
	int id;				/* its id there, or -1 */
};

/* By type; one type's members in the caller's order, which qsort() alone
 * need not keep (musl's does not). */
static int cmp_wanted(const void *a, const void *b)
{
	const struct wanted *x = a, *y = b;
	int c = strcmp(x->type, y->type);

	return c ? c : x->order - y->order;
}

/* An integer type of size bytes in out, made once. */
static int int_type(struct btf *out, int *ints, uint32_t size)
{
	char name[16];

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -1;
	if (!ints[size]) {
		snprintf(name, sizeof(name), "u%u", size * 8);
		ints[size] = btf__add_int(out, name, size, 0);
	}
	return ints[size];
}

/* "type.member" names into w[], sorted by type. */
static int parse_wanted(const char *const *members, int n, struct wanted *w)
{
	for (int i = 0; i < n; i++) {
		const char *dot = strchr(members[i], '.');

		if (!dot || dot - members[i] >= (int)sizeof(w[i].type))
			return -EINVAL;
		snprintf(w[i].type, sizeof(w[i].type), "%.*s",
			 (int)(dot - members[i]), members[i]);
		w[i].member = dot + 1;
		w[i].order = i;
	}
	qsort(w, n, sizeof(*w), cmp_wanted);
	return 0;
}

/* Each wanted struct's id, in the kernel's BTF or else the module's:
 * every struct in one pass over each BTF. */
static int find_structs(const struct kbtf *vmlinux, const struct kbtf *module,
			struct wanted *w, int n)
{
	const char **names = calloc(n, sizeof(*names));
	int *ids = calloc(n, sizeof(*ids)), *mod_ids = calloc(n, sizeof(*ids));
	int err = -ENOMEM;

	if (names && ids && mod_ids) {
		for (int i = 0; i < n; i++)
			names[i] = w[i].type;
		kbtf_find_all(vmlinux, names, n, BTF_KIND_STRUCT, ids);
		if (module)
			kbtf_find_all(module, names, n, BTF_KIND_STRUCT, mod_ids);
		for (int i = 0; i < n; i++) {
			w[i].btf = ids[i] >= 0 || !module ? vmlinux : module;
			w[i].id = ids[i] >= 0 || !module ? ids[i] : mod_ids[i];
		}
		err = 0;
	}
	free(names);
	free(ids);
	free(mod_ids);
	return err;
}

/* The integer types the scalar members need, added before any struct:
 * btf__add_field() adds to the last struct added. */
static int add_int_types(struct btf *out, int *ints, const struct wanted *w,
			 int n)
{
	for (int i = 0; i < n; i++) {
		uint32_t bits, size;
		int mtype, pointee;

		if (w[i].id < 0 ||
		    kbtf_member(w[i].btf, w[i].id, w[i].member, &bits, &mtype) ||
		    kbtf_shape(w[i].btf, mtype, &size, &pointee) != KBTF_SCALAR)
			continue;
		if (int_type(out, ints, size) < 0 && size <= 8)
			return -ENOMEM;
	}
	return 0;
}

/* The structs already in the subset, by name: a member that is one of
 * them (an inode's i_data, a struct address_space) is written as it. */
struct done {
	const char *name;
	int id;
};

static int done_id(const struct done *d, int nd, const char *name)
{
	for (int i = 0; i < nd; i++)
		if (!strcmp(d[i].name, name))
			return d[i].id;
	return -1;
}

/* The name of the struct a member of w is, if it is one. */
static const char *record_name(const struct wanted *w, int mtype)
{
	uint32_t size;
	int pointee;

	if (kbtf_shape(w->btf, mtype, &size, &pointee) != KBTF_RECORD)
		return NULL;
	return kbtf_name(w->btf, resolve(w->btf, mtype));
}

/* One struct, w[0..n) being its wanted members, with those members only;
 * pointers are all void *: CO-RE compares only their kind; a member that
 * is a struct the subset has is that struct. */
static int add_struct(struct btf *out, int *ints, int voidp,
		      const struct wanted *w, int n, const struct done *d,
		      int nd)
{
	const struct kbtf *b = w[0].btf;
	int id = w[0].id, err;

	if (id < 0)
		return 0;	/* absent: bpf_core_type_exists() is 0 */
	err = btf__add_struct(out, w[0].type, type_by_id(b, id)->size);
	if (err < 0)
		return err;
	for (int k = 0; k < n; k++) {
		uint32_t bits, size, bitfield;
		int mtype, pointee, shape, ftype;
		const char *rec;

		if (member_bits(b, id, w[k].member, &bits, &mtype, &bitfield))
			continue;
		shape = kbtf_shape(b, mtype, &size, &pointee);
		rec = record_name(&w[k], mtype);
		ftype = shape == KBTF_POINTER ? voidp :
			shape == KBTF_SCALAR ? int_type(out, ints, size) :
			rec ? done_id(d, nd, rec) : -1;
		if (ftype < 0)
			continue;	/* see kbtf.h */
		err = btf__add_field(out, w[k].member, ftype, bits, bitfield);
		if (err)
			return err;
	}
	return 0;
}

/* Whether the structs that the members of w[0..n) are, among those
 * wanted (all[0..nall)), are in the subset already. */
static bool deps_done(const struct wanted *w, int n, const struct wanted *all,
		      int nall, const struct done *d, int nd)
{
	for (int k = 0; k < n; k++) {
		uint32_t bits, bitfield;
		const char *rec;
		int mtype;

		if (w[k].id < 0 ||
		    member_bits(w[k].btf, w[k].id, w[k].member, &bits, &mtype,
				&bitfield) ||
		    !(rec = record_name(&w[k], mtype)) || done_id(d, nd, rec) >= 0)
			continue;
		for (int i = 0; i < nall; i++)
			if (!strcmp(all[i].type, rec) && all[i].id >= 0)
				return false;
	}
	return true;
}

/* Every struct wanted, each after the structs its members are; were
 * there a cycle (C has none by value), the rest without them. */
static int add_structs(struct btf *out, int *ints, int voidp,
		       const struct wanted *w, int n)
{
	struct done *d = calloc(n, sizeof(*d));
	bool *added = calloc(n, sizeof(*added)), force = false, left = true;
	int nd = 0, err = d && added ? 0 : -ENOMEM;

	while (!err && left) {
		bool progress = false;

		left = false;
		for (int i = 0, j; !err && i < n; i = j) {
			for (j = i + 1; j < n && !strcmp(w[j].type, w[i].type); j++)
				;
			if (added[i])
				continue;
			if (!force && !deps_done(w + i, j - i, w, n, d, nd)) {
				left = true;
				continue;
			}
			err = add_struct(out, ints, voidp, w + i, j - i, d, nd);
			added[i] = progress = true;
			if (!err && w[i].id >= 0)
				d[nd++] = (struct done){ w[i].type,
							 btf__type_cnt(out) - 1 };
		}
		force = !progress;
	}
	free(d);
	free(added);
	return err;
}

/* The BTF built, in a memfd libbpf opens by path. */
static int write_subset(struct btf *out, struct kbtf_subset *s)
{
	uint32_t raw_size;
	const void *raw = btf__raw_data(out, &raw_size);

	s->fd = memfd_create("memtrace-btf", MFD_CLOEXEC);
	if (!raw || s->fd < 0 ||
	    write(s->fd, raw, raw_size) != (ssize_t)raw_size)
		return -errno;
	snprintf(s->path, sizeof(s->path), "/proc/self/fd/%d", s->fd);
	return 0;
}

int kbtf_subset(const struct kbtf *vmlinux, const struct kbtf *module,
		const char *const *members, int n, struct kbtf_subset *out_subset)
{
	struct wanted *w = calloc(n, sizeof(*w));
	struct btf *out = btf__new_empty();
	int ints[9] = { 0 }, voidp, err = -ENOMEM;

	out_subset->fd = -1;
	if (!w || !out)
		goto done;
	err = parse_wanted(members, n, w);
	if (!err)
		err = find_structs(vmlinux, module, w, n);
	if (err)
		goto done;
	voidp = btf__add_ptr(out, 0);
	err = voidp < 0 ? voidp : add_int_types(out, ints, w, n);
	if (!err)
		err = add_structs(out, ints, voidp, w, n);
	if (!err)
		err = write_subset(out, out_subset);
done:
	if (err > 0)	/* an id, where an error code was expected */
		err = -EINVAL;
	if (err)
		kbtf_subset_close(out_subset);
	btf__free(out);
	free(w);
	return err;
}

void kbtf_subset_close(struct kbtf_subset *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->path[0] = '\0';
}
