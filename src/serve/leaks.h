/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve's traced processes (--leak PID, --leak-comm COMM): a leak
 * collector each, with its own ring buffer in the event loop (so that a
 * process's can be freed when it exits), its memory map for profiles,
 * and the losses of those gone kept so that counters never go back.
 */
#ifndef MEMTRACE_SERVE_LEAKS_H
#define MEMTRACE_SERVE_LEAKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "leak/snapshot.h"
#include "memtrace/common.h"

struct serve_opts;
struct metrics;
struct leaks;
struct bpf_object;

/* The --leak processes (an error naming one that cannot be traced:
 * NULL) and those already running with a --leak-comm name. */
struct leaks *leaks_open(const struct serve_opts *o, int epfd);
void leaks_close(struct leaks *l);

/* procs' events: a process exec'ed (named comm now), or exited. */
void leaks_exec(struct leaks *l, pid_t pid, const char *comm);
void leaks_exit(struct leaks *l, pid_t pid);
/* Reads what waits in every ring buffer. */
void leaks_poll(struct leaks *l);

/* memtrace_leak_outstanding_{bytes,allocations}{pid,comm,kind}. */
void leaks_metrics(struct leaks *l, struct metrics *m);
/* The losses of every process traced since the start; the allocation
 * tables' entries (at the last leaks_metrics()) and capacity, summed
 * over the processes traced now. */
void leaks_losses(struct leaks *l, struct leak_losses *sum);
void leaks_fill(const struct leaks *l, uint64_t *entries, uint64_t *cap);
/* Each collector's BPF object, for its programs' run time. */
size_t leaks_objects(const struct leaks *l, struct bpf_object **objs,
		     size_t max);

/* Process pid's heap profile (leak/profile.h): 0, -ENOENT when it is not
 * traced, or another negative errno. */
int leaks_profile(struct leaks *l, pid_t pid, uint8_t **out, size_t *len);

#endif /* MEMTRACE_SERVE_LEAKS_H */
