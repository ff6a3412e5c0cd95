// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "core/args.h"
#include "util/parse.h"
#include "core/log.h"

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

int arg_u64(const char *opt, const char *value, uint64_t min, uint64_t max,
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

int arg_pid(const char *opt, const char *value, pid_t *out)
{
	int err = parse_pid(value, out);

	return err ? args_bad_value(opt, value, err,
				    "expected a process id, from 1 to 2147483647") : -1;
}

int arg_comm(const char *opt, const char *value, char *out, size_t len)
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

int arg_size(const char *opt, const char *value, uint64_t *out)
{
	int err = parse_size(value, out);

	return err ? args_bad_value(opt, value, err,
				    "expected a size such as 512, 4K or 1M, below 16E") : -1;
}

int arg_duration(const char *opt, const char *value, uint64_t unit_ns,
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

int arg_ringbuf_size(const char *opt, const char *value, uint64_t *out)
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
