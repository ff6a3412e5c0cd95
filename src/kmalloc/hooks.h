/* SPDX-License-Identifier: GPL-2.0 */
/* kmalloc's hook, and whether this kernel gives each way of attaching it. */
#ifndef MEMTRACE_KMALLOC_HOOKS_H
#define MEMTRACE_KMALLOC_HOOKS_H

#include <stdbool.h>
#include "core/hookcheck.h"

/* kmem:kmalloc: tp_btf, else the classic tracepoint (hooks[0]). */
extern const struct hook_set kmalloc_hooks;

/* Which tp_btf programs match this kernel's kmalloc prototype. */
enum kmalloc_btf_variant {
	KMALLOC_BTF_NONE,		/* no BTF for the tracepoint */
	KMALLOC_BTF_61,			/* 6.1+: (..., gfp_flags, node) */
	KMALLOC_BTF_60,			/* 6.0: struct kmem_cache *s third */
	KMALLOC_BTF_519,		/* 5.x: (call_site, ..., gfp_flags) */
};

enum kmalloc_btf_variant kmalloc_btf_variant(void);
/* "6.1+ arguments", ... */
const char *kmalloc_btf_variant_name(enum kmalloc_btf_variant v);
/* Before 6.1 kmalloc_node is an event of its own, to hook too with h
 * (v: what kmalloc_btf_variant() said, for tp_btf). */
bool kmalloc_node_too(enum hook h, enum kmalloc_btf_variant v);

#endif /* MEMTRACE_KMALLOC_HOOKS_H */
