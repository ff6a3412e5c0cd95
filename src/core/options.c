// SPDX-License-Identifier: GPL-2.0
/* Parsing a command line with a command's option table. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "core/log.h"
#include "core/options.h"
#include "util/parse.h"

#define OPT_BASE 0x100		/* getopt_long value of table entry 0 */
#define COMMON_BASE 0x200	/* ... and of mt_common_opts' entry 0 */

enum { COMMON_VERBOSE, COMMON_JSON, COMMON_HELP };

const struct mt_opt mt_common_opts[] = {
	[COMMON_VERBOSE] = { .name = "verbose", .short_name = 'v',
		.help = "show the hooks chosen and libbpf's messages" },
	[COMMON_JSON] = { .name = "json",
		.help = "one JSON object per line" },
	[COMMON_HELP] = { .name = "help", .short_name = 'h',
		.help = "show this help" },
	{ 0 },
};

static size_t count_opts(const struct mt_opt *opts)
{
	size_t n = 0;

	while (opts && opts[n].name)
		n++;
	return n;
}

bool mt_opt_given(const struct mt_opt_seen *seen, const char *name)
{
	const struct mt_opt *opts = seen->cli->opts;

	for (size_t i = 0; opts[i].name && i < 256; i++)
		if (!strcmp(opts[i].name, name))
			return seen->bits[i / 64] >> (i % 64) & 1;
	return false;
}

/* The table as getopt_long() wants it: long options (each old name too)
 * and the short option string. */
struct getopt_table {
	struct option *longs;
	char shorts[192];
};

static void add_long(struct option *l, size_t *n, const char *name,
		     bool arg, int val)
{
	l[(*n)++] = (struct option){ name, arg ? required_argument : no_argument,
				     NULL, val };
}

static void add_short(struct getopt_table *t, const struct mt_opt *o)
{
	size_t len = strlen(t->shorts);

	if (!o->short_name || len + 3 >= sizeof(t->shorts))
		return;
	t->shorts[len++] = o->short_name;
	if (o->arg)
		t->shorts[len++] = ':';
	t->shorts[len] = '\0';
}

static int build_table(const struct mt_cli *cli, struct getopt_table *t)
{
	size_t n = count_opts(cli->opts), k = 0;

	t->longs = calloc(2 * n + 4, sizeof(*t->longs));
	if (!t->longs)
		return -ENOMEM;
	/* '+': the options end at the first other argument (a command
	 * memtrace runs has options of its own); ':': missing values are
	 * ours to report. */
	snprintf(t->shorts, sizeof(t->shorts), "%s:",
		 cli->positional == MT_POS_COMMAND ? "+" : "");
	for (size_t i = 0; i < n; i++) {
		add_long(t->longs, &k, cli->opts[i].name, cli->opts[i].arg,
			 OPT_BASE + i);
		if (cli->opts[i].old_name)
			add_long(t->longs, &k, cli->opts[i].old_name,
				 cli->opts[i].arg, OPT_BASE + i);
		add_short(t, &cli->opts[i]);
	}
	for (size_t i = 0; mt_common_opts[i].name; i++) {
		add_long(t->longs, &k, mt_common_opts[i].name, false,
			 COMMON_BASE + i);
		add_short(t, &mt_common_opts[i]);
	}
	return 0;
}

/* The table entry for what getopt_long() returned, or NULL. */
static const struct mt_opt *entry_of(const struct mt_cli *cli, int c,
				     size_t *index)
{
	size_t n = count_opts(cli->opts);

	if (c >= OPT_BASE && c < OPT_BASE + (int)n) {
		*index = c - OPT_BASE;
		return &cli->opts[*index];
	}
	for (size_t i = 0; c < OPT_BASE && i < n; i++) {
		if (cli->opts[i].short_name == c) {
			*index = i;
			return &cli->opts[i];
		}
	}
	return NULL;
}

/*
 * The name the user typed for the option getopt_long() stopped at. optopt
 * is 0 for an unknown long option, the option's value for a known long
 * option used wrongly, and the character for a short option; optind has
 * moved past a long option but not always past a short one in a group
 * such as "-vx", so argv is only read for long options. After a short
 * option missing its value at the end, musl's optind is argc + 1.
 */
