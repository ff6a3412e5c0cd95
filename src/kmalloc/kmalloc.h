/* SPDX-License-Identifier: GPL-2.0 */
/* memtrace kmalloc: its options, as its table fills them. */
#ifndef MEMTRACE_KMALLOC_KMALLOC_H
#define MEMTRACE_KMALLOC_KMALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/options.h"
#include "memtrace/kmalloc.h"

struct kmalloc_opts {
	struct common_opts common;
	pid_t pid, tid;			/* 0: all */
	char comm[MT_COMM_LEN];		/* -f; "": all */
	uint64_t min_size, max_size;
	const char *gfp_name;		/* --gfp: resolved once the kernel's
					 * BTF is known */
	uint64_t top;			/* rows to show; 0: no --top */
	int by;				/* enum kmalloc_by */
	int sort;			/* enum kmalloc_sort */
	bool hist;
	uint64_t interval_ns, duration_ns;
	uint64_t ringbuf_size;
};

extern const struct mt_cli kmalloc_cli;
int kmalloc_main(void *opts, char **rest, int nrest);

#endif /* MEMTRACE_KMALLOC_KMALLOC_H */
