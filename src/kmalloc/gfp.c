// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <bpf/btf.h>
#include "kmalloc/gfp.h"

#define MAX_FLAGS 64

struct flag {
	const char *name;
	uint64_t mask;
};

/*
 * The names gfp_str() prints (but for flags that only a kernel's BTF
 * names), in one list that completion offers too. First the composites,
 * in the order of __def_gfpflag_names (their masks are in build_table(),
 * in the same order); then the single flags in the order
 * include/trace/events/mmflags.h prints them (6.14+; older kernels list
 * the same flags in another order, so only runs of single flags come out
 * differently). ATOMIC existed until 6.2.
 */
#define NR_COMPOSITES 14	/* the first names */
#define PREFIX_LEN 6		/* of the others: "__GFP_" */

const char *const gfp_names[] = {
	"GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT", "GFP_HIGHUSER_MOVABLE",
	"GFP_HIGHUSER", "GFP_USER", "GFP_KERNEL_ACCOUNT", "GFP_KERNEL",
	"GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO", "GFP_NOWAIT", "GFP_DMA",
	"GFP_DMA32", "__GFP_RECLAIM",
	"__GFP_DMA", "__GFP_HIGHMEM", "__GFP_DMA32", "__GFP_MOVABLE",
	"__GFP_RECLAIMABLE", "__GFP_HIGH", "__GFP_ATOMIC", "__GFP_IO",
	"__GFP_FS", "__GFP_ZERO", "__GFP_DIRECT_RECLAIM",
	"__GFP_KSWAPD_RECLAIM", "__GFP_WRITE", "__GFP_NOWARN",
	"__GFP_RETRY_MAYFAIL", "__GFP_NOFAIL", "__GFP_NORETRY",
	"__GFP_MEMALLOC", "__GFP_COMP", "__GFP_NOMEMALLOC", "__GFP_HARDWALL",
	"__GFP_THISNODE", "__GFP_ACCOUNT", "__GFP_ZEROTAGS",
	"__GFP_SKIP_ZERO", "__GFP_SKIP_KASAN", "__GFP_NOLOCKDEP",
	"__GFP_NO_OBJ_EXT",
	NULL,
};

/* Bits 0-22 before 6.10, where gfp.h/gfp_types.h #define them. */
static const char *const low_bits[] = {
	"DMA", "HIGHMEM", "DMA32", "MOVABLE", "RECLAIMABLE", "HIGH", "IO",
	"FS", "ZERO", "ATOMIC", "DIRECT_RECLAIM", "KSWAPD_RECLAIM", "WRITE",
	"NOWARN", "RETRY_MAYFAIL", "NOFAIL", "NORETRY", "MEMALLOC", "COMP",
	"NOMEMALLOC", "HARDWALL", "THISNODE", "ACCOUNT",
};

static struct flag singles[MAX_FLAGS];	/* bit -> name, this kernel's */
static char single_names[MAX_FLAGS][40];
static struct flag table[MAX_FLAGS * 2];	/* composites, then singles */
static size_t table_len;
static int kernel_version;		/* major * 1000 + minor */

static uint64_t bit(const char *name)
{
	for (int b = 0; b < MAX_FLAGS; b++)
		if (singles[b].name && !strcmp(singles[b].name, name))
			return singles[b].mask;
	return 0;
}

static void add(const char *name, uint64_t mask)
{
	if (mask && table_len < sizeof(table) / sizeof(table[0]))
		table[table_len++] = (struct flag){ name, mask };
}

static void set_single(int b, const char *name)
{
	if (b < 0 || b >= MAX_FLAGS)
		return;
	snprintf(single_names[b], sizeof(single_names[b]), "%s", name);
	singles[b] = (struct flag){ single_names[b], 1ULL << b };
}

/* 6.10+ ("mm: enumerate all gfp flags"): an anonymous enum holds
 * ___GFP_<NAME>_BIT for each flag this kernel's config has. */
static int bits_from_btf(const struct btf *btf)
{
	int found = 0;
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++, e++) {
			const char *s = btf__name_by_offset(btf, e->name_off);
			size_t len = s ? strlen(s) : 0;
			char name[40];

			if (len < 12 || strncmp(s, "___GFP_", 7) ||
			    strcmp(s + len - 4, "_BIT") || len - 11 >= sizeof(name))
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)(len - 11),
				 s + 7);
			if (!strcmp(name, "LAST") || !strcmp(name, "UNUSED"))
				continue;
			set_single(e->val, name);
			found++;
		}
	}
	return found;
}

static void bits_from_version(void)
{
	for (int b = 0; b < (int)(sizeof(low_bits) / sizeof(low_bits[0])); b++)
		if (b != 9 || kernel_version < 6003)
			set_single(b, low_bits[b]);
	/* 0x800000 is __GFP_ZEROTAGS from 5.14 (before: NOLOCKDEP, with
	 * CONFIG_LOCKDEP only); higher bits depend on Kconfig: left as hex. */
	if (kernel_version >= 5014)
		set_single(23, "ZEROTAGS");
}