static void typed_name(int argc, char **argv, const struct getopt_table *t,
		       char *buf, size_t len)
{
	const char *arg = optind >= 1 && optind <= argc ? argv[optind - 1] : "";
	size_t n = strcspn(arg, "=");
	bool long_arg = !strncmp(arg, "--", 2);

	for (const struct option *o = t->longs; long_arg && optopt && o->name; o++)
		if (o->val == optopt && !strncmp(o->name, arg + 2, n - 2))
			break;
		else if (!o[1].name)
			long_arg = false;
	if (long_arg)
		snprintf(buf, len, "%.*s", (int)n, arg);
	else
		snprintf(buf, len, "-%c", optopt);
}

/* A getopt_long() complaint (':' or '?') as a usage error. */
static int getopt_error(int c, int argc, char **argv,
			const struct getopt_table *t)
{
	char name[96];

	typed_name(argc, argv, t, name, sizeof(name));
	if (c == ':')
		return log_usage("option '%s' needs a value", name);
	if (optopt && !strncmp(name, "--", 2))
		return log_usage("option '%s' takes no value", name);
	return log_usage("unknown option '%s'", name);
}

/* A renamed option said by its old name: a note, once. */
static void note_old_name(const struct mt_opt *o, char **argv)
{
	const char *arg = argv[optind - 1];

	if (!o->old_name || strncmp(arg, "--", 2) ||
	    strncmp(arg + 2, o->old_name, strlen(o->old_name)))
		return;
	log_note("--%s is now --%s; the old name goes in the next release",
		 o->old_name, o->name);
}

static int apply(const struct mt_opt *o, const char *value, void *opts)
{
	if (o->parse)
		return o->parse(o, value, opts);
	*(bool *)((char *)opts + o->offset) = true;
	return 0;
}

static int apply_common(const struct mt_cli *cli, int i, void *opts)
{
	struct common_opts *co = opts;

	switch (i) {
	case COMMON_VERBOSE:
		log_set_verbose(++co->verbose);
		return 0;
	case COMMON_JSON:
		co->json = true;
		return 0;
	default:
		mt_help(cli, stdout);
		return -1;
	}
}

static enum mt_parse_result positional(const struct mt_cli *cli, int argc,
				       char **argv, char ***rest, int *nrest)
{
	*rest = argv + optind;
	*nrest = argc - optind;
	switch (cli->positional) {
	case MT_POS_NONE:
		if (*nrest) {
			log_usage("unexpected argument '%s'", argv[optind]);
			return MT_PARSE_USAGE;
		}
		break;
	case MT_POS_LIST:
		if (!*nrest) {
			log_usage("no %s given", cli->positional_name);
			return MT_PARSE_USAGE;
		}
		break;
	case MT_POS_LIST_OPT:
		break;
	case MT_POS_COMMAND:
		if (!*nrest && optind > 1 && !strcmp(argv[optind - 1], "--")) {
			log_usage("'--' must be followed by the command to run");
			return MT_PARSE_USAGE;
		}
		break;
	}
	return MT_PARSE_OK;
}

