// SPDX-License-Identifier: GPL-2.0
// Tests for src/core/args.c: strict number, size and duration parsing, common options.
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core/args.h"
#include "core/log.h"
#include "capture.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The parsers behind one signature, to run the same cases through all. */
struct parser {
	const char *name;
	int (*parse)(const char *s, uint64_t *out);
};

static int p_u64(const char *s, uint64_t *out)
{
	return parse_u64(s, 0, UINT64_MAX, out);
}

static int p_pid(const char *s, uint64_t *out)
{
	pid_t pid;
	int err = parse_pid(s, &pid);

	if (!err)
		*out = (uint64_t)pid;
	return err;
}

static int p_size(const char *s, uint64_t *out)
{
	return parse_size(s, out);
}

static int p_duration(const char *s, uint64_t *out)
{
	return parse_duration(s, NS_PER_MS, out);
}

static const struct parser parsers[] = {
	{ "parse_u64", p_u64 },
	{ "parse_pid", p_pid },
	{ "parse_size", p_size },
	{ "parse_duration", p_duration },
};

static void test_u64(void)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 },
		{ "42", 42 },
		{ "007", 7 },
		{ "18446744073709551615", UINT64_MAX },
	};
	uint64_t v;
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		v = 12345;
		err = parse_u64(good[i].s, 0, UINT64_MAX, &v);
		ok(!err && v == good[i].v, "parse_u64(\"%s\") = %llu", good[i].s,
		   (unsigned long long)good[i].v);
	}

	ok(!parse_u64("10", 10, 20, &v) && v == 10, "parse_u64 accepts min");
	ok(!parse_u64("20", 10, 20, &v) && v == 20, "parse_u64 accepts max");
	ok(parse_u64("9", 10, 20, &v) == -ERANGE, "parse_u64 below min: -ERANGE");
	ok(parse_u64("21", 10, 20, &v) == -ERANGE, "parse_u64 above max: -ERANGE");
	ok(parse_u64("0", 1, UINT64_MAX, &v) == -ERANGE,
	   "parse_u64(\"0\") with min 1: -ERANGE");
	ok(parse_u64("5\n", 0, UINT64_MAX, &v) == -EINVAL,
	   "parse_u64(\"5\\n\"): -EINVAL");
}

static void test_pid(void)
{
	pid_t pid = 0;

	ok(!parse_pid("1", &pid) && pid == 1, "parse_pid(\"1\") = 1");
	ok(!parse_pid("4194304", &pid) && pid == 4194304,
	   "parse_pid(\"4194304\") = 4194304");
	ok(!parse_pid("2147483647", &pid) && pid == INT_MAX,
	   "parse_pid(\"2147483647\") = INT_MAX");
	ok(parse_pid("0", &pid) == -ERANGE, "parse_pid(\"0\"): -ERANGE");
	ok(parse_pid("2147483648", &pid) == -ERANGE,
	   "parse_pid(\"2147483648\"): -ERANGE");
}

static void test_size(void)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "4K", 4096 },
		{ "4k", 4096 },
		{ "4KB", 4096 },
		{ "4KiB", 4096 },
		{ "1M", 1ULL << 20 },
		{ "1MiB", 1ULL << 20 },
		{ "2G", 2ULL << 30 },
		{ "1T", 1ULL << 40 },
		{ "16777215T", 16777215ULL << 40 },
		{ "18446744073709551615", UINT64_MAX },
	};
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		v = 12345;
		ok(!parse_size(good[i].s, &v) && v == good[i].v,
		   "parse_size(\"%s\") = %llu", good[i].s,
		   (unsigned long long)good[i].v);
	}
	ok(parse_size("17179869184G", &v) == -ERANGE,
	   "parse_size(\"17179869184G\") (2^64): -ERANGE");
	ok(parse_size("16777216T", &v) == -ERANGE,
	   "parse_size(\"16777216T\") (2^64): -ERANGE");
	ok(parse_size("4KiBB", &v) == -EINVAL, "parse_size(\"4KiBB\"): -EINVAL");
	ok(parse_size("K", &v) == -EINVAL, "parse_size(\"K\"): -EINVAL");
	ok(parse_size("4P", &v) == -EINVAL, "parse_size(\"4P\"): -EINVAL");

	/* A space between number and unit is not a unit. */
	ok(parse_size("1 B", &v) == -EINVAL, "parse_size(\"1 B\"): -EINVAL");
}

