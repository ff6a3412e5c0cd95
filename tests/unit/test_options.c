// SPDX-License-Identifier: GPL-2.0
// Tests for src/core/options.c: parsing a command line with an option table.
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include "core/log.h"
#include "core/options.h"
#include "capture.h"
#include "tap.h"

struct test_opts {
	struct common_opts common;
	uint64_t duration_ns;
	pid_t pid;
	bool flag;
	int key;
};

static const char *const keys[] = { "alpha", "beta", NULL };

static const struct mt_opt options[] = {
	{ .name = "duration", .arg = "SEC", .group = "Options", .help = "how long",
	  .parse = opt_seconds, .offset = offsetof(struct test_opts, duration_ns) },
	{ .name = "pid", .short_name = 'p', .arg = "PID", .group = "Options",
	  .help = "which", .parse = opt_pid, .offset = offsetof(struct test_opts, pid) },
	{ .name = "flag", .short_name = 'f', .group = "Options", .help = "on",
	  .offset = offsetof(struct test_opts, flag), .old_name = "old-flag" },
	{ .name = "key", .arg = "KEY", .group = "Options", .help = "one of",
	  .parse = opt_choice, .choices = keys,
	  .offset = offsetof(struct test_opts, key) },
	{ 0 },
};

static const struct mt_cli cli = {
	.name = "test", .summary = "a test", .synopsis = "test [options]",
	.description = "A test.\n", .opts = options, .common_group = "Options",
	.positional = MT_POS_NONE, .opts_size = sizeof(struct test_opts),
};

/* mt_parse of "test args...", with what it wrote on stderr in msg and on
 * stdout in out. */
