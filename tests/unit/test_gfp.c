// SPDX-License-Identifier: GPL-2.0
// Tests for src/kmalloc/gfp.c: GFP bits by kernel version and BTF, rendering as show_gfp_flags() does, and parsing names.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "kmalloc/gfp.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

struct render {
	uint64_t flags;
	const char *want;
};

struct bit {
	const char *name;	/* ___GFP_<name>_BIT */
	int val;
};

/* The context the current gfp_init() was made with, for test names. */
static const char *ctx = "";

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

static void check_str(uint64_t flags, const char *want)
{
	char buf[512];

	memset(buf, 'x', sizeof(buf));
	if (!ok(gfp_str(flags, buf, sizeof(buf)) == buf && !strcmp(buf, want),
		"%s: gfp_str(0x%llx) = \"%s\"", ctx,
		(unsigned long long)flags, want))
		printf("#   got \"%.*s\"\n", (int)sizeof(buf) - 1, buf);
}

static void check_table(const struct render *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_str(cases[i].flags, cases[i].want);
}

static void check_parse(const char *name, int64_t want)
{
	uint64_t mask = 0xdeadbeef;
	int ret = gfp_parse(name, &mask);

	if (want < 0) {
		ok(ret == -1, "%s: gfp_parse(\"%s\") fails (ret %d)", ctx,
		   name, ret);
		return;
	}
	if (!ok(ret == 0 && mask == (uint64_t)want,
		"%s: gfp_parse(\"%s\") = 0x%llx", ctx, name,
		(unsigned long long)want))
		printf("#   got ret %d mask 0x%llx\n", ret,
		       (unsigned long long)mask);
}

static void init(const struct btf *btf, const char *release, const char *name)
{
	ctx = name;
	ok(gfp_init(btf, release) == 0, "%s: gfp_init(%s, \"%s\") = 0", name,
	   btf ? "btf" : "NULL", release);
}

