/* SPDX-License-Identifier: GPL-2.0 */
/* filecache's hooks, and whether this kernel gives each way of attaching
 * them. */
#ifndef MEMTRACE_FILECACHE_HOOKS_H
#define MEMTRACE_FILECACHE_HOOKS_H

#include "core/hookcheck.h"

/* The page cache of a file (hooks[0]): a BPF_PROG_TEST_RUN program on
 * memtrace's own file descriptors; before 5.10, fentry, then a kprobe, on
 * vfs_getattr_nosec(). */
extern const struct hook_set filecache_hooks;

/* --watch (hooks[0]): filemap:mm_filemap_add_to_page_cache and
 * mm_filemap_delete_from_page_cache as tp_btf, else classic tracepoints
 * (their records' pfns followed to the struct pages). */
extern const struct hook_set filecache_watch_hooks;

#endif /* MEMTRACE_FILECACHE_HOOKS_H */
