/* SPDX-License-Identifier: GPL-2.0 */
/* memtrace procs: its options, as its table fills them. */
#ifndef MEMTRACE_PROCS_PROCS_H
#define MEMTRACE_PROCS_PROCS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/options.h"
#include "memtrace/procs.h"

struct procs_opts {
	struct common_opts common;
	pid_t pid;			/* -p: 0 = all */
	char comm[MT_COMM_LEN];		/* -c */
	uint64_t min_lifetime_ns;	/* -d */
	bool exec_only, exit_only;
	uint64_t duration_ns;
	uint64_t ringbuf_size;
};

extern const struct mt_cli procs_cli;
int procs_main(void *opts, char **rest, int nrest);

#endif /* MEMTRACE_PROCS_PROCS_H */