/* 1a: the stable low bits, from the version alone (6.3 - 6.17 layout). */
static void test_version_6_5(void)
{
	static const struct render cases[] = {
		{ 0, "none" },
		{ 0xcc0, "GFP_KERNEL" },
		{ 0xdc0, "GFP_KERNEL|__GFP_ZERO" },
		{ 0x400cc0, "GFP_KERNEL_ACCOUNT" },
		{ 0x820, "GFP_ATOMIC" },
		{ 0x100cc0, "GFP_USER" },
		{ 0x100cc2, "GFP_HIGHUSER" },
		{ 0x100cca, "GFP_HIGHUSER_MOVABLE" },
		{ 0x140cca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP" },
		{ 0x1c20ca, "GFP_TRANSHUGE_LIGHT" },
		{ 0x1c24ca, "GFP_TRANSHUGE" },
		{ 0xc00, "GFP_NOIO" },
		{ 0xc40, "GFP_NOFS" },
		{ 0x800, "GFP_NOWAIT" },	/* before 6.18: KSWAPD_RECLAIM only */
		{ 0x2800, "GFP_NOWAIT|__GFP_NOWARN" },
		{ 0x1, "GFP_DMA" },
		{ 0x4, "GFP_DMA32" },
		{ 0x400, "__GFP_DIRECT_RECLAIM" },
		{ 0x80000000, "0x80000000" },
		{ 0x80000cc0, "GFP_KERNEL|0x80000000" },
		{ 0xffffffff00000000ULL, "0xffffffff00000000" },
		{ 0x800000, "__GFP_ZEROTAGS" },
		{ 0x200, "0x200" },		/* bit 9 unused from 6.3 */
		{ 0xa20, "GFP_ATOMIC|0x200" },
		{ 0x1000000, "0x1000000" },	/* Kconfig-dependent: hex */
		{ 0x4000000, "0x4000000" },
	};
	static const char *const names[23] = {
		"GFP_DMA", "__GFP_HIGHMEM", "GFP_DMA32", "__GFP_MOVABLE",
		"__GFP_RECLAIMABLE", "__GFP_HIGH", "__GFP_IO", "__GFP_FS",
		"__GFP_ZERO", NULL, "__GFP_DIRECT_RECLAIM", "GFP_NOWAIT",
		"__GFP_WRITE", "__GFP_NOWARN", "__GFP_RETRY_MAYFAIL",
		"__GFP_NOFAIL", "__GFP_NORETRY", "__GFP_MEMALLOC", "__GFP_COMP",
		"__GFP_NOMEMALLOC", "__GFP_HARDWALL", "__GFP_THISNODE",
		"__GFP_ACCOUNT",
	};

	init(NULL, "6.5.0", "6.5 without BTF");
	check_table(cases, ARRAY_SIZE(cases));
	/* Every low bit alone: its own name (or the one-bit composite). */
	for (int b = 0; b < 23; b++)
		if (names[b])
			check_str(1ULL << b, names[b]);
}

/* 1a: what depends on the version: ZEROTAGS from 5.14, ATOMIC up to 6.2. */
static void test_versions(void)
{
	init(NULL, "5.14.0", "5.14 without BTF");
	check_str(0x800000, "__GFP_ZEROTAGS");
	init(NULL, "6.5", "6.5 without BTF");
	check_str(0x800000, "__GFP_ZEROTAGS");
	init(NULL, "5.10", "5.10 without BTF");
	check_str(0x800000, "0x800000");
	check_str(0xcc0, "GFP_KERNEL");

	init(NULL, "6.2.16", "6.2 without BTF");
	check_str(0x200, "__GFP_ATOMIC");
	check_str(0xa20, "GFP_ATOMIC");
	check_str(0xa20 | 0x100, "GFP_ATOMIC|__GFP_ZERO");
	check_str(0x820, "GFP_NOWAIT|__GFP_HIGH");
	check_str(0xcc0, "GFP_KERNEL");

	/* Re-initialising forgets bit 9. */
	init(NULL, "6.3.0", "6.3 without BTF");
	check_str(0x200, "0x200");
	check_str(0x820, "GFP_ATOMIC");
	check_str(0xa20, "GFP_ATOMIC|0x200");
}

/* 1b: 6.18 added __GFP_NOWARN to GFP_NOWAIT. */
static void test_version_6_18(void)
{
	static const struct render cases[] = {
		{ 0x2800, "GFP_NOWAIT" },
		{ 0x800, "__GFP_KSWAPD_RECLAIM" },
		{ 0x2900, "GFP_NOWAIT|__GFP_ZERO" },
		{ 0x2820, "GFP_ATOMIC|__GFP_NOWARN" },
		{ 0xcc0, "GFP_KERNEL" },
		{ 0x1c20ca, "GFP_TRANSHUGE_LIGHT" },
	};

	init(NULL, "6.18.0", "6.18 without BTF");
	check_table(cases, ARRAY_SIZE(cases));
}

/*
 * A BTF with the anonymous enum of 6.10+: bits 0-22 (9 unused), then tail,
 * then ___GFP_LAST_BIT. Unrelated enums around it, as in vmlinux.
 */
static struct btf *make_btf(const struct bit *tail, size_t ntail, int last)
{
	static const char *const low[23] = {
		"DMA", "HIGHMEM", "DMA32", "MOVABLE", "RECLAIMABLE", "HIGH",
		"IO", "FS", "ZERO", "UNUSED", "DIRECT_RECLAIM",
		"KSWAPD_RECLAIM", "WRITE", "NOWARN", "RETRY_MAYFAIL", "NOFAIL",
		"NORETRY", "MEMALLOC", "COMP", "NOMEMALLOC", "HARDWALL",
		"THISNODE", "ACCOUNT",
	};
	struct btf *btf = btf__new_empty();
	char name[64];
	int err = 0;

	if (!btf)
		return NULL;
	err |= btf__add_int(btf, "int", 4, BTF_INT_SIGNED) < 0;
	err |= btf__add_enum(btf, "node_states", 4) < 0;
	err |= btf__add_enum_value(btf, "N_POSSIBLE", 0);
	err |= btf__add_enum_value(btf, "N_ONLINE", 1);
	err |= btf__add_enum(btf, "", 4) < 0;
	for (int b = 0; b < 23; b++) {
		snprintf(name, sizeof(name), "___GFP_%s_BIT", low[b]);
		err |= btf__add_enum_value(btf, name, b);
	}
	for (size_t i = 0; i < ntail; i++) {
		snprintf(name, sizeof(name), "___GFP_%s_BIT", tail[i].name);
		err |= btf__add_enum_value(btf, name, tail[i].val);
	}
	if (last >= 0)
		err |= btf__add_enum_value(btf, "___GFP_LAST_BIT", last);
	err |= btf__add_enum(btf, "zone_type", 4) < 0;
	err |= btf__add_enum_value(btf, "ZONE_DMA", 0);
	if (err) {
		btf__free(btf);
		return NULL;
	}
	return btf;
}

/* make_btf(), then gfp_init() on it as name: NULL if it was not built. */
static struct btf *init_btf(const struct bit *tail, size_t ntail, int last,
			    const char *built, const char *release,
			    const char *name)
{
	struct btf *btf = make_btf(tail, ntail, last);

	if (!ok(btf, "%s", built))
		return NULL;
	init(btf, release, name);
	return btf;
}

static void test_btf_6_18(void)
{
	static const struct bit tail[] = { { "ZEROTAGS", 23 }, { "NO_OBJ_EXT", 24 } };
	static const struct render cases[] = {
		{ 0x1000000, "__GFP_NO_OBJ_EXT" },
		{ 0x800000, "__GFP_ZEROTAGS" },
		{ 0x1800000, "__GFP_ZEROTAGS|__GFP_NO_OBJ_EXT" },
		{ 0x1000cc0, "GFP_KERNEL|__GFP_NO_OBJ_EXT" },
		{ 0x2000000, "0x2000000" },	/* ___GFP_LAST_BIT */
		{ 0x200, "0x200" },		/* ___GFP_UNUSED_BIT */
		{ 0x100cca, "GFP_HIGHUSER_MOVABLE" },
		{ 0x2800, "GFP_NOWAIT" },
		{ 0xcc0, "GFP_KERNEL" },
	};
	struct btf *btf = init_btf(tail, ARRAY_SIZE(tail), 25,
				   "synthetic BTF, 6.18 layout, built",
				   "6.18.0", "BTF ZEROTAGS=23 NO_OBJ_EXT=24");

	if (!btf) {
		skip("no synthetic BTF");
		return;
	}
	check_table(cases, ARRAY_SIZE(cases));
	check_parse("__GFP_NO_OBJ_EXT", 0x1000000);
	check_parse("no_obj_ext", 0x1000000);
	check_parse("LAST", -1);
	check_parse("UNUSED", -1);
	check_parse("__GFP_UNUSED", -1);
	btf__free(btf);
}

static void test_btf_kasan_lockdep(void)
{
	static const struct bit tail[] = {
		{ "ZEROTAGS", 23 }, { "SKIP_ZERO", 24 }, { "SKIP_KASAN", 25 },
		{ "NOLOCKDEP", 26 },
	};
	static const struct render cases[] = {
		{ 0x2100cca, "GFP_HIGHUSER_MOVABLE" },
		{ 0x100cca, "GFP_HIGHUSER|__GFP_MOVABLE" },
		{ 0x4000000, "__GFP_NOLOCKDEP" },
		{ 0x2000000, "__GFP_SKIP_KASAN" },
		{ 0x1000000, "__GFP_SKIP_ZERO" },
		{ 0x7800000, "__GFP_ZEROTAGS|__GFP_SKIP_ZERO|__GFP_SKIP_KASAN|__GFP_NOLOCKDEP" },
		/* TRANSHUGE(_LIGHT) are built on HIGHUSER_MOVABLE: they need SKIP_KASAN too. */
		{ 0x21c24ca, "GFP_TRANSHUGE" },
		{ 0x21c20ca, "GFP_TRANSHUGE_LIGHT" },
		{ 0x8000000, "0x8000000" },	/* ___GFP_LAST_BIT */
		{ 0x200, "0x200" },
		{ 0xcc0, "GFP_KERNEL" },
	};
	struct btf *btf = init_btf(tail, ARRAY_SIZE(tail), 27,
				   "synthetic BTF, KASAN_HW_TAGS+LOCKDEP layout, "
				   "built", "6.12.0", "BTF KASAN_HW_TAGS+LOCKDEP");

	if (!btf) {
		skip("no synthetic BTF");
		return;
	}
	check_table(cases, ARRAY_SIZE(cases));
	check_parse("GFP_HIGHUSER_MOVABLE", 0x2100cca);
	check_parse("__GFP_SKIP_KASAN", 0x2000000);
	check_parse("nolockdep", 0x4000000);
	btf__free(btf);

	/* Nothing of that layout survives a re-init without BTF. */
	init(NULL, "6.5.0", "6.5 without BTF, after a BTF layout");
	check_str(0x4000000, "0x4000000");
	check_str(0x2100cca, "GFP_HIGHUSER_MOVABLE|0x2000000");
	check_parse("NOLOCKDEP", -1);
}

static void test_btf_unknown(void)
{
	static const struct bit future[] = {
		{ "ZEROTAGS", 23 }, { "NO_OBJ_EXT", 24 }, { "FUTURE", 25 },
	};
	static const struct render cases[] = {
		{ 0x2000000, "__GFP_FUTURE" },
		{ 0x3000000, "__GFP_NO_OBJ_EXT|__GFP_FUTURE" },
		{ 0x2000cc0, "GFP_KERNEL|__GFP_FUTURE" },
		{ 0x4000000, "0x4000000" },	/* ___GFP_LAST_BIT */
	};
	/* An unknown flag below known ones still comes after them. */
	static const struct bit low_future[] = {
		{ "FUTURE", 23 }, { "ZEROTAGS", 24 },
	};
	/* Values a 64-bit mask cannot hold. */
	static const struct bit odd[] = {
		{ "ZEROTAGS", 23 }, { "FAR", 40 }, { "TOO_FAR", 64 },
		{ "WAY_TOO_FAR", 70 }, { "NEGATIVE", -1 },
		{ "A_NAME_OF_FORTY_FIVE_CHARACTERS_FOR_NO_REASON", 41 },
	};
	struct btf *btf;
	char buf[128];

	btf = init_btf(future, ARRAY_SIZE(future), 26, "synthetic BTF with an "
		       "unknown ___GFP_FUTURE_BIT built", "6.20.0",
		       "BTF with FUTURE=25");
	if (btf) {
		check_table(cases, ARRAY_SIZE(cases));
		check_parse("__GFP_FUTURE", 0x2000000);
		check_parse("future", 0x2000000);
		btf__free(btf);
	}

	btf = init_btf(low_future, ARRAY_SIZE(low_future), 25,
		       "synthetic BTF with FUTURE=23 ZEROTAGS=24 built",
		       "6.20.0", "BTF with FUTURE=23");
	if (btf) {
		check_str(0x1800000, "__GFP_ZEROTAGS|__GFP_FUTURE");
		check_str(0x800000, "__GFP_FUTURE");
		check_str(0x1000000, "__GFP_ZEROTAGS");
		btf__free(btf);
	}

	/* Out-of-range values are ignored, not shifted past 63. */
	btf = init_btf(odd, ARRAY_SIZE(odd), 71,
		       "synthetic BTF with values -1, 40, 64 and 70 built",
		       "6.20.0", "BTF with bit values -1, 40, 64, 70");
	if (btf) {
		check_str(0x800000, "__GFP_ZEROTAGS");
		check_str(1ULL << 40, "__GFP_FAR");
		check_str(1ULL << 63, "0x8000000000000000");
		/* Too long a name: left as hex or in full, never cut. */
		gfp_str(1ULL << 41, buf, sizeof(buf));
		ok(!strcmp(buf, "0x20000000000") ||
		   !strcmp(buf, "__GFP_A_NAME_OF_FORTY_FIVE_CHARACTERS_FOR_NO_REASON"),
		   "BTF with a 45-character flag name: hex or the whole name (got \"%s\")",
		   buf);
		check_str(1ULL << 42 | 0x200, "0x40000000200");
		check_str(1ULL << 40 | 1ULL << 42 | 0xcc0,
			  "GFP_KERNEL|__GFP_FAR|0x40000000000");
		check_parse("TOO_FAR", -1);
		check_parse("NEGATIVE", -1);
		btf__free(btf);
	}

	/* A BTF without the enum (before 6.10): the version decides. */
	btf = btf__new_empty();
	if (ok(btf && btf__add_enum(btf, "node_states", 4) > 0 &&
	       !btf__add_enum_value(btf, "N_POSSIBLE", 0),
	       "BTF without ___GFP_*_BIT built")) {
		init(btf, "6.2.0", "6.2 with a BTF without GFP bits");
		check_str(0xa20, "GFP_ATOMIC");
		check_str(0x800000, "__GFP_ZEROTAGS");
		check_str(0xdc0, "GFP_KERNEL|__GFP_ZERO");
		btf__free(btf);
	}
}

/* 1c: the running kernel's own BTF, when this process may read it. */
static void test_btf_vmlinux(void)
{
	struct btf *btf;
	int tail = 0;

	if (access(VMLINUX_BTF, R_OK)) {
		char why[128];

		snprintf(why, sizeof(why), "%s not readable: %s", VMLINUX_BTF,
			 strerror(errno));
		skip(why);
		return;
	}
	btf = btf__parse(VMLINUX_BTF, NULL);
	if (!ok(btf, "btf__parse(%s)", VMLINUX_BTF))
		return;
	init(btf, "6.18.44", "vmlinux BTF");
	check_str(0xcc0, "GFP_KERNEL");
	check_str(0xdc0, "GFP_KERNEL|__GFP_ZERO");
	check_str(0x400cc0, "GFP_KERNEL_ACCOUNT");

	/* Every Kconfig-dependent bit the kernel names renders by that name. */
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++, e++) {
			const char *s = btf__name_by_offset(btf, e->name_off);
			size_t len = s ? strlen(s) : 0;
			char want[64];

			if (len < 12 || strncmp(s, "___GFP_", 7) ||
			    strcmp(s + len - 4, "_BIT"))
				continue;
			if (!strcmp(s, "___GFP_UNUSED_BIT") &&
			    e->val >= 0 && e->val < 64) {
				snprintf(want, sizeof(want), "0x%llx",
					 1ULL << e->val);
				check_str(1ULL << e->val, want);
				continue;
			}
			if (e->val < 23 || e->val > 63 ||
			    !strcmp(s, "___GFP_LAST_BIT"))
				continue;
			snprintf(want, sizeof(want), "__GFP_%.*s",
				 (int)(len - 11), s + 7);
			if (!strcmp(s, "___GFP_NO_OBJ_EXT_BIT") && e->val == 24)
				printf("# this kernel has ___GFP_NO_OBJ_EXT_BIT=24\n");
			check_str(1ULL << e->val, want);
			tail++;
		}
	}
	if (!tail)
		skip("this kernel's BTF names no GFP bit above 22");
	btf__free(btf);
}

