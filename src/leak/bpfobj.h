/* SPDX-License-Identifier: GPL-2.0 */
/* leak's BPF object, in the build this kernel can load. */
#ifndef MEMTRACE_LEAK_BPFOBJ_H
#define MEMTRACE_LEAK_BPFOBJ_H

#include <stdbool.h>

struct leak_bpf;
struct bpf_object_open_opts;

/*
 * leak_bpf__open_opts(), but where tracing programs cannot use task
 * storage (before 5.11; or with MEMTRACE_DISABLE=task_storage) it opens
 * the build that keeps each thread's call
 * state in a hash map (bpf/leak.bpf.c, LEAK_THREAD_STATE_HASH): the same
 * maps, programs and globals, so the one skeleton serves both; *atomics
 * tells whether it is the first, whose programs may keep a process's
 * blocks in alloc_slots (src/leak/slots.c). NULL with errno set on
 * failure.
 */
struct leak_bpf *leak_bpf_open_best(const struct bpf_object_open_opts *opts,
				    bool *atomics);

#endif /* MEMTRACE_LEAK_BPFOBJ_H */
