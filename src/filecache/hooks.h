/* SPDX-License-Identifier: GPL-2.0 */
/* filecache's hook, and whether this kernel gives each way of attaching
 * it. */
#ifndef MEMTRACE_FILECACHE_HOOKS_H
#define MEMTRACE_FILECACHE_HOOKS_H

#include "core/hookcheck.h"

/* The page cache of a file (hooks[0]): fentry, then a kprobe, on
 * vfs_getattr_nosec(); else a BPF_PROG_TEST_RUN program on memtrace's own
 * file descriptors. */
extern const struct hook_set filecache_hooks;

#endif /* MEMTRACE_FILECACHE_HOOKS_H */
