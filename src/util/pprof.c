// SPDX-License-Identifier: GPL-2.0
/*
 * pprof's profile.proto, written by hand: the field numbers are those of
 * the message definitions (Profile 1-14, ValueType, Sample, Label,
 * Mapping, Location, Line, Function). The gzip around it is zlib's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "util/pprof.h"
#include "util/protobuf.h"

/* An id by a 64-bit key, open addressing; ids start at 1 (0: empty). */
struct idmap {
	uint64_t *keys;
	uint32_t *ids;
	size_t cap, n;
};

struct vtype {
	int64_t type, unit;
};

struct func {
	int64_t name, file;
};

struct loc {
	uint64_t mapping, address, function;
	int64_t line;
};

struct map {
	uint64_t start, limit, offset;
	int64_t file, build_id;
	bool has_functions, has_lines;
};

struct sample {
	size_t first, nlocs;		/* in pprof.stack */
	int64_t values[PPROF_MAX_VALUES];
	int64_t key, str;
};

#define ARRAY(T) struct { T *v; size_t n, cap; }

struct pprof {
	ARRAY(char *) strs;
	uint32_t *str_slots;		/* index + 1, by hash */
	size_t str_cap;
	ARRAY(struct func) funcs;
	ARRAY(struct loc) locs;
	ARRAY(struct map) maps;
	ARRAY(struct sample) samples;
	ARRAY(uint64_t) stack;
	struct idmap func_ids, loc_ids;
	struct vtype types[PPROF_MAX_VALUES], period_type;
	size_t ntypes;
	int64_t default_type, period, time_ns, duration_ns;
	bool oom;
};

/* Room for one more element in an ARRAY: false when out of memory. */
#define GROW(p, a) grow((void **)&(a).v, &(a).cap, (a).n, sizeof(*(a).v), &(p)->oom)

static bool grow(void **v, size_t *cap, size_t n, size_t size, bool *oom)
{
	size_t ncap = *cap ? 2 * *cap : 64;
	void *nv;

	if (n < *cap)
		return true;
	if (*oom)
		return false;
	nv = realloc(*v, ncap * size);
	if (!nv) {
		*oom = true;
		return false;
	}
	*v = nv;
	*cap = ncap;
	return true;
}

static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static bool idmap_grow(struct idmap *m)
{
	size_t cap = m->cap ? 2 * m->cap : 256;
	uint64_t *keys = calloc(cap, sizeof(*keys));
	uint32_t *ids = calloc(cap, sizeof(*ids));

	if (!keys || !ids) {
		free(keys);
		free(ids);
		return false;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->ids[i])
			continue;
		for (j = mix(m->keys[i]) & (cap - 1); ids[j]; j = (j + 1) & (cap - 1))
			;
		keys[j] = m->keys[i];
		ids[j] = m->ids[i];
	}
	free(m->keys);
	free(m->ids);
	m->keys = keys;
	m->ids = ids;
	m->cap = cap;
	return true;
}

/* The id of key, or where it goes: *slot. */
static uint32_t idmap_find(const struct idmap *m, uint64_t key, size_t *slot)
{
	size_t j = mix(key) & (m->cap - 1);

	while (m->ids[j] && m->keys[j] != key)
		j = (j + 1) & (m->cap - 1);
	*slot = j;
	return m->ids[j];
}

static void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->ids);
}

static int64_t str_id(struct pprof *p, const char *s);

struct pprof *pprof_new(void)
{
	struct pprof *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	/* String 0 is "", as the format requires. */
	str_id(p, "");
	if (p->oom) {
		pprof_free(p);
		return NULL;
	}
	return p;
}

void pprof_free(struct pprof *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->strs.n; i++)
		free(p->strs.v[i]);
	free(p->strs.v);
	free(p->str_slots);
	free(p->funcs.v);
	free(p->locs.v);
	free(p->maps.v);
	free(p->samples.v);
	free(p->stack.v);
	idmap_free(&p->func_ids);
	idmap_free(&p->loc_ids);
	free(p);
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return h;
}

static bool strs_rehash(struct pprof *p)
{
	size_t cap = p->str_cap ? 2 * p->str_cap : 512;
	uint32_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return false;
	for (size_t i = 0; i < p->strs.n; i++) {
		size_t j = str_hash(p->strs.v[i]) & (cap - 1);

		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = i + 1;
	}
	free(p->str_slots);
	p->str_slots = slots;
	p->str_cap = cap;
	return true;
}

