/* SPDX-License-Identifier: GPL-2.0 */
/* Option values for the getopt loops of commands not yet on option tables. */
#ifndef MEMTRACE_ARGS_H
#define MEMTRACE_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "util/parse.h"

#include "core/options.h"

enum {
	OPT_JSON = 0x100,
	OPT_CMD_FIRST,		/* first value free for a command's long options */
};

#define COMMON_SHORT_OPTS "vh"
#define COMMON_LONG_OPTS						\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "json", no_argument, NULL, OPT_JSON },			\
	{ "help", no_argument, NULL, 'h' }

/*
 * Handles what getopt_long() returned when the command did not: the common
 * options, unknown options and missing values. Returns -1 to go on parsing,
 * else the status to exit with (0 after --help, 2 on a usage error). Needs
 * an optstring that starts with ':'.
 */
int args_common(int c, char **argv, const struct option *longopts,
		struct common_opts *co, void (*usage)(FILE *out));

/* "invalid value 'x' for --opt: EXPECTED", or with -ERANGE "...: out of
 * range (EXPECTED)", as a usage error; returns 2. EXPECTED says the
 * valid values. */
int args_bad_value(const char *opt, const char *value, int err,
		   const char *expected);

/*
 * Option values several commands take, parsed and checked alike. Each
 * returns -1 when the value is good (stored in *out), else 2 after a usage
 * error naming opt and the value.
 */
/* A whole number from min to max; the error says the range. */
int arg_u64(const char *opt, const char *value, uint64_t min, uint64_t max,
	    uint64_t *out);
int arg_pid(const char *opt, const char *value, pid_t *out);
/* A command name; the kernel keeps 15 bytes of it (TASK_COMM_LEN). */
int arg_comm(const char *opt, const char *value, char *out, size_t len);
int arg_size(const char *opt, const char *value, uint64_t *out);
/* Greater than 0; a bare number is in unit_ns. */
int arg_duration(const char *opt, const char *value, uint64_t unit_ns,
		 uint64_t *out);
/* 4K to 1G, rounded up to a power of two: what BPF ring buffers take. */
int arg_ringbuf_size(const char *opt, const char *value, uint64_t *out);

#endif /* MEMTRACE_ARGS_H */