static enum mt_parse_result run(struct test_opts *o, char *msg, size_t len,
				const char *const *args)
{
	char store[8][64], *argv[9], **rest, out[4096];
	struct capture err, std;
	enum mt_parse_result res;
	int argc = 0, nrest;

	snprintf(store[0], sizeof(store[0]), "test");
	argv[argc] = store[argc];
	for (argc++; *args && argc < 8; args++, argc++) {
		snprintf(store[argc], sizeof(store[argc]), "%s", *args);
		argv[argc] = store[argc];
	}
	argv[argc] = NULL;
	capture_start(&err);
	capture_start_stdout(&std);
	res = mt_parse(&cli, argc, argv, o, &rest, &nrest);
	capture_end_stdout(&std, out, sizeof(out));
	capture_end(&err, msg, len);
	log_set_verbose(0);
	return res;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void check_usage_error(const char *const *args, const char *want,
			      const char *what)
{
	struct test_opts o;
	char msg[512];

	ok(run(&o, msg, sizeof(msg), args) == MT_PARSE_USAGE,
	   "%s: a usage error", what);
	if (!ok(!strcmp(msg, want), "%s: message is \"%.*s\"", what,
		(int)strcspn(want, "\n"), want))
		printf("#   got \"%s\"\n", msg);
}

static void test_values(void)
{
	struct test_opts o;
	char msg[512];

	ok(run(&o, msg, sizeof(msg), ARGS("-v", "--verbose", "--json", "-vv")) ==
		   MT_PARSE_OK && o.common.verbose == 4 && o.common.json && !msg[0],
	   "-v --verbose --json -vv: verbose 4, json, nothing on stderr");
	ok(run(&o, msg, sizeof(msg), ARGS("--duration", "1.5", "-p", "42", "-f",
					  "--key", "beta")) == MT_PARSE_OK &&
		   o.duration_ns == 1500000000ULL && o.pid == 42 && o.flag &&
		   o.key == 1,
	   "values land in their fields");
	ok(run(&o, msg, sizeof(msg), ARGS("--dur=2", "--pid=7")) == MT_PARSE_OK &&
		   o.duration_ns == 2000000000ULL && o.pid == 7,
	   "--name=value and an abbreviated long name");
	ok(run(&o, msg, sizeof(msg), ARGS("--old-flag")) == MT_PARSE_OK && o.flag &&
		   strstr(msg, "--old-flag is now --flag"),
	   "a former name still works, with a note");
	ok(run(&o, msg, sizeof(msg), ARGS("--pid", "1", "--help", "--bogus")) ==
		   MT_PARSE_DONE && !msg[0],
	   "--help stops parsing: done, nothing on stderr");
}

static void test_errors(void)
{
	check_usage_error(ARGS("--bogus"),
			  "memtrace test: unknown option '--bogus' (see 'memtrace test --help')\n",
			  "--bogus");
	check_usage_error(ARGS("--json", "--bogus=3"),
			  "memtrace test: unknown option '--bogus' (see 'memtrace test --help')\n",
			  "--bogus=3");
	check_usage_error(ARGS("-x"),
			  "memtrace test: unknown option '-x' (see 'memtrace test --help')\n",
			  "-x");
	check_usage_error(ARGS("-vx"),
			  "memtrace test: unknown option '-x' (see 'memtrace test --help')\n",
			  "-vx");
	/* getopt has not moved past the group: argv[optind - 1] is the
	 * previous argument, which the message must not name. */
	check_usage_error(ARGS("--json", "-xv"),
			  "memtrace test: unknown option '-x' (see 'memtrace test --help')\n",
			  "--json -xv");
	check_usage_error(ARGS("--duration"),
			  "memtrace test: option '--duration' needs a value (see 'memtrace test --help')\n",
			  "--duration without a value");
	check_usage_error(ARGS("--json", "--dur"),
			  "memtrace test: option '--dur' needs a value (see 'memtrace test --help')\n",
			  "--dur (abbreviated) without a value");
	check_usage_error(ARGS("-p"),
			  "memtrace test: option '-p' needs a value (see 'memtrace test --help')\n",
			  "-p without a value");
	check_usage_error(ARGS("--pid=1", "-v", "-p"),
			  "memtrace test: option '-p' needs a value (see 'memtrace test --help')\n",
			  "-p without a value after --pid=1");
	check_usage_error(ARGS("--json=1"),
			  "memtrace test: option '--json' takes no value (see 'memtrace test --help')\n",
			  "--json=1");
	check_usage_error(ARGS("--verbose=yes"),
			  "memtrace test: option '--verbose' takes no value (see 'memtrace test --help')\n",
			  "--verbose=yes");
	check_usage_error(ARGS("--key", "gamma"),
			  "memtrace test: invalid value 'gamma' for --key: expected alpha or beta (see 'memtrace test --help')\n",
			  "--key gamma");
	check_usage_error(ARGS("-p", "0"),
			  "memtrace test: invalid value '0' for -p: out of range (expected a process id, from 1 to 2147483647) (see 'memtrace test --help')\n",
			  "-p 0");
	check_usage_error(ARGS("--duration", "0"),
			  "memtrace test: invalid value '0' for --duration: out of range (expected seconds, more than 0, e.g. 5, 500ms or 2m) (see 'memtrace test --help')\n",
			  "--duration 0");
	check_usage_error(ARGS("extra"),
			  "memtrace test: unexpected argument 'extra' (see 'memtrace test --help')\n",
			  "a positional argument it does not take");
}

/* args_bad_value(...) with stderr captured; 1 if it returned 2 and
 * printed exactly want. */
static int bad_value(const char *opt, const char *value, int err,
		     const char *expected, const char *want)
{
	struct capture cap;
	char msg[512];
	int ret;

	capture_start(&cap);
	ret = args_bad_value(opt, value, err, expected);
	capture_end(&cap, msg, sizeof(msg));
	if (ret == 2 && !strcmp(msg, want))
		return 1;
	printf("#   returned %d, printed \"%s\"\n", ret, msg);
	return 0;
}

static void test_bad_value(void)
{
	ok(bad_value("--duration", "soon", -EINVAL, "expected seconds",
		     "memtrace test: invalid value 'soon' for --duration: expected seconds (see 'memtrace test --help')\n"),
	   "args_bad_value -EINVAL: returns 2, says what was expected");
	ok(bad_value("--pid", "0", -ERANGE, "expected a PID",
		     "memtrace test: invalid value '0' for --pid: out of range (expected a PID) (see 'memtrace test --help')\n"),
	   "args_bad_value -ERANGE: returns 2, says out of range and what is expected");
	log_set_cmd(NULL);
	ok(bad_value("--pid", "x", -EINVAL, "expected a PID",
		     "memtrace: invalid value 'x' for --pid: expected a PID (see 'memtrace --help')\n"),
	   "args_bad_value without a command name: \"memtrace: ...\"");
	log_set_cmd("test");
}

int main(void)
{
	log_set_cmd("test");
	test_values();
	test_errors();
	test_bad_value();
	return tap_done();
}
