// SPDX-License-Identifier: GPL-2.0
/* The API (usyms.h), and the per-address cache behind usyms_resolve. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "usyms/internal.h"
#include "util/path.h"

/* ---- the per-address cache ---- */

#define CACHE_MIN	1024
#define CACHE_MAX	(1 << 17)

struct centry {
	uint64_t addr;
	uint64_t batch;		/* when rc < 0: valid in that batch only */
	struct usym s;
	int rc;
	bool used;
};

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

int usyms_mapping(struct usyms *u, uint64_t addr, struct usym_mapping *m)
{
	struct map *mp = u ? find_map(u, addr) : NULL;

	memset(m, 0, sizeof(*m));
	if (!mp)
		return -ENOENT;
	if (!mp->mod->state)
		load_mapped(u, mp->mod);
	*m = (struct usym_mapping){
		.start = mp->start, .end = mp->end, .offset = mp->offset,
		.path = mp->mod->path,
		.build_id = mp->mod->build_id[0] ? mp->mod->build_id : NULL,
	};
	return 0;
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
		out(&o, " [%s]", path_base(s->module));
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
		index_cus(m);
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
