// SPDX-License-Identifier: GPL-2.0
/* leak's snapshot as a pprof heap profile (see leak/profile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/log.h"
#include "core/loop.h"
#include "leak/frames.h"
#include "leak/profile.h"
#include "leak/snapshot.h"
#include "usyms/usyms.h"
#include "util/ksyms.h"
#include "util/outfile.h"
#include "util/pprof.h"

/* Go's heap profile: its sample types, in its order. */
enum { ALLOC_OBJECTS, ALLOC_SPACE, INUSE_OBJECTS, INUSE_SPACE, NR_VALUES };

/* One sample: a stack, a kind of memory, and its four values. */
struct entry {
	uint64_t stack;
	const char *kind;		/* leak_memory_label()'s */
	int64_t v[NR_VALUES];
};

struct builder {
	const struct leak_profile_src *src;
	struct pprof *p;
	uint64_t *frames;
	uint64_t kernel_map;		/* its id, once made */
	char kernel_build_id[2 * 64 + 1];
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

/* The snapshot's items and the totals, one entry per stack and kind. */
static struct entry *entries(const struct leak_snapshot *s,
			     const struct leak_total *t, size_t nt, size_t *n)
{
	struct entry *e = calloc(s->nr_items + nt + 1, sizeof(*e));
	size_t m = 0;

	if (!e)
		return NULL;
	for (size_t i = 0; i < s->nr_items; i++) {
		const struct leak_item *it = &s->items[i];

		e[m++] = (struct entry){
			.stack = it->stack,
			.kind = leak_memory_label(it->cls, it->kind),
			.v = { [INUSE_OBJECTS] = it->count, [INUSE_SPACE] = it->size },
		};
	}
	for (size_t i = 0; i < nt; i++)
		e[m++] = (struct entry){
			.stack = t[i].stack,
			.kind = leak_memory_label(t[i].cls, t[i].kind),
			.v = { [ALLOC_OBJECTS] = t[i].count,
			       [ALLOC_SPACE] = t[i].bytes },
		};
	qsort(e, m, sizeof(*e), cmp_entry);
	*n = 0;
	for (size_t i = 0; i < m; i++) {
		if (*n && !cmp_entry(&e[*n - 1], &e[i])) {
			for (int k = 0; k < NR_VALUES; k++)
				e[*n - 1].v[k] += e[i].v[k];
			continue;
		}
		e[(*n)++] = e[i];
	}
	return e;
}

/* The kernel's own build ID, from the ELF notes it exports. */
static void kernel_build_id(char *hex, size_t len)
{
	unsigned char buf[4096];
	ssize_t n;
	size_t off = 0;
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);

