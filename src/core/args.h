/* SPDX-License-Identifier: GPL-2.0 */
/* Strict parsing of command-line values, and the options every command has. */
#ifndef MEMTRACE_ARGS_H
#define MEMTRACE_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define NS_PER_MS 1000000ULL
#define NS_PER_SEC 1000000000ULL

/*
 * Each returns 0, -EINVAL for text that is not of the form (sign, spaces,
 * junk after the number, empty), or -ERANGE when the value overflows or is
 * outside [min, max].
 */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_pid(const char *s, pid_t *out);
/* 4096, 4K, 4KB, 4KiB, 1M, 2G, 1T: binary multiples. */
int parse_size(const char *s, uint64_t *out);
/* 500ms, 2s, 1.5s, 1m, 1h, 10us, 5ns; a bare number is in unit_ns. */
int parse_duration(const char *s, uint64_t unit_ns, uint64_t *out_ns);

/* -v/--verbose, --json, -h/--help: in every command's option table. */
struct common_opts {
	int verbose;
	bool json;
};

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
int opt_u64(const char *opt, const char *value, uint64_t min, uint64_t max,
	    uint64_t *out);
int opt_pid(const char *opt, const char *value, pid_t *out);
/* A command name; the kernel keeps 15 bytes of it (TASK_COMM_LEN). */
int opt_comm(const char *opt, const char *value, char *out, size_t len);
int opt_size(const char *opt, const char *value, uint64_t *out);
/* Greater than 0; a bare number is in unit_ns. */
int opt_duration(const char *opt, const char *value, uint64_t unit_ns,
		 uint64_t *out);
/* 4K to 1G, rounded up to a power of two: what BPF ring buffers take. */
int opt_ringbuf_size(const char *opt, const char *value, uint64_t *out);

#endif /* MEMTRACE_ARGS_H */