static void test_duration(void)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 },
		{ "500", 500 * NS_PER_MS },
		{ "500ms", 500 * NS_PER_MS },
		{ "2s", 2 * NS_PER_SEC },
		{ "1m", 60 * NS_PER_SEC },
		{ "1h", 3600 * NS_PER_SEC },
		{ "10us", 10000 },
		{ "5ns", 5 },
		{ "1.5s", 1500 * NS_PER_MS },
		{ "1.5m", 90 * NS_PER_SEC },
		{ "0.25", 250000 },
		{ "0.5ns", 0 },
		/* digits beyond a nanosecond are dropped */
		{ "1.0000000009s", NS_PER_SEC },
		/* the largest whole number of hours, plus half an hour */
		{ "5124095h", 5124095ULL * 3600 * NS_PER_SEC },
		{ "5124095.5h", 5124095ULL * 3600 * NS_PER_SEC + 1800 * NS_PER_SEC },
	};
	static const char *const bad[] = { "2S", "1sec", "1 s", "s", "1.s", "5m s" };
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		v = 12345;
		ok(!parse_duration(good[i].s, NS_PER_MS, &v) && v == good[i].v,
		   "parse_duration(\"%s\", ms) = %llu ns", good[i].s,
		   (unsigned long long)good[i].v);
	}
	ok(!parse_duration("3", NS_PER_SEC, &v) && v == 3 * NS_PER_SEC,
	   "parse_duration(\"3\", s) = 3 s");
	ok(!parse_duration("18446744073709551615", 1, &v) && v == UINT64_MAX,
	   "parse_duration(u64 max, ns) = u64 max");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(parse_duration(bad[i], NS_PER_MS, &v) == -EINVAL,
		   "parse_duration(\"%s\"): -EINVAL", bad[i]);

	ok(parse_duration("18446744073709551615s", NS_PER_MS, &v) == -ERANGE,
	   "parse_duration(\"18446744073709551615s\"): -ERANGE");
	ok(parse_duration("18446744073709551615", NS_PER_MS, &v) == -ERANGE,
	   "parse_duration(u64 max, ms): -ERANGE");
	ok(parse_duration("5124096h", NS_PER_MS, &v) == -ERANGE,
	   "parse_duration(\"5124096h\"): -ERANGE");
	ok(parse_duration("5124095.9h", NS_PER_MS, &v) == -ERANGE,
	   "parse_duration(\"5124095.9h\") (overflow in the fraction): -ERANGE");
}

/* What every parser must turn down, whatever it accepts otherwise. */
static void test_reject_all(void)
{
	static const char *const einval[] = {
		"", "12x", "-5", "+5", " 5", "5 ", "0x10", "1.", ".5", "4Q",
		"4KX", "2 s", "1.5.1",
	};
	static const char *const erange[] = {
		"18446744073709551616", "99999999999999999999",
		"123456789012345678901234567890",
	};

	for (size_t p = 0; p < ARRAY_SIZE(parsers); p++) {
		for (size_t i = 0; i < ARRAY_SIZE(einval); i++) {
			uint64_t v = 12345;
			int err = parsers[p].parse(einval[i], &v);

			ok(err == -EINVAL, "%s(\"%s\"): -EINVAL (got %d)",
			   parsers[p].name, einval[i], err);
		}
		for (size_t i = 0; i < ARRAY_SIZE(erange); i++) {
			uint64_t v = 12345;
			int err = parsers[p].parse(erange[i], &v);

			ok(err == -ERANGE, "%s(\"%s\"): -ERANGE (got %d)",
			   parsers[p].name, erange[i], err);
		}
	}
}

enum { OPT_DURATION = OPT_CMD_FIRST };