static void build_table(void)
{
	uint64_t reclaim = bit("DIRECT_RECLAIM") | bit("KSWAPD_RECLAIM");
	uint64_t user = reclaim | bit("IO") | bit("FS") | bit("HARDWALL");
	uint64_t highuser = user | bit("HIGHMEM");
	uint64_t movable = highuser | bit("MOVABLE") | bit("SKIP_KASAN");
	uint64_t light = (movable | bit("COMP") | bit("NOMEMALLOC") |
			  bit("NOWARN")) & ~reclaim;
	uint64_t kernel = reclaim | bit("IO") | bit("FS");
	/* GFP_NOWAIT gained __GFP_NOWARN in 6.18 (checked: without on 6.1,
	 * with on 6.18; the exact release in between is not pinned down). */
	uint64_t nowait = bit("KSWAPD_RECLAIM") |
			  (kernel_version >= 6018 ? bit("NOWARN") : 0);
	const uint64_t composites[NR_COMPOSITES] = {
		light | bit("DIRECT_RECLAIM"),	/* GFP_TRANSHUGE */
		light,				/* GFP_TRANSHUGE_LIGHT */
		movable,			/* GFP_HIGHUSER_MOVABLE */
		highuser,			/* GFP_HIGHUSER */
		user,				/* GFP_USER */
		kernel | bit("ACCOUNT"),	/* GFP_KERNEL_ACCOUNT */
		kernel,				/* GFP_KERNEL */
		reclaim | bit("IO"),		/* GFP_NOFS */
		/* GFP_ATOMIC: __GFP_ATOMIC is part of it up to 6.2 (0
		 * where absent). */
		bit("HIGH") | bit("ATOMIC") | bit("KSWAPD_RECLAIM"),
		reclaim,			/* GFP_NOIO */
		nowait,				/* GFP_NOWAIT */
		bit("DMA"),			/* GFP_DMA */
		bit("DMA32"),			/* GFP_DMA32 */
		reclaim,			/* __GFP_RECLAIM */
	};
	static char prefixed[MAX_FLAGS][48];
	bool done[MAX_FLAGS] = {};

	table_len = 0;
	for (size_t i = 0; i < NR_COMPOSITES; i++)
		add(gfp_names[i], composites[i]);
	/* Then every single flag: known ones in order, unknown ones after. */
	for (size_t i = NR_COMPOSITES; gfp_names[i]; i++) {
		for (int b = 0; b < MAX_FLAGS; b++) {
			if (!singles[b].name ||
			    strcmp(singles[b].name, gfp_names[i] + PREFIX_LEN))
				continue;
			add(gfp_names[i], singles[b].mask);
			done[b] = true;
		}
	}
	for (int b = 0; b < MAX_FLAGS; b++) {
		if (!singles[b].name || done[b])
			continue;
		snprintf(prefixed[b], sizeof(prefixed[b]), "__GFP_%s",
			 singles[b].name);
		add(prefixed[b], singles[b].mask);
	}
}

int gfp_init(const struct btf *btf, const char *release)
{
	int major = 0, minor = 0;

	memset(singles, 0, sizeof(singles));
	if (release && sscanf(release, "%d.%d", &major, &minor) == 2)
		kernel_version = major * 1000 + minor;
	else
		kernel_version = 0;
	if (!btf || !bits_from_btf(btf))
		bits_from_version();
	build_table();
	return 0;
}

char *gfp_str(uint64_t flags, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!flags) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (size_t i = 0; i < table_len && flags; i++) {
		if ((flags & table[i].mask) != table[i].mask)
			continue;
		flags &= ~table[i].mask;
		n = snprintf(buf + used, len - used, "%s%s", used ? "|" : "",
			     table[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return buf;
		used += n;
	}
	if (flags)
		snprintf(buf + used, len - used, "%s0x%llx", used ? "|" : "",
			 (unsigned long long)flags);
	return buf;
}

int gfp_parse(const char *name, uint64_t *mask)
{
	static const char *const prefixes[] = { "", "__GFP_", "GFP_" };
	char *end, full[64];

	if (name[0] >= '0' && name[0] <= '9') {
		uint64_t known = 0;

		for (int b = 0; b < MAX_FLAGS; b++)
			if (singles[b].name)
				known |= singles[b].mask;
		errno = 0;
		*mask = strtoull(name, &end, 0);
		/* 0 asks for no flag, and a bit this kernel has no flag for
		 * would match nothing: neither filters. */
		return *end || !*mask || (*mask & ~known) || errno == ERANGE ? -1 : 0;
	}
	for (size_t p = 0; p < 3; p++) {
		snprintf(full, sizeof(full), "%s%s", prefixes[p], name);
		for (size_t i = 0; i < table_len; i++) {
			if (!strcasecmp(table[i].name, full)) {
				*mask = table[i].mask;
				return 0;
			}
		}
	}
	return -1;
}
