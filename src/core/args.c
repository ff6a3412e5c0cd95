// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "core/args.h"
#include "core/log.h"

/* Leading decimal digits of s; *end points past them. */
static int scan_digits(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*end = p;
	*out = v;
	return 0;
}

static int mul_checked(uint64_t a, uint64_t b, uint64_t *out)
{
	if (b && a > UINT64_MAX / b)
		return -ERANGE;
	*out = a * b;
	return 0;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int err;

	err = scan_digits(s, &end, &v);
	if (err)
		return err;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_pid(const char *s, pid_t *out)
{
	uint64_t v;
	int err;

	/* pid_max is at most 2^22 (PID_MAX_LIMIT on 64-bit). */
	err = parse_u64(s, 1, INT_MAX, &v);
	if (err)
		return err;
	*out = (pid_t)v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v, mult = 1;
	int err, shift = 0;

	err = scan_digits(s, &end, &v);
	if (err)
		return err;
	switch (*end) {
	case 'K': case 'k':
		shift = 10;
		break;
	case 'M': case 'm':
		shift = 20;
		break;
	case 'G': case 'g':
		shift = 30;
		break;
	case 'T': case 't':
		shift = 40;
		break;
	}
	if (shift) {
		mult = 1ULL << shift;
		end++;
		if (*end == 'i')
			end++;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -EINVAL;
	return mul_checked(v, mult, out);
}

/* value * unit, where value is "int[.frac]" split at the point. */
static int scale(uint64_t ipart, const char *frac, size_t nfrac, uint64_t unit,
		 uint64_t *out)
{
	uint64_t f = 0, div = 1, v;
	int err;

	err = mul_checked(ipart, unit, &v);
	if (err)
		return err;
	/* Digits beyond a nanosecond are dropped. */
	for (size_t i = 0; i < nfrac && i < 9; i++) {
		f = f * 10 + (frac[i] - '0');
		div *= 10;
	}
	if (f) {
		/* unit <= 3600e9 and f < div <= 1e9: no overflow in u64/128. */
		f = (uint64_t)((unsigned __int128)f * unit / div);
		if (v > UINT64_MAX - f)
			return -ERANGE;
		v += f;
	}
	*out = v;
	return 0;
}

int parse_duration(const char *s, uint64_t unit_ns, uint64_t *out_ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "ms", NS_PER_MS },
		{ "s", NS_PER_SEC },
		{ "m", 60 * NS_PER_SEC },
		{ "h", 3600 * NS_PER_SEC },
	};
	const char *end, *frac = "";
	size_t nfrac = 0;
	uint64_t v;
	int err;

	err = scan_digits(s, &end, &v);
	if (err)
		return err;
	if (*end == '.') {
		frac = ++end;
		while (*end >= '0' && *end <= '9')
			end++;
		nfrac = end - frac;
		if (!nfrac)
			return -EINVAL;
	}
	if (!*end)
		return scale(v, frac, nfrac, unit_ns, out_ns);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].name))
			return scale(v, frac, nfrac, units[i].ns, out_ns);
	return -EINVAL;
}

/* The long option named by an argument "--name[=value]", or NULL. */
static const struct option *long_option(const char *arg,
					const struct option *longopts)
{
	size_t len;

	if (strncmp(arg, "--", 2))
		return NULL;
	arg += 2;
	len = strcspn(arg, "=");
	for (const struct option *o = longopts; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, arg, len))
			return o;
	return NULL;
}

/*
 * The option's name as the user typed it. getopt_long() sets optopt to 0
 * for an unknown long option, to the option's value for a known long
 * option used wrongly, and to the character for a short option; optind has
 * moved past a long option but not always past a short one in a group such
 * as "-vx", so argv is only read for long options.
 */
