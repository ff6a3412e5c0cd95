// SPDX-License-Identifier: GPL-2.0
/* memtrace: the command table and dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "core/log.h"
#include "core/options.h"
#include "version.h"

static const struct command {
	const struct mt_cli *cli;
	int (*main)(void *opts, char **rest, int nrest);
} commands[] = {
	{ &filecache_cli, filecache_main },
	{ &kmalloc_cli, kmalloc_main },
	{ &leak_cli, leak_main },
	{ &probe_cli, probe_main },
	{ &procs_cli, procs_main },
	{ &serve_cli, serve_main },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct mt_cli *all_clis[NR_COMMANDS];
static const size_t nr_clis = NR_COMMANDS;

static void init_clis(void)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		all_clis[i] = commands[i].cli;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: memtrace <command> [options]\n"
		"       memtrace help [command]\n"
		"       memtrace --version\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-10s  %s\n", commands[i].cli->name,
			commands[i].cli->summary);
	fprintf(out,
		"\n"
		"Every command takes -v/--verbose (the hooks chosen, libbpf's messages),\n"
		"--json (one JSON object per line) and -h/--help.\n"
		"\n"
		"Environment:\n"
		"  MEMTRACE_DISABLE=LIST  hook methods not to use, comma-separated, to force\n"
		"                         a fallback: tp_btf, tracepoint, raw_tp, fentry,\n"
		"                         kprobe, test_run; task_storage (leak keeps its\n"
		"                         per-thread state in a hash map instead)\n"
		"  MEMTRACE_BTF=FILE      kernel BTF for CO-RE instead of /sys/kernel/btf/vmlinux\n"
		"\n"
		"Needs root (or CAP_BPF and CAP_PERFMON), a kernel with BTF and the BPF ring\n"
		"buffer (Linux 5.8 or later). The man pages: memtrace(8), memtrace-<command>(8).\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].cli->name, name))
			return &commands[i];
	return NULL;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	char **rest = NULL;
	int nrest = 0, status;
	void *opts;

	log_set_cmd(cmd->cli->name);
	opts = log_calloc(1, cmd->cli->opts_size);
	if (!opts)
		return 1;
	switch (mt_parse(cmd->cli, argc, argv, opts, &rest, &nrest)) {
	case MT_PARSE_OK:
		status = cmd->main(opts, rest, nrest);
		break;
	case MT_PARSE_DONE:
		status = 0;
		break;
	default:
		status = 2;
	}
	free(opts);
	return status;
}

/*
 * memtrace help [CMD]; and what the build writes the man pages and the
 * completion with: help --man [CMD] (roff), help --bash-completion.
 */
static int help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 3) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[2], "--bash-completion")) {
		mt_completion_bash(all_clis, nr_clis, stdout);
		return 0;
	}
	if (!strcmp(argv[2], "--man")) {
		if (argc < 4) {
			mt_man_main(all_clis, nr_clis, stdout);
			return 0;
		}
		cmd = find_command(argv[3]);
		if (!cmd)
			return log_usage("unknown command '%s'", argv[3]);
		mt_man(cmd->cli, all_clis, nr_clis, stdout);
		return 0;
	}
	cmd = find_command(argv[2]);
	if (!cmd)
		return log_usage("unknown command '%s'", argv[2]);
	mt_help(cmd->cli, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	const char *arg = argc > 1 ? argv[1] : NULL;

	libbpf_set_print(log_libbpf);
	init_clis();
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
	if (!strcmp(arg, "help"))
		return help(argc, argv);
	if (arg[0] == '-')
		return log_usage("unknown option '%s'", arg);
	cmd = find_command(arg);
	if (!cmd)
		return log_usage("unknown command '%s'", arg);
	return run(cmd, argc - 1, argv + 1);
}