/* 1d: composites first in mmflags.h order, then single flags in order. */
static void test_order(void)
{
	static const struct render cases[] = {
		{ 0x2100, "__GFP_ZERO|__GFP_NOWARN" },
		{ 0x40110, "__GFP_RECLAIMABLE|__GFP_ZERO|__GFP_COMP" },
		{ 0x18, "__GFP_MOVABLE|__GFP_RECLAIMABLE" },
		{ 0x6, "GFP_DMA32|__GFP_HIGHMEM" },	/* composites first */
		{ 0x402100, "__GFP_ZERO|__GFP_NOWARN|__GFP_ACCOUNT" },
		{ 0x1000, "__GFP_WRITE" },
		{ 0x8000, "__GFP_NOFAIL" },
		{ 0x30000, "__GFP_NORETRY|__GFP_MEMALLOC" },
		{ 0x284000, "__GFP_RETRY_MAYFAIL|__GFP_NOMEMALLOC|__GFP_THISNODE" },
		{ 0xdc1, "GFP_KERNEL|GFP_DMA|__GFP_ZERO" },
		{ 0x400dc0, "GFP_KERNEL_ACCOUNT|__GFP_ZERO" },
		{ 0xc20, "GFP_ATOMIC|__GFP_DIRECT_RECLAIM" },	/* ATOMIC before NOIO */
		/* All of bits 0-22 but 9, as __print_flags() walks them. */
		{ 0x7ffdff, "GFP_TRANSHUGE|GFP_ATOMIC|GFP_DMA|GFP_DMA32|"
			    "__GFP_RECLAIMABLE|__GFP_ZERO|__GFP_WRITE|"
			    "__GFP_RETRY_MAYFAIL|__GFP_NOFAIL|__GFP_NORETRY|"
			    "__GFP_MEMALLOC|__GFP_THISNODE|__GFP_ACCOUNT" },
		{ 0x807ffdff, "GFP_TRANSHUGE|GFP_ATOMIC|GFP_DMA|GFP_DMA32|"
			      "__GFP_RECLAIMABLE|__GFP_ZERO|__GFP_WRITE|"
			      "__GFP_RETRY_MAYFAIL|__GFP_NOFAIL|"
			      "__GFP_NORETRY|__GFP_MEMALLOC|__GFP_THISNODE|"
			      "__GFP_ACCOUNT|0x80000000" },
	};

	/* Single flags in mmflags.h order, and their bits on 6.3 - 6.17;
	 * DMA, DMA32 and KSWAPD_RECLAIM are left out: alone, they are
	 * GFP_DMA, GFP_DMA32 and GFP_NOWAIT. */
	static const struct {
		const char *name;
		int bit;
	} order[] = {
		{ "HIGHMEM", 1 }, { "MOVABLE", 3 }, { "RECLAIMABLE", 4 },
		{ "HIGH", 5 }, { "IO", 6 }, { "FS", 7 }, { "ZERO", 8 },
		{ "DIRECT_RECLAIM", 10 }, { "WRITE", 12 }, { "NOWARN", 13 },
		{ "RETRY_MAYFAIL", 14 }, { "NOFAIL", 15 }, { "NORETRY", 16 },
		{ "MEMALLOC", 17 }, { "COMP", 18 }, { "NOMEMALLOC", 19 },
		{ "HARDWALL", 20 }, { "THISNODE", 21 }, { "ACCOUNT", 22 },
		{ "ZEROTAGS", 23 },
	};
	char want[128], got[128];
	int bad = 0;

	init(NULL, "6.5.0", "6.5 order");
	check_table(cases, ARRAY_SIZE(cases));
	/* Any two of them: the earlier in mmflags.h first. */
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		for (size_t j = i + 1; j < ARRAY_SIZE(order); j++) {
			uint64_t f = 1ULL << order[i].bit | 1ULL << order[j].bit;

			snprintf(want, sizeof(want), "__GFP_%s|__GFP_%s",
				 order[i].name, order[j].name);
			gfp_str(f, got, sizeof(got));
			if (strcmp(got, want)) {
				printf("#   0x%llx: got \"%s\", want \"%s\"\n",
				       (unsigned long long)f, got, want);
				bad++;
			}
		}
	}
	ok(!bad, "6.5 order: each pair of %zu single flags in mmflags.h order",
	   ARRAY_SIZE(order));
}

