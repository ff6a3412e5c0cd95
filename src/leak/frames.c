// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "leak/frames.h"
#include "util/ksyms.h"

/*
 * A kernel stack taken in a tracepoint starts in the tracing machinery:
 * the BPF program, bpf_trace_run*, perf_trace_* and the like, which
 * differ between hook methods and kernel versions. The report starts at
 * the allocator.
 */
static bool tracing_frame(const struct ksyms *ks, uint64_t addr)
{
	static const char *const prefixes[] = {
		"bpf_trace_run", "__bpf_trace_", "bpf_prog_", "perf_trace",
		"perf_tp_event", "trace_call_bpf",
		"__traceiter_", "trace_event_raw_event_", "__tracepoint",
	};
	uint64_t off;
	const char *mod, *f = ks ? ksyms_find(ks, addr, &off, &mod) : NULL;

	if (!f)
		return addr >= 0xffffffffc0000000ULL;	/* JIT'ed BPF, modules' area */
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(f, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

int leak_frames_read(struct leak_collector *c, const struct ksyms *ks,
		     bool kernel, const struct leak_group *g, uint64_t *frames)
{
	int n = leak_stack_read(c, g, frames), skip = 0;

	if (!kernel)
		return n;
	while (skip < n - 1 && tracing_frame(ks, frames[skip]))
		skip++;
	memmove(frames, frames + skip, (n - skip) * sizeof(*frames));
	return n - skip;
}

const char *leak_memory_label(unsigned cls, unsigned kind)
{
	if (cls != LEAK_CLASS_KERNEL)
		return leak_class_name(cls);
	switch (kind) {
	case LEAK_KMALLOC:
		return "kmalloc";
	case LEAK_KMEM_CACHE:
		return "slab";
	case LEAK_PAGES:
		return "pages";
	case LEAK_PERCPU:
		return "percpu";
	default:
		return "kernel";
	}
}
