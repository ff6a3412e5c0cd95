/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Option tables. Each command declares its options once, in a table of
 * struct mt_opt; the same table parses the command line, writes --help,
 * the man page and the shell completion, so that they cannot disagree.
 */
#ifndef MEMTRACE_CORE_OPTIONS_H
#define MEMTRACE_CORE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The options every command has, first in its options struct. */
struct common_opts {
	int verbose;
	bool json;
};

struct mt_opt;

/*
 * Stores value (NULL for a flag) in the command's options struct opts.
 * Returns 0, or 2 after a usage error naming the option and the value.
 */
typedef int (*mt_opt_parse_fn)(const struct mt_opt *o, const char *value,
			       void *opts);

struct mt_opt {
	const char *name;		/* long name, without "--" */
	char short_name;		/* 0 if none */
	const char *arg;		/* the value's name ("PID"); NULL: a flag */
	const char *group;		/* its heading in --help and the man page */
	const char *help;		/* lines separated by '\n' */
	mt_opt_parse_fn parse;		/* NULL: a flag, a bool at offset */
	size_t offset;			/* of its field in the options struct */
	uint64_t min, max;		/* opt_count, opt_count_zero */
	const char *const *choices;	/* opt_choice: the names, NULL-ended;
					 * also what completion offers */
	const char *old_name;		/* a former long name, still taken for
					 * a release with a note on stderr */
	bool zero_ok;			/* opt_seconds, opt_millis: 0 too */
	bool completes_files;		/* its value is a path */
};

/* Which options of a command line were given. */
struct mt_cli;
struct mt_opt_seen {
	const struct mt_cli *cli;
	uint64_t bits[4];		/* by index in cli->opts */
};

/* Positional arguments a command takes after its options. */
enum mt_positional {
	MT_POS_NONE,			/* none */
	MT_POS_LIST,			/* one or more (PATH...) */
	MT_POS_LIST_OPT,		/* zero or more: the command's check()
					 * says when it needs one */
	MT_POS_COMMAND,			/* optional: -- CMD [ARGS...]; options
					 * end at CMD */
};

/* A section of prose in the man page (HOOKS, EXAMPLES, ...). */
struct mt_man_section {
	const char *title;
	const char *text;		/* paragraphs separated by blank lines;
					 * lines starting with two spaces are
					 * shown as they are (examples) */
};

/* What a command says of itself: its table and its prose. */
struct mt_cli {
	const char *name;
	const char *summary;		/* one line, for `memtrace help` */
	const char *synopsis;		/* "leak -p PID [options]\n..." */
	const char *description;	/* --help's and the man page's opening */
	const struct mt_opt *opts;	/* ended by an entry with no name */
	const char *common_group;	/* where -v, --json, -h are listed */
	const char *verbose_help;	/* what -v shows here, if not the
					 * common words */
	const char *json_help;		/* what --json gives here, likewise */
	enum mt_positional positional;
	const char *positional_name;	/* "PATH" */
	const char *help_tail;		/* columns, examples: end of --help */
	const struct mt_man_section *man;	/* ended by a NULL title */
	size_t opts_size;		/* of the options struct */
	void (*defaults)(void *opts);
	/* After every option: checks that need several, and the positional
	 * arguments. Returns 0, or 2 after a usage error. */
	int (*check)(void *opts, const struct mt_opt_seen *seen, char **rest,
		     int nrest);
};

bool mt_opt_given(const struct mt_opt_seen *seen, const char *name);

enum mt_parse_result {
	MT_PARSE_OK,			/* run the command */
	MT_PARSE_DONE,			/* --help was shown: exit 0 */
	MT_PARSE_USAGE,			/* a usage error was printed: exit 2 */
};

/*
 * Parses argv (argv[0] is the command's name) into opts (opts_size bytes,
 * set up by cli->defaults). *rest and *nrest: the positional arguments.
 */
enum mt_parse_result mt_parse(const struct mt_cli *cli, int argc, char **argv,
			      void *opts, char ***rest, int *nrest);

/* The common options, listed after a command's own. */
extern const struct mt_opt mt_common_opts[];

/* --help, the man page (roff, section 8), from the table and the prose. */
void mt_help(const struct mt_cli *cli, FILE *out);
void mt_man(const struct mt_cli *cli, const struct mt_cli *const *all,
	    size_t nall, FILE *out);
/* memtrace(8): the commands, and what all of them share. */
void mt_man_main(const struct mt_cli *const *all, size_t nall, FILE *out);
/* A bash completion script for every command. */
void mt_completion_bash(const struct mt_cli *const *all, size_t nall,
			FILE *out);

/*
 * "invalid value 'x' for --opt: EXPECTED", or with -ERANGE "...: out of
 * range (EXPECTED)", as a usage error; returns 2. EXPECTED says the valid
 * values.
 */
int args_bad_value(const char *opt, const char *value, int err,
		   const char *expected);
/* A whole number from min to max into *out: -1, or 2 after a usage error
 * saying the range. */
int arg_u64(const char *opt, const char *value, uint64_t min, uint64_t max,
	    uint64_t *out);
/* A command name into out (len bytes, the kernel keeps 15): -1, or 2
 * after a usage error; a longer one is warned about. */
int arg_comm(const char *opt, const char *value, char *out, size_t len);

/* Parsers for the kinds of values several commands take. */
int opt_count(const struct mt_opt *o, const char *v, void *opts);	/* u64, min..max */
int opt_count_zero(const struct mt_opt *o, const char *v, void *opts);	/* u64: 0, or min..max */
int opt_pid(const struct mt_opt *o, const char *v, void *opts);	/* pid_t */
int opt_comm(const struct mt_opt *o, const char *v, void *opts);	/* char[16] */
int opt_size(const struct mt_opt *o, const char *v, void *opts);	/* u64 bytes */
/* u64 ns, a bare number in seconds (milliseconds): more than 0, at least
 * min ns when min is set, or 0 when zero_ok. */
int opt_seconds(const struct mt_opt *o, const char *v, void *opts);
int opt_millis(const struct mt_opt *o, const char *v, void *opts);
int opt_ringbuf(const struct mt_opt *o, const char *v, void *opts);	/* u64, 4K-1G, 2^n */
int opt_choice(const struct mt_opt *o, const char *v, void *opts);	/* int: index */
int opt_string(const struct mt_opt *o, const char *v, void *opts);	/* const char *, not "" */

#endif /* MEMTRACE_CORE_OPTIONS_H */
