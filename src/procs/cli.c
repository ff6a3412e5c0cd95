// SPDX-License-Identifier: GPL-2.0
/* memtrace procs: its options and what its help and man page say. */
#include <stddef.h>
#include "core/log.h"
#include "procs/procs.h"

#define F(field) offsetof(struct procs_opts, field)

static const struct mt_opt options[] = {
	{ .name = "pid", .short_name = 'p', .arg = "PID", .group = "Options",
	  .help = "only PID and its descendants; stop when all have exited",
	  .parse = opt_pid, .offset = F(pid) },
	{ .name = "comm", .short_name = 'c', .arg = "COMM", .group = "Options",
	  .help = "only processes whose command name is exactly COMM",
	  .parse = opt_comm, .offset = F(comm) },
	{ .name = "min-lifetime", .short_name = 'd', .arg = "MS", .group = "Options",
	  .help = "only exits of processes that lived at least MS\n"
		  "milliseconds (or 2s, 1m); hides exec lines",
	  .parse = opt_millis, .offset = F(min_lifetime_ns) },
	{ .name = "exec", .group = "Options", .help = "only exec events",
	  .offset = F(exec_only) },
	{ .name = "exit", .group = "Options", .help = "only exit events",
	  .offset = F(exit_only) },
	{ .name = "duration", .arg = "SEC", .group = "Options",
	  .help = "stop after SEC seconds (or 500ms, 2m)",
	  .parse = opt_seconds, .offset = F(duration_ns) },
	{ .name = "ringbuf-size", .arg = "SIZE", .group = "Options",
	  .help = "BPF ring buffer size (default 1M)",
	  .parse = opt_ringbuf, .offset = F(ringbuf_size) },
	{ 0 },
};

static void defaults(void *opts)
{
	struct procs_opts *o = opts;

	o->ringbuf_size = 1 << 20;
}

static int check(void *opts, const struct mt_opt_seen *seen, char **rest,
		 int nrest)
{
	struct procs_opts *o = opts;

	(void)seen, (void)rest, (void)nrest;
	if (o->exec_only && o->exit_only)
		return log_usage("--exec and --exit exclude each other");
	if (o->min_lifetime_ns && o->exec_only)
		return log_usage("-d filters exit events; it cannot be used with --exec");
	return 0;
}

static const struct mt_man_section man[] = {
	{ "HOOKS",
	  "sched_process_exec, sched_process_exit and (with -p) sched_process_fork, "
	  "attached as tp_btf where the kernel's BTF describes them, else as classic "
	  "tracepoints (tracefs is mounted at /sys/kernel/tracing if nobody has). "
	  "-v names the method each one uses." },
	{ "LOSSES",
	  "An event that finds the ring buffer full is counted, as is one that finds "
	  "a map full; the summary and a warning on stderr give both. --ringbuf-size "
	  "makes room." },
	{ "EXIT STATUS",
	  "0 on success (Ctrl-C, --duration, or every process of -p gone), 1 on a "
	  "runtime failure, 2 on a usage error. A closed pipe ends it quietly with 0." },
	{ "EXAMPLES",
	  "  memtrace procs -d 10            processes that lived 10 ms or more\n"
	  "  memtrace procs -p 1234 --json   one service and what it starts" },
	{ NULL, NULL },
};

const struct mt_cli procs_cli = {
	.name = "procs",
	.summary = "process exec/exit with lifetime and memory use",
	.synopsis = "procs [options]",
	.description =
		"Trace process exec and exit, system-wide. An exit line shows how long the\n"
		"process lived (since fork) and its memory use: peak resident set size (the\n"
		"ru_maxrss that wait4() reports) and the minor and major page faults of all\n"
		"its threads. One exit line per process, from its last thread.\n",
	.opts = options,
	.common_group = "Options",
	.json_help = "one JSON object per event, and a summary",
	.positional = MT_POS_NONE,
	.help_tail =
		"Columns: LIFE_MS lifetime in ms; PEAK_RSS peak resident set size as wait4()\n"
		"and time(1) report it (the process's own, or its largest reaped child's);\n"
		"MINFLT, MAJFLT page faults of the process's own threads (not its\n"
		"children); EXIT/COMMAND the exit code or fatal signal, or the file\n"
		"executed and its arguments.\n"
		"\n"
		"Examples:\n"
		"  memtrace procs -d 10            processes that lived 10 ms or more\n"
		"  memtrace procs -p 1234 --json   one service and what it starts\n",
	.man = man,
	.opts_size = sizeof(struct procs_opts),
	.defaults = defaults,
	.check = check,
};
