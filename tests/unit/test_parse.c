// SPDX-License-Identifier: GPL-2.0
// Tests for src/util/parse.c: strict number, size and duration parsing.
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "util/parse.h"
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

enum { P_U64, P_PID, P_SIZE, P_DURATION };

static const struct parser parsers[] = {
	[P_U64] = { "parse_u64", p_u64 },
	[P_PID] = { "parse_pid", p_pid },
	[P_SIZE] = { "parse_size", p_size },
	[P_DURATION] = { "parse_duration", p_duration },
};

/* Text a parser accepts, and the value it gives. */
struct good {
	const char *s;
	uint64_t v;
};

/* Each case parses to its value; args and unit only word the test name. */
static void check_good(const struct parser *p, const char *args,
		       const char *unit, const struct good *good, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v = 12345;
		int err = p->parse(good[i].s, &v);

		ok(!err && v == good[i].v, "%s(\"%s\"%s) = %llu%s", p->name,
		   good[i].s, args, (unsigned long long)good[i].v, unit);
	}
}

static void test_u64(void)
{
	static const struct good good[] = {
		{ "0", 0 },
		{ "42", 42 },
		{ "007", 7 },
		{ "18446744073709551615", UINT64_MAX },
	};
	uint64_t v;

	check_good(&parsers[P_U64], "", "", good, ARRAY_SIZE(good));

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
	static const struct good good[] = {
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

	check_good(&parsers[P_SIZE], "", "", good, ARRAY_SIZE(good));
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
	static const struct good good[] = {
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

	check_good(&parsers[P_DURATION], ", ms", " ns", good, ARRAY_SIZE(good));
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

	static const struct {
		const char *const *s;
		size_t n;
		int err;
		const char *name;
	} sets[] = {
		{ einval, ARRAY_SIZE(einval), -EINVAL, "-EINVAL" },
		{ erange, ARRAY_SIZE(erange), -ERANGE, "-ERANGE" },
	};

	for (size_t p = 0; p < ARRAY_SIZE(parsers); p++) {
		for (size_t k = 0; k < ARRAY_SIZE(sets); k++) {
			for (size_t i = 0; i < sets[k].n; i++) {
				uint64_t v = 12345;
				int err = parsers[p].parse(sets[k].s[i], &v);

				ok(err == sets[k].err, "%s(\"%s\"): %s (got %d)",
				   parsers[p].name, sets[k].s[i], sets[k].name,
				   err);
			}
		}
	}
}

int main(void)
{
	test_u64();
	test_pid();
	test_size();
	test_duration();
	test_reject_all();
	return tap_done();
}
