// SPDX-License-Identifier: GPL-2.0
/* memtrace: the command table and dispatch. */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "core/log.h"
#include "version.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "filecache", cmd_filecache, "page-cache residency of files and directory trees" },
	{ "kmalloc", cmd_kmalloc, "kernel kmalloc calls: stream, or aggregate by call site, process, size" },
	{ "leak", cmd_leak, "outstanding allocations by call stack (-p PID, -- CMD; else the kernel's)" },
	{ "procs", cmd_procs, "process exec/exit with lifetime and memory use" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: memtrace <command> [options]\n"
		"       memtrace help [command]\n"
		"       memtrace --version\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-10s  %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\n"
		"Every command takes -v/--verbose (the hooks chosen, libbpf's messages),\n"
		"--json (one JSON object per line) and -h/--help.\n"
		"\n"
		"Environment:\n"
		"  MEMTRACE_DISABLE=LIST  hook methods not to use, comma-separated, to force\n"
		"                         a fallback: tp_btf, tracepoint, raw_tp, fentry,\n"
		"                         kprobe, test_run\n"
		"  MEMTRACE_BTF=FILE      kernel BTF for CO-RE instead of /sys/kernel/btf/vmlinux\n"
		"\n"
		"Needs root (or CAP_BPF and CAP_PERFMON), a kernel with BTF and the BPF ring\n"
		"buffer (Linux 5.8 or later).\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	log_set_cmd(cmd->name);
	return cmd->fn(argc, argv);
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	const char *arg = argc > 1 ? argv[1] : NULL;

	libbpf_set_print(log_libbpf);
	if (!arg) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
		printf("memtrace %s (commit %s, libbpf %s)\n", MEMTRACE_VERSION,
		       MEMTRACE_COMMIT, libbpf_version_string());
		return 0;
	}
	if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(arg, "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		cmd = find_command(argv[2]);
		if (!cmd)
			return log_usage("unknown command '%s'", argv[2]);
		return run(cmd, 2, (char *[]){ argv[2], "--help", NULL });
	}
	if (arg[0] == '-')
		return log_usage("unknown option '%s'", arg);
	cmd = find_command(arg);
	if (!cmd)
		return log_usage("unknown command '%s'", arg);
	return run(cmd, argc - 1, argv + 1);
}
