// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/grow.h"
#include "util/ksyms.h"

#define MAX_DISTANCE (1 << 20)

struct ksym {
	uint64_t addr;
	uint32_t name;		/* offsets into ks->pool */
	uint32_t module;	/* 0: the kernel itself */
};

struct ksyms {
	struct ksym *syms;
	size_t n, syms_size;	/* syms_size: bytes */
	char *pool;
	size_t pool_len, pool_cap;
	bool hidden;
};

static int pool_add(struct ksyms *ks, const char *s, size_t len,
		    uint32_t *off)
{
	bool oom = false;

	/* Offsets are 32 bits: /proc/kallsyms has some 10 MB of names. */
	if (ks->pool_len + len + 1 > UINT32_MAX)
		return -ENOMEM;
	ks->pool = grow(ks->pool, &ks->pool_cap, ks->pool_len + len + 1,
			1 << 20, &oom);
	if (oom)
		return -ENOMEM;
	memcpy(ks->pool + ks->pool_len, s, len);
	ks->pool[ks->pool_len + len] = '\0';
	*off = ks->pool_len;
	ks->pool_len += len + 1;
	return 0;
}

/* By address; symbols at one address in /proc/kallsyms's order (names go
 * into the pool in that order), which qsort() alone need not keep (musl's
 * does not): ksyms_find() takes the last of them. */
static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* "ffffffff81000000 T _stext" or "... t name\t[module]"; text symbols only
 * (t T w W): data symbols would claim addresses between functions. */
static int add_line(struct ksyms *ks, char *line, uint32_t *last_module)
{
	char *end, *name, *mod;
	const char *prev;
	uint64_t addr;
	struct ksym *s;
	size_t len, mlen;
	bool oom = false;

	if (!isxdigit((unsigned char)line[0]))
		return 0;
	addr = strtoull(line, &end, 16);
	if (end[0] != ' ' || !end[1] || !strchr("tTwW", end[1]) || end[2] != ' ')
		return 0;
	name = end + 3;
	len = strcspn(name, "\t\n");
	if (!len)
		return 0;
	mod = name[len] == '\t' ? name + len + 1 : NULL;
	ks->syms = grow(ks->syms, &ks->syms_size, (ks->n + 1) * sizeof(*s),
			65536 * sizeof(*s), &oom);
	if (oom)
		return -ENOMEM;
	s = &ks->syms[ks->n];
	s->addr = addr;
	s->module = 0;
	if (pool_add(ks, name, len, &s->name))
		return -ENOMEM;
	if (mod) {
		mod += *mod == '[';
		mlen = strcspn(mod, "]\n");
		/* Symbols of one module come together: share its name. */
		prev = *last_module ? ks->pool + *last_module : NULL;
		if (prev && strlen(prev) == mlen && !strncmp(prev, mod, mlen)) {
			s->module = *last_module;
		} else {
			if (pool_add(ks, mod, mlen, &s->module))
				return -ENOMEM;
			*last_module = s->module;
		}
	}
	if (addr)
		ks->hidden = false;
	ks->n++;
	return 0;
}

struct ksyms *ksyms_load(const char *path)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));
	uint32_t last_module = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int err = 0;

	if (!ks)
		return NULL;
	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f) {
		err = errno;
		free(ks);
		errno = err;
		return NULL;
	}
	ks->hidden = true;
	/* getline: Rust symbol names (6.1+) make lines of over 512 bytes. */
	errno = 0;
	while (!err && getline(&line, &cap, f) >= 0)
		err = add_line(ks, line, &last_module);
	if (!err && ferror(f))
		err = -(errno ? errno : EIO);
	free(line);
	fclose(f);
	if (err) {
		ksyms_free(ks);
		errno = -err;
		return NULL;
	}
	if (ks->n)
		qsort(ks->syms, ks->n, sizeof(*ks->syms), cmp_addr);
	return ks;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->pool);
	free(ks);
}

bool ksyms_hidden(const struct ksyms *ks)
{
	return ks->hidden;
}

const char *ksyms_find(const struct ksyms *ks, uint64_t addr,
		       uint64_t *offset, const char **module)
{
	size_t lo = 0, hi = ks->n;
	const struct ksym *s;

	if (ks->hidden || !ks->n || addr < ks->syms[0].addr)
		return NULL;
	/* The last symbol at or below addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	s = &ks->syms[lo];
	if (addr - s->addr >= MAX_DISTANCE)
		return NULL;
	*offset = addr - s->addr;
	*module = s->module ? ks->pool + s->module : NULL;
	return ks->pool + s->name;
}

char *ksyms_format(const struct ksyms *ks, uint64_t addr, char *buf,
		   size_t len)
{
	const char *name, *module;
	uint64_t off;

	name = ks ? ksyms_find(ks, addr, &off, &module) : NULL;
	if (!name)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (module)
		snprintf(buf, len, "%s+0x%llx [%s]", name,
			 (unsigned long long)off, module);
	else
		snprintf(buf, len, "%s+0x%llx", name, (unsigned long long)off);
	return buf;
}