static const struct option longopts[] = {
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "pid", required_argument, NULL, 'p' },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};
static const char optstring[] = ":p:" COMMON_SHORT_OPTS;

static int usage_calls;
static FILE *usage_out;

static void usage(FILE *out)
{
	usage_calls++;
	usage_out = out;
}

/*
 * Parses "test args..." the way a command does: its own options, then
 * args_common() for the rest. Returns the first status args_common() gives
 * (-1 if none), with what it wrote on stderr in msg.
 */
static int run(struct common_opts *co, char *msg, size_t len,
	       const char *const *args)
{
	char store[8][64], *argv[9];
	struct capture cap;
	int argc = 0, c, ret = -1;

	snprintf(store[0], sizeof(store[0]), "test");
	argv[argc] = store[argc];
	for (argc++; *args && argc < 8; args++, argc++) {
		snprintf(store[argc], sizeof(store[argc]), "%s", *args);
		argv[argc] = store[argc];
	}
	argv[argc] = NULL;

	/* 0 rather than 1: glibc then also forgets a position inside a group
	 * of short options where an earlier run stopped. */
	optind = 0;
	opterr = 0;
	capture_start(&cap);
	while (ret < 0 &&
	       (c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (c == 'p' || c == OPT_DURATION)
			continue;
		ret = args_common(c, argv, longopts, co, usage);
	}
	capture_end(&cap, msg, len);
	return ret;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void check_usage_error(const char *const *args, const char *want,
			      const char *what)
{
	struct common_opts co = { 0 };
	char msg[512];
	int ret;

	ret = run(&co, msg, sizeof(msg), args);
	ok(ret == 2, "%s: args_common returns 2 (got %d)", what, ret);
	if (!ok(!strcmp(msg, want), "%s: message is \"%.*s\"", what,
		(int)strcspn(want, "\n"), want))
		printf("#   got \"%s\"\n", msg);
}

static void test_common(void)
{
	struct common_opts co = { 0 };
	struct capture cap;
	char msg[512];
	int ret;

	log_set_cmd("test");

	ret = args_common('v', NULL, longopts, &co, usage);
	ok(ret == -1 && co.verbose == 1 && log_verbose() == 1,
	   "args_common('v') goes on, verbose 1");
	ret = args_common(OPT_JSON, NULL, longopts, &co, usage);
	ok(ret == -1 && co.json, "args_common(OPT_JSON) goes on, json set");
	log_set_verbose(0);

	co = (struct common_opts){ 0 };
	ret = run(&co, msg, sizeof(msg), ARGS("-v", "--verbose", "--json", "-vv"));
	ok(ret == -1 && co.verbose == 4 && co.json && !msg[0],
	   "-v --verbose --json -vv: verbose 4, json, nothing on stderr");
	log_set_verbose(0);

	usage_calls = 0;
	usage_out = NULL;
	ret = args_common('h', NULL, longopts, &co, usage);
	ok(ret == 0 && usage_calls == 1 && usage_out == stdout,
	   "args_common('h') prints usage on stdout, returns 0");
	usage_calls = 0;
	ret = run(&co, msg, sizeof(msg), ARGS("--pid", "1", "--help", "--bogus"));
	ok(ret == 0 && usage_calls == 1 && !msg[0],
	   "--help stops parsing with status 0");

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

	/*
	 * An unknown short option that is not the last of its group: getopt
	 * has not moved optind past the group yet, so argv[optind - 1] is the
	 * previous argument and must not be what the message names.
	 */
	ret = run(&co, msg, sizeof(msg), ARGS("--json", "-xv"));
	ok(ret == 2 && strstr(msg, "unknown option '-x'"),
	   "--json -xv: message names '-x'");

	capture_start(&cap);
	ret = args_common('z', NULL, longopts, &co, usage);
	capture_end(&cap, msg, sizeof(msg));
	ok(ret == 2 && strstr(msg, "unhandled option"),
	   "args_common with a value the command forgot: 2");
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
	log_set_cmd("test");
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
	test_u64();
	test_pid();
	test_size();
	test_duration();
	test_reject_all();
	test_common();
	test_bad_value();
	return tap_done();
}
