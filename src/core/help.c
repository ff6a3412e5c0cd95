// SPDX-License-Identifier: GPL-2.0
/* --help, written from a command's option table. */
#include <string.h>
#include "core/help.h"
#include "core/options.h"

/* Help text starts in this column, or two spaces after a longer left
 * part. */
#define HELP_COLUMN 25

/* "-p, --pid PID" or "    --json": the left part of an option's line. */
size_t mt_opt_left(const struct mt_opt *o, char *buf, size_t len)
{
	int n;

	if (o->short_name)
		n = snprintf(buf, len, "-%c, --%s%s%s", o->short_name, o->name,
			     o->arg ? " " : "", o->arg ? o->arg : "");
	else
		n = snprintf(buf, len, "    --%s%s%s", o->name, o->arg ? " " : "",
			     o->arg ? o->arg : "");
	return n < 0 ? 0 : (size_t)n;
}

/* Calls fn for each group heading, in the order of first appearance;
 * the common options go under cli->common_group. */
void mt_for_each_group(const struct mt_cli *cli,
		       void (*fn)(const struct mt_cli *cli, const char *group,
				  void *ctx),
		       void *ctx)
{
	const char *done[32];
	size_t ndone = 0;
	bool common = false;

	for (size_t i = 0; cli->opts[i].name; i++) {
		const char *g = cli->opts[i].group;
		bool seen = false;

		for (size_t k = 0; k < ndone && !seen; k++)
			seen = !strcmp(done[k], g);
		if (seen || ndone == 32)
			continue;
		done[ndone++] = g;
		common |= !strcmp(g, cli->common_group);
		fn(cli, g, ctx);
	}
	if (!common)
		fn(cli, cli->common_group, ctx);
}

/* Calls fn for each option of group, the common ones last in theirs. */
void mt_for_each_in_group(const struct mt_cli *cli, const char *group,
			  void (*fn)(const struct mt_opt *o, void *ctx),
			  void *ctx)
{
	for (size_t i = 0; cli->opts[i].name; i++)
		if (!strcmp(cli->opts[i].group, group))
			fn(&cli->opts[i], ctx);
	if (strcmp(group, cli->common_group))
		return;
	for (size_t i = 0; mt_common_opts[i].name; i++) {
		struct mt_opt o = mt_common_opts[i];

		if (!strcmp(o.name, "verbose") && cli->verbose_help)
			o.help = cli->verbose_help;
		if (!strcmp(o.name, "json") && cli->json_help)
			o.help = cli->json_help;
		fn(&o, ctx);
	}
}

static void help_option(const struct mt_opt *o, void *ctx)
{
	FILE *out = ctx;
	const char *h = o->help;
	char left[96];
	size_t n = mt_opt_left(o, left, sizeof(left));
	bool first = true;

	fprintf(out, "  %s", left);
	n += 2;
	/* The help's lines, each in the column. */
	while (*h || first) {
		size_t len = strcspn(h, "\n");

		if (first && n + 2 > HELP_COLUMN)
			fputs("  ", out);
		else
			fprintf(out, "%*s", (int)(HELP_COLUMN - (first ? n : 0)), "");
		fprintf(out, "%.*s\n", (int)len, h);
		h += len;
		if (*h == '\n')
			h++;
		first = false;
	}
}

static void help_group(const struct mt_cli *cli, const char *group, void *ctx)
{
	FILE *out = ctx;

	fprintf(out, "%s:\n", group);
	mt_for_each_in_group(cli, group, help_option, out);
}

void mt_help(const struct mt_cli *cli, FILE *out)
{
	const char *s = cli->synopsis;
	bool first = true;

	while (*s) {
		size_t len = strcspn(s, "\n");

		fprintf(out, "%s memtrace %.*s\n", first ? "Usage:" : "      ",
			(int)len, s);
		s += len;
		if (*s)
			s++;
		first = false;
	}
	fprintf(out, "\n%s\n", cli->description);
	mt_for_each_group(cli, help_group, out);
	if (cli->help_tail)
		fprintf(out, "\n%s", cli->help_tail);
}