/* The Kconfig-dependent tail is ordered by name, not by bit. */
static void test_order_tail(void)
{
	static const struct bit tail[] = {
		{ "NO_OBJ_EXT", 23 }, { "NOLOCKDEP", 24 }, { "SKIP_KASAN", 25 },
		{ "SKIP_ZERO", 26 }, { "ZEROTAGS", 27 },
	};
	static const struct render cases[] = {
		{ 0xf800000, "__GFP_ZEROTAGS|__GFP_SKIP_ZERO|__GFP_SKIP_KASAN|"
			     "__GFP_NOLOCKDEP|__GFP_NO_OBJ_EXT" },
		{ 0x8c00000, "__GFP_ACCOUNT|__GFP_ZEROTAGS|__GFP_NO_OBJ_EXT" },
		{ 0x2100cca, "GFP_HIGHUSER_MOVABLE" },
		{ 0x2800, "GFP_NOWAIT" },
	};
	struct btf *btf = init_btf(tail, ARRAY_SIZE(tail), 28,
				   "synthetic BTF with the tail in reverse built",
				   "6.18.0", "BTF tail reversed");

	if (!btf)
		return;
	check_table(cases, ARRAY_SIZE(cases));
	btf__free(btf);
}

/* 1e: every buffer size from 0 up, each exactly that big on the heap. */
static void test_small_buffers(void)
{
	static const uint64_t flags[] = {
		0, 0xcc0, 0x80000cc0, 0x80000000, 0x7ffdff, 0x2100,
	};
	char full[512];

	init(NULL, "6.5.0", "6.5 small buffers");
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		size_t n = strlen(gfp_str(flags[i], full, sizeof(full)));
		int good = 1;

		for (size_t len = 0; len <= n + 1; len++) {
			char *buf = malloc(len ? len : 1);
			char *ret;

			if (!buf)
				abort();
			if (len)
				memset(buf, 'x', len);
			else
				buf[0] = 'x';
			ret = gfp_str(flags[i], buf, len);
			if (ret != buf)
				good = 0;
			else if (!len)
				good &= buf[0] == 'x';	/* untouched */
			else
				good &= strnlen(buf, len) < len &&
					!strncmp(buf, full, strlen(buf));
			free(buf);
		}
		ok(good, "gfp_str(0x%llx) into 0..%zu bytes: a terminated prefix of \"%s\"",
		   (unsigned long long)flags[i], n + 1, full);
	}
}