/* The index of s in the string table, added if new; 0 ("") for NULL. */
static int64_t str_id(struct pprof *p, const char *s)
{
	size_t j;
	char *copy;

	if (!s)
		s = "";
	if ((p->strs.n + 1) * 2 > p->str_cap && !strs_rehash(p)) {
		p->oom = true;
		return 0;
	}
	for (j = str_hash(s) & (p->str_cap - 1); p->str_slots[j];
	     j = (j + 1) & (p->str_cap - 1))
		if (!strcmp(p->strs.v[p->str_slots[j] - 1], s))
			return p->str_slots[j] - 1;
	copy = strdup(s);
	if (!copy || !GROW(p, p->strs)) {
		free(copy);
		p->oom = true;
		return 0;
	}
	p->strs.v[p->strs.n] = copy;
	p->str_slots[j] = ++p->strs.n;
	return p->strs.n - 1;
}

void pprof_sample_type(struct pprof *p, const char *type, const char *unit)
{
	if (p->ntypes < PPROF_MAX_VALUES)
		p->types[p->ntypes++] = (struct vtype){ str_id(p, type),
							str_id(p, unit) };
}

void pprof_default_sample_type(struct pprof *p, const char *type)
{
	p->default_type = str_id(p, type);
}

void pprof_period(struct pprof *p, const char *type, const char *unit,
		  int64_t period)
{
	p->period_type = (struct vtype){ str_id(p, type), str_id(p, unit) };
	p->period = period;
}

void pprof_time(struct pprof *p, int64_t time_ns, int64_t duration_ns)
{
	p->time_ns = time_ns;
	p->duration_ns = duration_ns;
}

uint64_t pprof_mapping(struct pprof *p, const struct pprof_mapping *m)
{
	int64_t file = str_id(p, m->file);

	for (size_t i = 0; i < p->maps.n; i++)
		if (p->maps.v[i].start == m->start && p->maps.v[i].file == file)
			return i + 1;
	if (!GROW(p, p->maps))
		return 0;
	p->maps.v[p->maps.n++] = (struct map){
		.start = m->start, .limit = m->limit, .offset = m->offset,
		.file = file, .build_id = str_id(p, m->build_id),
		.has_functions = m->has_functions, .has_lines = m->has_lines,
	};
	return p->maps.n;
}

/* An id from map for key, or a new one made by add(p) (its id). */
static uint64_t intern(struct pprof *p, struct idmap *map, uint64_t key,
		       uint64_t (*add)(struct pprof *p, const void *arg),
		       const void *arg)
{
	size_t slot;
	uint32_t id;

	if ((map->n + 1) * 2 > map->cap && !idmap_grow(map)) {
		p->oom = true;
		return 0;
	}
	id = idmap_find(map, key, &slot);
	if (id)
		return id;
	id = add(p, arg);
	if (id) {
		map->keys[slot] = key;
		map->ids[slot] = id;
		map->n++;
	}
	return id;
}

static uint64_t add_func(struct pprof *p, const void *arg)
{
	if (!GROW(p, p->funcs))
		return 0;
	p->funcs.v[p->funcs.n++] = *(const struct func *)arg;
	return p->funcs.n;
}

uint64_t pprof_function(struct pprof *p, const char *name, const char *file)
{
	struct func f = { str_id(p, name), str_id(p, file) };

	if (!name)
		return 0;
	return intern(p, &p->func_ids, (uint64_t)f.name << 32 | (uint32_t)f.file,
		      add_func, &f);
}

static uint64_t add_loc(struct pprof *p, const void *arg)
{
	if (!GROW(p, p->locs))
		return 0;
	p->locs.v[p->locs.n++] = *(const struct loc *)arg;
	return p->locs.n;
}

uint64_t pprof_location(struct pprof *p, uint64_t mapping, uint64_t address,
			uint64_t function, int64_t line)
{
	struct loc l = { mapping, address, function, line };

	return intern(p, &p->loc_ids, address, add_loc, &l);
}

int pprof_sample(struct pprof *p, const uint64_t *locs, size_t nlocs,
		 const int64_t *values, const char *key, const char *value)
{
	struct sample *s;

	for (size_t i = 0; i < nlocs; i++) {
		if (!GROW(p, p->stack))
			return -ENOMEM;
		p->stack.v[p->stack.n++] = locs[i];
	}
	if (!GROW(p, p->samples))
		return -ENOMEM;
	s = &p->samples.v[p->samples.n++];
	*s = (struct sample){ .first = p->stack.n - nlocs, .nlocs = nlocs };
	memcpy(s->values, values, p->ntypes * sizeof(*values));
	if (key) {
		s->key = str_id(p, key);
		s->str = str_id(p, value);
	}
	return p->oom ? -ENOMEM : 0;
}

/* ---- Encoding ---- */

/* A nested message: encoded into tmp, then added to out as field. */
static void nested(struct pb *out, uint32_t field, struct pb *tmp)
{
	if (tmp->oom)
		out->oom = true;
	pb_bytes(out, field, tmp->buf, tmp->len);
	pb_reset(tmp);
}

