// SPDX-License-Identifier: GPL-2.0
#include "serve/hooks.h"

static const char *const events[] = {
	"mm_filemap_add_to_page_cache", "mm_filemap_delete_from_page_cache",
};

#define NR_EVENTS (int)(sizeof(events) / sizeof(events[0]))

static int check(enum hook h, char *why, size_t len)
{
	if (h == HOOK_TP_BTF)
		return tp_btf_check(events, NR_EVENTS, why, len);
	return tracepoint_check("filemap", events, NR_EVENTS, why, len);
}

const struct hook_set serve_hooks = {
	.cmd = "serve",
	.hooks = { { .what = "filemap:*_page_cache",
		     .chain = { HOOK_TP_BTF, HOOK_TRACEPOINT }, .chain_len = 2,
		     .check = check } },
	.n = 1,
};
