// SPDX-License-Identifier: GPL-2.0
/* memtrace probe: its options (the common ones) and what its help and man
 * page say. */
#include <stddef.h>
#include "probe/probe.h"

static const struct mt_opt options[] = {
	{ 0 },
};

static const struct mt_man_section man[] = {
	{ "OUTPUT",
	  "Host: the kernel release; privileges (root, CAP_BPF and CAP_PERFMON, or "
	  "missing); the kernel BTF used for CO-RE (/sys/kernel/btf/vmlinux, or "
	  "MEMTRACE_BTF); the BPF ring buffer (5.8+); task storage for tracing "
	  "programs (5.11+); multi-uprobe links (6.6+); tracefs (where it is "
	  "mounted, or whether it can be: probe mounts nothing); kprobes; fentry, "
	  "tried on vfs_getattr_nosec; the uprobe PMU; BPF_PROG_TEST_RUN on raw_tp "
	  "programs (5.10+); the sysctls kptr_restrict, perf_event_paranoid, "
	  "unprivileged_bpf_disabled and bpf_stats_enabled; the lockdown mode; "
	  "libbpf's version.\n"
	  "\n"
	  "Then each command, and for each of its hooks the method this kernel "
	  "gives, or none, followed by every method before it in the hook's chain "
	  "and why it was ruled out, or that MEMTRACE_DISABLE disabled it. The "
	  "checks are those the command itself makes before it loads anything.\n"
	  "\n"
	  "With --json, one object: \"host\" (each yes-or-no fact as "
	  "{\"available\", \"detail\"}, a sysctl as a number, null where it could "
	  "not be read) and \"commands\", a list of {\"command\", \"mode\", "
	  "\"hooks\"}, each hook {\"hook\", \"method\" (null for none), \"detail\", "
	  "\"ruled_out\": [{\"method\", \"disabled\", \"reason\"}]}." },
	{ "ENVIRONMENT",
	  "MEMTRACE_DISABLE and MEMTRACE_BTF are read as the other commands read "
	  "them: a method MEMTRACE_DISABLE names is shown as disabled, and the "
	  "kernel BTF is MEMTRACE_BTF's." },
	{ "EXIT STATUS",
	  "0 when the report was written, whatever it says (without privileges "
	  "the BPF checks show what the kernel refused); 1 when it cannot be "
	  "written or MEMTRACE_DISABLE names an unknown method; 2 on a usage "
	  "error." },
	{ "EXAMPLES",
	  "  memtrace probe                          what this host offers\n"
	  "  MEMTRACE_DISABLE=tp_btf memtrace probe  what the fallbacks would use\n"
	  "  memtrace probe --json                   the same for a script" },
	{ NULL, NULL },
};

const struct mt_cli probe_cli = {
	.name = "probe",
	.summary = "what this kernel offers each command (hooks, and why others were ruled out)",
	.synopsis = "probe [options]",
	.description =
		"Show what this host offers memtrace: privileges, kernel BTF, the BPF\n"
		"features the commands rely on, and for each command and each of its\n"
		"hooks the attach method this kernel gives, with the reason every method\n"
		"before it was ruled out. Nothing of the commands is loaded and nothing\n"
		"is mounted; a few programs and maps of a few bytes ask the kernel and\n"
		"are closed at once.\n",
	.opts = options,
	.common_group = "Options",
	.verbose_help = "show libbpf's messages",
	.json_help = "one JSON object: the host, and each command's hooks",
	.positional = MT_POS_NONE,
	.help_tail =
		"Examples:\n"
		"  memtrace probe                          what this host offers\n"
		"  MEMTRACE_DISABLE=tp_btf memtrace probe  what the fallbacks would use\n"
		"  memtrace probe --json                   the same for a script\n",
	.man = man,
	.opts_size = sizeof(struct probe_opts),
};
