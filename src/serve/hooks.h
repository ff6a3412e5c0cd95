/* SPDX-License-Identifier: GPL-2.0 */
/* serve's own hook (its other collectors' are theirs), and whether this
 * kernel gives each way of attaching it. */
#ifndef MEMTRACE_SERVE_HOOKS_H
#define MEMTRACE_SERVE_HOOKS_H

#include "core/hookcheck.h"

/* filemap:mm_filemap_add_to_page_cache and _delete_from_page_cache
 * ("filemap:*_page_cache"), for the page cache's
 * totals: tp_btf, else classic tracepoints (hooks[0]). */
extern const struct hook_set serve_hooks;

#endif /* MEMTRACE_SERVE_HOOKS_H */