static void option_name(char **argv, const struct option *longopts,
			char *buf, size_t len)
{
	const char *arg = argv[optind - 1];
	const struct option *o = long_option(arg, longopts);

	if (optopt == 0 || (o && o->val == optopt))
		snprintf(buf, len, "%.*s", (int)strcspn(arg, "="), arg);
	else if (optopt < 0x100)
		snprintf(buf, len, "-%c", optopt);
	else
		snprintf(buf, len, "%s", arg);
}

int args_common(int c, char **argv, const struct option *longopts,
		struct common_opts *co, void (*usage)(FILE *out))
{
	char name[64];

	switch (c) {
	case 'v':
		co->verbose++;
		log_set_verbose(co->verbose);
		return -1;
	case OPT_JSON:
		co->json = true;
		return -1;
	case 'h':
		usage(stdout);
		return 0;
	case ':':
		option_name(argv, longopts, name, sizeof(name));
		return log_usage("option '%s' needs a value", name);
	case '?':
		option_name(argv, longopts, name, sizeof(name));
		/* A known long option given "=value" it does not take. */
		if (optopt && name[1] == '-')
			return log_usage("option '%s' takes no value", name);
		return log_usage("unknown option '%s'", name);
	default:
		return log_usage("unhandled option %d", c);
	}
}

int args_bad_value(const char *opt, const char *value, int err,
		   const char *expected)
{
	if (err == -ERANGE)
		return log_usage("invalid value '%s' for %s: out of range (%s)",
				 value, opt, expected);
	return log_usage("invalid value '%s' for %s: %s", value, opt, expected);
}

int opt_u64(const char *opt, const char *value, uint64_t min, uint64_t max,
	    uint64_t *out)
{
	char range[64];
	int err = parse_u64(value, min, max, out);

	if (!err)
		return -1;
	snprintf(range, sizeof(range), "%llu to %llu", (unsigned long long)min,
		 (unsigned long long)max);
	if (err == -ERANGE)
		return log_usage("invalid value '%s' for %s: out of range (%s)",
				 value, opt, range);
	return log_usage("invalid value '%s' for %s: expected a number from %s",
			 value, opt, range);
}

int opt_pid(const char *opt, const char *value, pid_t *out)
{
	int err = parse_pid(value, out);

	return err ? args_bad_value(opt, value, err,
				    "expected a process id, from 1 to 2147483647") : -1;
}

int opt_comm(const char *opt, const char *value, char *out, size_t len)
{
	if (!*value)
		return log_usage("%s needs a command name", opt);
	snprintf(out, len, "%s", value);
	/* The kernel keeps TASK_COMM_LEN - 1 bytes of a name: that is what
	 * a longer one can match. */
	if (strlen(value) >= len)
		log_warn("%s: the kernel keeps %zu bytes of a command name: matching '%s'",
			 opt, len - 1, out);
	return -1;
}

int opt_size(const char *opt, const char *value, uint64_t *out)
{
	int err = parse_size(value, out);

	return err ? args_bad_value(opt, value, err,
				    "expected a size such as 512, 4K or 1M, below 16E") : -1;
}

int opt_duration(const char *opt, const char *value, uint64_t unit_ns,
		 uint64_t *out)
{
	int err = parse_duration(value, unit_ns, out);

	if (!err && !*out)
		err = -ERANGE;
	if (err)
		return args_bad_value(opt, value, err,
				      unit_ns == NS_PER_MS ?
					      "expected milliseconds, more than 0, e.g. 10, 500ms, 2s" :
					      "expected seconds, more than 0, e.g. 10, 500ms, 2m");
	return -1;
}

int opt_ringbuf_size(const char *opt, const char *value, uint64_t *out)
{
	uint64_t v, r = 4096;
	int err = parse_size(value, &v);

	if (!err && (v < 4096 || v > (1ULL << 30)))
		err = -ERANGE;
	if (err)
		return args_bad_value(opt, value, err, "expected a size from 4K to 1G");
	while (r < v)
		r <<= 1;
	*out = r;
	return -1;
}
