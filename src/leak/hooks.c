// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/btf.h>
#include "core/uprobe_multi.h"
#include "leak/hooks.h"
#include "util/kbtf.h"

/* -- User space ---------------------------------------------------------- */

/* A link per library for its entries, one for its returns (6.6+); else a
 * perf event and a link per probe, through the uprobe PMU. */
static int check_uprobes(enum hook h, char *why, size_t len)
{
	int err;

	if (h == HOOK_UPROBE_MULTI)
		return hook_probed(probe_uprobe_multi(), why, len,
				   "a link per library",
				   "no multi-uprobe links (Linux 6.6+)",
				   "multi-uprobe link");
	err = access("/sys/bus/event_source/devices/uprobe/type", F_OK);
	return hook_probed(err ? -errno : 0, why, len, "uprobe PMU",
			   "no uprobe PMU (the kernel needs CONFIG_UPROBE_EVENTS)",
			   "uprobe PMU");
}

/* raw_tp needs only the tracepoint, which BTF or tracefs shows (the
 * quick index of the BTF: libbpf's parse of it takes tens of ms). */
static int check_exec(enum hook h, char *why, size_t len)
{
	const struct kbtf *btf = vmlinux_kbtf();
	bool found = (btf && kbtf_find(btf, "btf_trace_sched_process_exec",
				       BTF_KIND_TYPEDEF) >= 0) ||
		     tracefs_has_event("sched", "sched_process_exec");

	(void)h;
	return hook_probed(found ? 0 : -ENOENT, why, len,
			   "attached by name, no tracefs",
			   "no tracepoint sched_process_exec", "raw_tp");
}

/* Task storage where tracing programs have it (5.11+), else a hash map
 * by thread id: the build of bpf/leak.bpf.c src/leak/bpfobj.c opens. The
 * first build also claims the slots of its table of blocks with BPF
 * atomics (5.12+); the second keeps the blocks in a hash map. */
static int check_call_state(enum hook h, char *why, size_t len)
{
	if (h == HOOK_HASH) {
		snprintf(why, len, "an LRU hash map by thread id");
		return 0;
	}
	if (probe_task_storage() == 0 && probe_atomics())
		return hook_probed(probe_atomics(), why, len, "",
				   "no BPF compare-and-exchange (Linux 5.12+)",
				   "BPF atomics");
	return hook_probed(probe_task_storage(), why, len,
			   "for tracing programs",
			   "no task storage for tracing programs (Linux 5.11+)",
			   "task storage");
}

const struct hook_set leak_user_hooks = {
	.cmd = "leak",
	.mode = "user",
	.mode_help = "user space: -p PID, -- CMD",
	.hooks = {
		{ .what = "allocator functions",
		  .chain = { HOOK_UPROBE_MULTI, HOOK_UPROBE }, .chain_len = 2,
		  .check = check_uprobes },
		{ .what = "sched_process_exec", .fixed = "raw_tp",
		  .check = check_exec },
		{ .what = "per-thread call state",
		  .chain = { HOOK_TASK_STORAGE, HOOK_HASH }, .chain_len = 2,
		  .check = check_call_state },
	},
	.n = 3,
};

/* -- Kernel mode --------------------------------------------------------- */

static const char *const kmem_events[] = {
	"kmalloc", "kfree", "kmem_cache_alloc", "kmem_cache_free",
};

#define NR_KMEM (int)(sizeof(kmem_events) / sizeof(kmem_events[0]))

/*
 * The kernel-mode tp_btf programs take the 6.1+ prototypes: kmalloc's
 * (call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node) and
 * kmem_cache_alloc's (call_site, ptr, s, gfp_flags, node). Older kernels
 * use the classic tracepoints, whose records the shims read on every
 * version.
 */
static int check_61(char *why, size_t len)
{
	int n;

	if (tp_btf_check(kmem_events, NR_KMEM, why, len))
		return HOOK_UNAVAILABLE;
	n = tp_btf_nargs("kmalloc");
	if (n != 6 || tp_btf_arg_is_struct_ptr("kmalloc", 2, "kmem_cache"))
		return hook_unavailable(why, len,
					"no tp_btf with 6.1+ arguments: kmalloc has %d%s",
					n, n == 6 ? ", struct kmem_cache * third (6.0)" : "");
	n = tp_btf_nargs("kmem_cache_alloc");
	if (n != 5 || !tp_btf_arg_is_struct_ptr("kmem_cache_alloc", 2,
						 "kmem_cache"))
		return hook_unavailable(why, len,
					"no tp_btf with 6.1+ arguments: kmem_cache_alloc has %d",
					n);
	snprintf(why, len, "6.1+ arguments");
	return 0;
}

static int check_kernel(enum hook h, char *why, size_t len)
{
	if (h == HOOK_TP_BTF)
		return check_61(why, len);
	return tracepoint_check("kmem", kmem_events, NR_KMEM, why, len);
}

const struct hook_set leak_kernel_hooks = {
	.cmd = "leak",
	.mode = "kernel",
	.mode_help = "kernel: without -p or a command",
	.hooks = { { .what = "kmem allocations",
		     .chain = { HOOK_TP_BTF, HOOK_TRACEPOINT }, .chain_len = 2,
		     .check = check_kernel } },
	.n = 1,
};
