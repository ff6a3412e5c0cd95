// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
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

/* "memtrace <cmd>: ", after what stdout holds so far. */
static void prefix(void)
{
	fflush(stdout);
	if (cmd_name)
		fprintf(stderr, "memtrace %s: ", cmd_name);
	else
		fputs("memtrace: ", stderr);
}

static void vlog(const char *kind, const char *fmt, va_list ap)
{
	prefix();
	fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A printf-like entry point: its kind, and the -v level it needs. */
#define LOG_FN(name, kind, min_verbose)		\
	void name(const char *fmt, ...)		\
	{					\
		va_list ap;			\
						\
		if (verbose < (min_verbose))	\
			return;			\
		va_start(ap, fmt);		\
		vlog(kind, fmt, ap);		\
		va_end(ap);			\
	}

LOG_FN(log_err, "", 0)
LOG_FN(log_warn, "warning: ", 0)
LOG_FN(log_note, "", 0)
LOG_FN(log_info, "", 1)

int log_usage(const char *fmt, ...)
{
	va_list ap;

	prefix();
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

void *log_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		log_err("out of memory");
	return p;
}
