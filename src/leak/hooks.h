/* SPDX-License-Identifier: GPL-2.0 */
/* leak's hooks, in user space and in the kernel, and whether this kernel
 * gives each way of attaching them. */
#ifndef MEMTRACE_LEAK_HOOKS_H
#define MEMTRACE_LEAK_HOOKS_H

#include <stdbool.h>
#include "core/hookcheck.h"

/* User space (-p PID, -- CMD): uprobes on the allocator, exec through
 * raw_tp (neither has a fallback), and where each thread's call state
 * goes: task storage, else a hash map (hooks[LEAK_HOOK_CALL_STATE]). */
extern const struct hook_set leak_user_hooks;
enum { LEAK_HOOK_UPROBES, LEAK_HOOK_EXEC, LEAK_HOOK_CALL_STATE };

/* Kernel mode (hooks[0]): the kmem events, through tp_btf with the 6.1+
 * arguments, else the classic tracepoints. */
extern const struct hook_set leak_kernel_hooks;


#endif /* MEMTRACE_LEAK_HOOKS_H */
