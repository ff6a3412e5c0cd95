// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "kmalloc/hooks.h"

enum kmalloc_btf_variant kmalloc_btf_variant(void)
{
	int nargs = tp_btf_nargs("kmalloc");

	if (nargs < 0 || !tp_btf_available("kmalloc"))
		return KMALLOC_BTF_NONE;
	/* 6.0 inserted "struct kmem_cache *s" as the third argument. */
	if (tp_btf_arg_is_struct_ptr("kmalloc", 2, "kmem_cache"))
		return KMALLOC_BTF_60;
	/* 6.1 removed it again and appended the node. */
	return nargs >= 6 ? KMALLOC_BTF_61 : KMALLOC_BTF_519;
}

const char *kmalloc_btf_variant_name(enum kmalloc_btf_variant v)
{
	static const char *const names[] = {
		[KMALLOC_BTF_NONE] = "no BTF for the tracepoint",
		[KMALLOC_BTF_61] = "6.1+ arguments",
		[KMALLOC_BTF_60] = "6.0 arguments",
		[KMALLOC_BTF_519] = "5.x arguments",
	};

	return v <= KMALLOC_BTF_519 ? names[v] : "?";
}

bool kmalloc_node_too(enum hook h, enum kmalloc_btf_variant v)
{
	if (h == HOOK_TP_BTF)
		return v != KMALLOC_BTF_61 && tp_btf_available("kmalloc_node");
	return tracefs_has_event("kmem", "kmalloc_node");
}

static int check(enum hook h, char *why, size_t len)
{
	static const char *const events[] = { "kmalloc" };
	enum kmalloc_btf_variant v = KMALLOC_BTF_NONE;
	int err;

	if (h == HOOK_TP_BTF) {
		v = kmalloc_btf_variant();
		if (v == KMALLOC_BTF_NONE)
			return hook_unavailable(why, len, "%s",
						kmalloc_btf_variant_name(v));
		snprintf(why, len, "%s", kmalloc_btf_variant_name(v));
	} else if ((err = tracepoint_check("kmem", events, 1, why, len))) {
		return err;
	}
	if (kmalloc_node_too(h, v))
		snprintf(why + strlen(why), len - strlen(why),
			 "; kmalloc_node too");
	return 0;
}

const struct hook_set kmalloc_hooks = {
	.cmd = "kmalloc",
	.hooks = { { .what = "kmem:kmalloc",
		     .chain = { HOOK_TP_BTF, HOOK_TRACEPOINT }, .chain_len = 2,
		     .check = check } },
	.n = 1,
};
