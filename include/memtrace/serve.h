/* SPDX-License-Identifier: GPL-2.0 */
/* serve: what bpf/serve.bpf.c counts for src/serve/pagecache.c. */
#ifndef MEMTRACE_SERVE_H
#define MEMTRACE_SERVE_H

#include "memtrace/common.h"

/* Slots of the per-CPU "pagecache" array: base pages (4 KiB on x86)
 * added to and removed from files' page cache, system-wide. */
enum serve_pc_slot {
	SERVE_PC_ADDED,
	SERVE_PC_REMOVED,
	SERVE_PC_NR,
};

#endif /* MEMTRACE_SERVE_H */
