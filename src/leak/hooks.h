/* SPDX-License-Identifier: GPL-2.0 */
/* leak's hooks, in user space and in the kernel, and whether this kernel
 * gives each way of attaching them. */
#ifndef MEMTRACE_LEAK_HOOKS_H
#define MEMTRACE_LEAK_HOOKS_H

#include <stdbool.h>
#include "core/hookcheck.h"

/* User space (-p PID, -- CMD): uprobes on the allocator, exec through
 * raw_tp, per-thread call state in task storage; none has a fallback. */
extern const struct hook_set leak_user_hooks;

/* Kernel mode (hooks[0]): the kmem events, through tp_btf with the 6.1+
 * arguments, else the classic tracepoints. */
extern const struct hook_set leak_kernel_hooks;

/*
 * The kernel's tp_btf programs take the 6.1+ prototypes: kmalloc's
 * (call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node) and
 * kmem_cache_alloc's (call_site, ptr, s, gfp_flags, node).
 */
bool leak_tp_btf_61(void);

#endif /* MEMTRACE_LEAK_HOOKS_H */
