/* SPDX-License-Identifier: GPL-2.0 */
/* memtrace serve: its options, as its table fills them. */
#ifndef MEMTRACE_SERVE_SERVE_H
#define MEMTRACE_SERVE_SERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "core/options.h"
#include "memtrace/common.h"

#define SERVE_DEFAULT_LISTEN	"127.0.0.1:9776"
#define SERVE_MAX_TARGETS	16	/* --leak and --leak-comm, each */

struct serve_opts {
	struct common_opts common;
	const char *listen;		/* as given */
	struct sockaddr_storage addr;	/* ... parsed */
	socklen_t addrlen;
	uint64_t kmalloc_callsites;	/* rows of each family, besides
					 * "other" */
	uint64_t kmalloc_comms;
	uint64_t procs_comms;
	uint64_t pagecache_files;
	uint64_t pagecache_max_files;	/* rows of the kernel's table */
	pid_t leak_pids[SERVE_MAX_TARGETS];
	int nleak_pids;
	char leak_comms[SERVE_MAX_TARGETS][MT_COMM_LEN];
	int nleak_comms;
	uint64_t leak_max_procs;	/* traced at once */
	uint64_t leak_max_allocs;	/* per process */
};

extern const struct mt_cli serve_cli;
int serve_main(void *opts, char **rest, int nrest);

#endif /* MEMTRACE_SERVE_SERVE_H */