static void value_type(struct pb *out, uint32_t field, const struct vtype *t,
		       struct pb *tmp)
{
	pb_uint_nz(tmp, 1, t->type);
	pb_uint_nz(tmp, 2, t->unit);
	nested(out, field, tmp);
}

static void encode_samples(const struct pprof *p, struct pb *out,
			   struct pb *tmp, struct pb *lab)
{
	uint64_t vals[PPROF_MAX_VALUES];

	for (size_t i = 0; i < p->samples.n; i++) {
		const struct sample *s = &p->samples.v[i];

		pb_packed(tmp, 1, p->stack.v + s->first, s->nlocs);
		for (size_t k = 0; k < p->ntypes; k++)
			vals[k] = (uint64_t)s->values[k];
		pb_packed(tmp, 2, vals, p->ntypes);
		if (s->key) {
			pb_uint(lab, 1, s->key);
			pb_uint(lab, 2, s->str);
			nested(tmp, 3, lab);
		}
		nested(out, 2, tmp);
	}
}

static void encode_tables(const struct pprof *p, struct pb *out,
			  struct pb *tmp, struct pb *line)
{
	for (size_t i = 0; i < p->maps.n; i++) {
		const struct map *m = &p->maps.v[i];

		pb_uint(tmp, 1, i + 1);
		pb_uint_nz(tmp, 2, m->start);
		pb_uint_nz(tmp, 3, m->limit);
		pb_uint_nz(tmp, 4, m->offset);
		pb_uint_nz(tmp, 5, m->file);
		pb_uint_nz(tmp, 6, m->build_id);
		pb_uint_nz(tmp, 7, m->has_functions);
		pb_uint_nz(tmp, 8, m->has_lines);
		pb_uint_nz(tmp, 9, m->has_lines);
		nested(out, 3, tmp);
	}
	for (size_t i = 0; i < p->locs.n; i++) {
		const struct loc *l = &p->locs.v[i];

		pb_uint(tmp, 1, i + 1);
		pb_uint_nz(tmp, 2, l->mapping);
		pb_uint_nz(tmp, 3, l->address);
		if (l->function) {
			pb_uint(line, 1, l->function);
			pb_uint_nz(line, 2, (uint64_t)l->line);
			nested(tmp, 4, line);
		}
		nested(out, 4, tmp);
	}
	for (size_t i = 0; i < p->funcs.n; i++) {
		pb_uint(tmp, 1, i + 1);
		pb_uint_nz(tmp, 2, p->funcs.v[i].name);
		pb_uint_nz(tmp, 3, p->funcs.v[i].name);
		pb_uint_nz(tmp, 4, p->funcs.v[i].file);
		nested(out, 5, tmp);
	}
	for (size_t i = 0; i < p->strs.n; i++)
		pb_bytes(out, 6, p->strs.v[i], strlen(p->strs.v[i]));
}

static void encode(const struct pprof *p, struct pb *out)
{
	struct pb tmp = {}, sub = {};

	for (size_t i = 0; i < p->ntypes; i++)
		value_type(out, 1, &p->types[i], &tmp);
	encode_samples(p, out, &tmp, &sub);
	encode_tables(p, out, &tmp, &sub);
	pb_uint_nz(out, 9, (uint64_t)p->time_ns);
	pb_uint_nz(out, 10, (uint64_t)p->duration_ns);
	if (p->period_type.type)
		value_type(out, 11, &p->period_type, &tmp);
	pb_uint_nz(out, 12, (uint64_t)p->period);
	pb_uint_nz(out, 14, p->default_type);
	if (tmp.oom || sub.oom)
		out->oom = true;
	pb_free(&tmp);
	pb_free(&sub);
}

/* gzip (RFC 1952) through zlib: windowBits 15 + 16 asks for its header. */
static int gzip(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	z_stream zs = {};
	uLong bound;
	int err;

	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	bound = deflateBound(&zs, len) + 32;
	*out = malloc(bound);
	if (!*out) {
		deflateEnd(&zs);
		return -ENOMEM;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = len;
	zs.next_out = *out;
	zs.avail_out = bound;
	err = deflate(&zs, Z_FINISH);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	if (err != Z_STREAM_END) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

int pprof_encode(struct pprof *p, uint8_t **out, size_t *len)
{
	struct pb raw = {};
	int err = -ENOMEM;

	*out = NULL;
	*len = 0;
	if (p->oom)
		return -ENOMEM;
	encode(p, &raw);
	if (!raw.oom)
		err = gzip(raw.buf, raw.len, out, len);
	pb_free(&raw);
	return err;
}
