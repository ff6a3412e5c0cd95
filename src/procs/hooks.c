// SPDX-License-Identifier: GPL-2.0
#include "procs/hooks.h"

static const char *const events[] = {
	"sched_process_exec", "sched_process_exit", "sched_process_fork",
};

#define NR_EVENTS (int)(sizeof(events) / sizeof(events[0]))

static int check(enum hook h, char *why, size_t len)
{
	if (h == HOOK_TP_BTF)
		return tp_btf_check(events, NR_EVENTS, why, len);
	return tracepoint_check("sched", events, NR_EVENTS, why, len);
}

const struct hook_set procs_hooks = {
	.cmd = "procs",
	.hooks = { { .what = "sched_process_exec/exit/fork",
		     .chain = { HOOK_TP_BTF, HOOK_TRACEPOINT }, .chain_len = 2,
		     .check = check } },
	.n = 1,
};