/* 1f */
static void test_parse(void)
{
	init(NULL, "6.5.0", "6.5 parse");
	check_parse("GFP_KERNEL", 0xcc0);
	check_parse("gfp_kernel", 0xcc0);
	check_parse("Gfp_Kernel", 0xcc0);
	check_parse("__GFP_ZERO", 0x100);
	check_parse("__gfp_zero", 0x100);
	check_parse("ZERO", 0x100);
	check_parse("zero", 0x100);
	check_parse("KERNEL", 0xcc0);
	check_parse("GFP_KERNEL_ACCOUNT", 0x400cc0);
	check_parse("GFP_HIGHUSER_MOVABLE", 0x100cca);
	check_parse("GFP_NOWAIT", 0x800);
	check_parse("GFP_ATOMIC", 0x820);
	check_parse("__GFP_RECLAIM", 0xc00);
	check_parse("RECLAIM", 0xc00);
	check_parse("__GFP_ZEROTAGS", 0x800000);
	check_parse("0x400", 0x400);
	check_parse("0X400", 0x400);
	check_parse("1024", 0x400);
	/* 0, and bits no flag of this kernel has, would not filter. */
	check_parse("0x80000000", -1);
	check_parse("0xffffffff", -1);
	check_parse("0", -1);
	check_parse("0xcc0", 0xcc0);
	check_parse("__GFP_BOGUS", -1);
	check_parse("BOGUS", -1);
	check_parse("", -1);
	check_parse("0", -1);
	check_parse("0x", -1);
	check_parse("12abc", -1);
	check_parse("0x10000000000000000", -1);
	check_parse("0x400 ", -1);
	check_parse("GFP_KERNEL ", -1);
	check_parse("GFP_KERNEL|__GFP_ZERO", -1);
	check_parse("none", -1);
	check_parse("__GFP_ATOMIC", -1);	/* gone in 6.3 */
	check_parse("ATOMIC", 0x820);	/* GFP_ATOMIC, as "GFP_" may be left out */
	check_parse("GFP_", -1);
	check_parse("__GFP_", -1);
	check_parse("____GFP_ZERO", -1);
	check_parse("GFP_GFP_KERNEL", -1);
	/* Longer than gfp_parse()'s buffer: cut, but never a match. */
	check_parse("GFP_KERNELxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", -1);

	init(NULL, "6.2.0", "6.2 parse");
	check_parse("__GFP_ATOMIC", 0x200);
	check_parse("atomic", 0x200);
	check_parse("GFP_ATOMIC", 0xa20);

	init(NULL, "6.3.0", "6.3 parse");
	check_parse("__GFP_ATOMIC", -1);
	check_parse("GFP_ATOMIC", 0x820);

	init(NULL, "6.18.0", "6.18 parse");
	check_parse("GFP_NOWAIT", 0x2800);
}

int main(void)
{
	test_version_6_5();
	test_versions();
	test_version_6_18();
	test_btf_6_18();
	test_btf_kasan_lockdep();
	test_btf_unknown();
	test_btf_vmlinux();
	test_order();
	test_order_tail();
	test_small_buffers();
	test_parse();
	return tap_done();
}