	hex[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	while (n > 0 && off + 12 <= (size_t)n) {
		uint32_t namesz, descsz, type;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		size_t name_off = off + 12, desc_off = name_off + ((namesz + 3) & ~3u);

		if (desc_off + descsz > (size_t)n)
			return;
		/* NT_GNU_BUILD_ID (3) of owner "GNU" */
		if (type == 3 && namesz == 4 && !memcmp(buf + name_off, "GNU", 4)) {
			for (uint32_t i = 0; i < descsz && 2 * i + 2 < len; i++)
				snprintf(hex + 2 * i, 3, "%02x", buf[desc_off + i]);
			return;
		}
		off = desc_off + ((descsz + 3) & ~3u);
	}
}

static uint64_t kernel_location(struct builder *b, uint64_t addr)
{
	const char *name, *mod;
	uint64_t off, fn = 0;

	if (!b->kernel_map) {
		kernel_build_id(b->kernel_build_id, sizeof(b->kernel_build_id));
		b->kernel_map = pprof_mapping(b->p, &(struct pprof_mapping){
			.start = 0xffff800000000000ULL, .limit = ~0ULL,
			.file = "[kernel]",
			.build_id = b->kernel_build_id[0] ? b->kernel_build_id : NULL,
			.has_functions = b->src->ksyms != NULL });
	}
	name = b->src->ksyms ? ksyms_find(b->src->ksyms, addr, &off, &mod) : NULL;
	if (name)
		fn = pprof_function(b->p, name, mod);
	return pprof_location(b->p, b->kernel_map, addr, fn, 0);
}

/* A user frame: a return address, whose line is the call's (addr - 1). */
static uint64_t user_location(struct builder *b, uint64_t addr)
{
	struct usym_mapping um;
	struct usym sym;
	uint64_t map = 0, fn = 0;

	if (!usyms_mapping(b->src->usyms, addr, &um))
		map = pprof_mapping(b->p, &(struct pprof_mapping){
			.start = um.start, .limit = um.end, .offset = um.offset,
			.file = um.path, .build_id = um.build_id,
			.has_functions = true, .has_lines = true });
	if (!usyms_resolve(b->src->usyms, addr - 1, &sym) && sym.func)
		fn = pprof_function(b->p, sym.func, sym.file);
	return pprof_location(b->p, map, addr, fn, sym.func ? sym.line : 0);
}

static int add_sample(struct builder *b, const struct entry *e)
{
	struct leak_group g = { .stack = e->stack };
	const struct leak_profile_src *src = b->src;
	int n = leak_frames_read(src->col, src->ksyms, src->kernel, &g, b->frames);
	uint64_t *locs = b->frames;

	/* The allocations are counted; their stack was not kept. */
	if (!n) {
		locs[0] = pprof_location(b->p, 0, 0,
					 pprof_function(b->p, "[stack not kept]", NULL), 0);
		n = 1;
	} else {
		/* In place: frame i is read before location i is written. */
		for (int i = 0; i < n; i++)
			locs[i] = src->kernel ? kernel_location(b, b->frames[i]) :
						user_location(b, b->frames[i]);
	}
	return pprof_sample(b->p, locs, n, e->v, "kind", e->kind);
}

static void describe(struct pprof *p, const struct leak_profile_src *src)
{
	struct timespec now;
	uint64_t mono = mono_ns();

	pprof_sample_type(p, "alloc_objects", "count");
	pprof_sample_type(p, "alloc_space", "bytes");
	pprof_sample_type(p, "inuse_objects", "count");
	pprof_sample_type(p, "inuse_space", "bytes");
	pprof_default_sample_type(p, "inuse_space");
	pprof_period(p, "space", "bytes", src->sample_rate ? src->sample_rate : 1);
	clock_gettime(CLOCK_REALTIME, &now);
	pprof_time(p, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec,
		   mono > src->start_ns ? mono - src->start_ns : 0);
}

static int build(struct builder *b, const struct entry *e, size_t n,
		 uint8_t **out, size_t *len)
{
	int err = 0;

	describe(b->p, b->src);
	if (!b->src->kernel)
		usyms_begin(b->src->usyms);
	for (size_t i = 0; !err && i < n; i++)
		err = add_sample(b, &e[i]);
	return err ? err : pprof_encode(b->p, out, len);
}

int leak_profile_build(const struct leak_profile_src *src, uint8_t **out,
		       size_t *len)
{
	struct builder b = { .src = src };
	struct leak_snapshot s;
	struct leak_total *t = NULL;
	struct entry *e = NULL;
	size_t nt = 0, n = 0;
	int err;

	*out = NULL;
	err = leak_snapshot_take(src->col, 0, &s);
	if (!err)
		err = leak_totals_read(src->col, &t, &nt);
	if (!err && !(e = entries(&s, t, nt, &n)))
		err = -ENOMEM;
	b.p = pprof_new();
	b.frames = calloc(src->stack_depth + 1, sizeof(*b.frames));
	if (!err && (!b.p || !b.frames))
		err = -ENOMEM;
	if (!err)
		err = build(&b, e, n, out, len);
	free(b.frames);
	pprof_free(b.p);
	free(e);
	free(t);
	leak_snapshot_free(&s);
	return err;
}

int leak_profile_write(const struct leak_profile_src *src, const char *path)
{
	uint8_t *buf;
	size_t len;
	int err = leak_profile_build(src, &buf, &len);

	if (err) {
		log_err("cannot make the profile: %s", strerror(-err));
		return -1;
	}
	err = file_replace(path, buf, len);
	free(buf);
	if (err) {
		log_err("cannot write %s: %s", path, strerror(-err));
		return -1;
	}
	return 0;
}
