/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procs' collector: the BPF side of exec and exit, loaded through its hook
 * chain and read into plain structs (include/memtrace/procs.h). It prints
 * nothing: the CLI and `serve` render what it hands them.
 */
#ifndef MEMTRACE_PROCS_COLLECTOR_H
#define MEMTRACE_PROCS_COLLECTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "memtrace/procs.h"

struct procs_config {
	pid_t pid;			/* 0: every process; else it and its
					 * descendants */
	char comm[MT_COMM_LEN];		/* "": every name */
	uint64_t min_lifetime_ns;	/* exits of shorter lives are dropped */
	bool want_exec, want_exit;
	uint64_t ringbuf_size;
};

struct procs_losses {
	uint64_t ringbuf, map_full;
};

struct procs_collector;
struct bpf_object;

/* Loads and attaches through the hook chain (tp_btf, then classic
 * tracepoints); NULL after an error naming what failed. With a pid, the
 * process and its current descendants are followed from then on. */
struct procs_collector *procs_collector_open(const struct procs_config *cfg);
void procs_collector_close(struct procs_collector *c);

/* The ring buffer's map: records are struct procs_exec_event and
 * struct procs_exit_event, told apart by their first field. */
int procs_collector_events_fd(const struct procs_collector *c);
void procs_collector_losses(const struct procs_collector *c,
			    struct procs_losses *l);
/* With a pid: whether every process followed has exited. */
bool procs_collector_all_exited(struct procs_collector *c);

/* Its BPF object (serve reads its programs' run time). */
struct bpf_object *procs_collector_object(const struct procs_collector *c);

#endif /* MEMTRACE_PROCS_COLLECTOR_H */
