// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <bpf/libbpf.h>
#include "core/log.h"

static const char *cmd_name;
static int verbose;

void log_set_cmd(const char *cmd)
{
	cmd_name = cmd;
}

void log_set_verbose(int level)
{
	verbose = level;
}

int log_verbose(void)
{
	return verbose;
}

static void vlog(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	if (cmd_name)
		fprintf(stderr, "memtrace %s: %s", cmd_name, kind);
	else
		fprintf(stderr, "memtrace: %s", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

int log_usage(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	if (cmd_name)
		fprintf(stderr, "memtrace %s: ", cmd_name);
	else
		fputs("memtrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd_name)
		fprintf(stderr, " (see 'memtrace %s --help')\n", cmd_name);
	else
		fprintf(stderr, " (see 'memtrace --help')\n");
	return 2;
}

int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose || (level == LIBBPF_DEBUG && verbose < 2))
		return 0;
	fflush(stdout);
	return vfprintf(stderr, fmt, ap);
}
