/* SPDX-License-Identifier: GPL-2.0 */
/* leak's views: a snapshot as text, JSON or folded stacks, and -t's lines. */
#ifndef MEMTRACE_LEAK_VIEWS_H
#define MEMTRACE_LEAK_VIEWS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "leak/leak.h"
#include "leak/snapshot.h"
#include "util/json.h"

struct leak_collector;
struct leak_event;
struct usyms;
struct ksyms;

struct leak_view {
	const struct leak_opts *o;
	struct leak_collector *col;	/* stacks and cache names */
	pid_t pid;			/* the process traced (0: none) */
	struct usyms *usyms;		/* a process's frames; may be NULL */
	struct ksyms *ksyms;		/* kernel frames; may be NULL */
	uint64_t *frames;		/* one stack: o->stack_depth entries */
	struct json json;
};

/* 0, or -ENOMEM. */
int leak_view_init(struct leak_view *v, const struct leak_opts *o);
void leak_view_free(struct leak_view *v);

/*
 * A report: the snapshot's top stacks, its totals and the losses. all:
 * every allocation is in it whatever its age (the process has exited);
 * final: the last report. 0, or a failed write's negative errno.
 */
int leak_view_report(struct leak_view *v, const struct leak_snapshot *s,
		     const struct leak_losses *l, bool all, bool final);
/* -t: one line per allocation and free. */
void leak_view_trace(struct leak_view *v, const struct leak_event *e);

#endif /* MEMTRACE_LEAK_VIEWS_H */
