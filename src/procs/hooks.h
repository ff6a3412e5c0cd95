/* SPDX-License-Identifier: GPL-2.0 */
/* procs' hooks, and whether this kernel gives each way of attaching them. */
#ifndef MEMTRACE_PROCS_HOOKS_H
#define MEMTRACE_PROCS_HOOKS_H

#include "core/hookcheck.h"

/* sched_process_exec, _exit and _fork: tp_btf, else classic tracepoints
 * (hooks[0]). */
extern const struct hook_set procs_hooks;

#endif /* MEMTRACE_PROCS_HOOKS_H */