enum mt_parse_result mt_parse(const struct mt_cli *cli, int argc, char **argv,
			      void *opts, char ***rest, int *nrest)
{
	struct mt_opt_seen seen = { .cli = cli };
	struct getopt_table t;
	enum mt_parse_result res = MT_PARSE_OK;
	size_t index;
	int c, err;

	memset(opts, 0, cli->opts_size);
	if (cli->defaults)
		cli->defaults(opts);
	if (build_table(cli, &t)) {
		log_err("out of memory");
		return MT_PARSE_USAGE;
	}
	/* 0, not 1: glibc then also forgets a place inside a group of short
	 * options where an earlier parse stopped. */
	optind = 0;
	opterr = 0;
	while (res == MT_PARSE_OK &&
	       (c = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
		const struct mt_opt *o = entry_of(cli, c, &index);

		if (o) {
			note_old_name(o, argv);
			seen.bits[index / 64] |= 1ULL << (index % 64);
			err = apply(o, optarg, opts);
		} else if (c >= COMMON_BASE) {
			err = apply_common(cli, c - COMMON_BASE, opts);
		} else if (c == 'v' || c == 'h') {
			err = apply_common(cli, c == 'v' ? COMMON_VERBOSE :
							   COMMON_HELP, opts);
		} else {
			err = getopt_error(c, argc, argv, &t);
		}
		if (err)
			res = err < 0 ? MT_PARSE_DONE : MT_PARSE_USAGE;
	}
	free(t.longs);
	if (res != MT_PARSE_OK)
		return res;
	res = positional(cli, argc, argv, rest, nrest);
	if (res == MT_PARSE_OK && cli->check &&
	    cli->check(opts, &seen, *rest, *nrest))
		res = MT_PARSE_USAGE;
	return res;
}

/* ---- Values ---- */

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


static void *field(const struct mt_opt *o, void *opts)
{
	return (char *)opts + o->offset;
}

/* "-p" or "--pid", as a message names the option. */
static const char *shown(const struct mt_opt *o, char *buf, size_t len)
{
	if (o->short_name)
		snprintf(buf, len, "-%c", o->short_name);
	else
		snprintf(buf, len, "--%s", o->name);
	return buf;
}

static int bad_value(const struct mt_opt *o, const char *v, int err,
		     const char *expected)
{
	char name[64];

	return args_bad_value(shown(o, name, sizeof(name)), v, err, expected);
}

int opt_count(const struct mt_opt *o, const char *v, void *opts)
{
	char name[64];

	return arg_u64(shown(o, name, sizeof(name)), v, o->min, o->max,
		       field(o, opts)) < 0 ? 0 : 2;
}

int opt_count_zero(const struct mt_opt *o, const char *v, void *opts)
{
	if (!strcmp(v, "0")) {
		*(uint64_t *)field(o, opts) = 0;
		return 0;
	}
	return opt_count(o, v, opts);
}

int opt_pid(const struct mt_opt *o, const char *v, void *opts)
{
	pid_t pid;
	int err = parse_pid(v, &pid);

	if (err)
		return bad_value(o, v, err, "expected a process id, from 1 to 2147483647");
	*(pid_t *)field(o, opts) = pid;
	return 0;
}

int opt_comm(const struct mt_opt *o, const char *v, void *opts)
{
	char name[64];

	return arg_comm(shown(o, name, sizeof(name)), v, field(o, opts), 16) < 0 ?
		       0 : 2;
}

int opt_size(const struct mt_opt *o, const char *v, void *opts)
{
	int err = parse_size(v, field(o, opts));

	return err ? bad_value(o, v, err, "expected a size such as 512, 4K or 1M, below 16E") :
		     0;
}

static int duration(const struct mt_opt *o, const char *v, void *opts,
		    uint64_t unit, const char *expected)
{
	uint64_t *ns = field(o, opts);
	int err = parse_duration(v, unit, ns);

	if (!err && !(o->zero_ok && !*ns) && (!*ns || *ns < o->min))
		err = -ERANGE;
	return err ? bad_value(o, v, err, expected) : 0;
}

int opt_seconds(const struct mt_opt *o, const char *v, void *opts)
{
	char expected[96];

	snprintf(expected, sizeof(expected), "expected seconds, %s, e.g. 5, 500ms or 2m",
		 o->min ? (o->zero_ok ? "0 or at least 1ms" : "at least 1ms") :
			  "more than 0");
	return duration(o, v, opts, NS_PER_SEC, expected);
}

int opt_millis(const struct mt_opt *o, const char *v, void *opts)
{
	return duration(o, v, opts, NS_PER_MS,
			o->zero_ok ? "expected milliseconds, e.g. 0, 500 or 2s" :
				     "expected milliseconds, more than 0, e.g. 10, 500ms, 2s");
}

int opt_ringbuf(const struct mt_opt *o, const char *v, void *opts)
{
	uint64_t size, r = 4096;
	int err = parse_size(v, &size);

	if (!err && (size < 4096 || size > (1ULL << 30)))
		err = -ERANGE;
	if (err)
		return bad_value(o, v, err, "expected a size from 4K to 1G");
	while (r < size)
		r <<= 1;
	*(uint64_t *)field(o, opts) = r;
	return 0;
}

int opt_choice(const struct mt_opt *o, const char *v, void *opts)
{
	char expected[256] = "expected ";
	size_t len;

	for (int i = 0; o->choices[i]; i++) {
		if (!strcmp(o->choices[i], v)) {
			*(int *)field(o, opts) = i;
			return 0;
		}
	}
	for (int i = 0; o->choices[i]; i++) {
		len = strlen(expected);
		snprintf(expected + len, sizeof(expected) - len, "%s%s",
			 !i ? "" : o->choices[i + 1] ? ", " : " or ", o->choices[i]);
	}
	return bad_value(o, v, -EINVAL, expected);
}

int opt_string(const struct mt_opt *o, const char *v, void *opts)
{
	if (!*v)
		return bad_value(o, v, -EINVAL, "expected a value, not an empty one");
	*(const char **)field(o, opts) = v;
	return 0;
}
