// SPDX-License-Identifier: GPL-2.0
/* Man pages (roff) and bash completion, from the option tables and the
 * commands' prose: what --help says, in the forms man and bash read. */
#include <string.h>
#include "core/help.h"
#include "core/options.h"
#include "version.h"

/* Text for roff: backslashes and hyphens escaped, and a line that would
 * start with a control character ('.' or '\'') protected. */
static void roff_text(FILE *out, const char *s, size_t n, bool line_start)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (line_start && (c == '.' || c == '\''))
			fputs("\\&", out);
		line_start = c == '\n';
		if (c == '\\')
			fputs("\\e", out);
		else if (c == '-')
			fputs("\\-", out);
		else
			fputc(c, out);
	}
}

static void roff_line(FILE *out, const char *s)
{
	roff_text(out, s, strlen(s), true);
	fputc('\n', out);
}

/*
 * Prose: paragraphs separated by blank lines become .PP; a line that
 * starts with two spaces is shown as it is, in an .EX block (commands and
 * their output).
 */
static void roff_prose(FILE *out, const char *text)
{
	bool in_ex = false, para = false;

	while (*text) {
		size_t len = strcspn(text, "\n");
		bool verbatim = len >= 2 && text[0] == ' ' && text[1] == ' ';

		if (!len) {
			if (in_ex)
				fputs(".EE\n", out);
			in_ex = para = false;
		} else if (verbatim) {
			if (!in_ex)
				fputs(".PP\n.EX\n", out);
			in_ex = true;
			roff_text(out, text + 2, len - 2, true);
			fputc('\n', out);
		} else {
			if (in_ex)
				fputs(".EE\n", out);
			in_ex = false;
			if (!para)
				fputs(".PP\n", out);
			para = true;
			roff_text(out, text, len, true);
			fputc('\n', out);
		}
		text += len;
		if (*text)
			text++;
	}
	if (in_ex)
		fputs(".EE\n", out);
}

static void man_option(const struct mt_opt *o, void *ctx)
{
	FILE *out = ctx;

	fputs(".TP\n", out);
	if (o->short_name)
		fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
	fputs("\\fB\\-\\-", out);
	roff_text(out, o->name, strlen(o->name), false);
	fputs("\\fR", out);
	if (o->arg) {
		fputs(" \\fI", out);
		roff_text(out, o->arg, strlen(o->arg), false);
		fputs("\\fR", out);
	}
	fputc('\n', out);
	/* The help's lines are one sentence wrapped: joined, roff fills. */
	for (const char *h = o->help; *h;) {
		size_t len = strcspn(h, "\n");

		roff_text(out, h, len, true);
		fputc('\n', out);
		h += len;
		if (*h)
			h++;
	}
	if (o->old_name)
		fprintf(out, "(Formerly \\fB\\-\\-%s\\fR, still taken for a release.)\n",
			o->old_name);
}

static void man_group(const struct mt_cli *cli, const char *group, void *ctx)
{
	FILE *out = ctx;

	fputs(".SS ", out);
	roff_line(out, group);
	mt_for_each_in_group(cli, group, man_option, out);
}

static void man_header(FILE *out, const char *name, const char *summary)
{
	fprintf(out, ".\\\" Generated from memtrace's option tables: do not edit.\n");
	fprintf(out, ".TH %s 8 \"\" \"memtrace %s\" \"System Administration\"\n",
		name, MEMTRACE_VERSION);
	fputs(".SH NAME\n", out);
	roff_text(out, name, strlen(name), true);
	fputs(" \\- ", out);
	roff_line(out, summary);
}

/* Short options that mean one thing here and another elsewhere. */
static void man_short_conflicts(const struct mt_cli *cli,
				const struct mt_cli *const *all, size_t nall,
				FILE *out)
{
	bool header = false;

	for (size_t i = 0; cli->opts[i].name; i++) {
		const struct mt_opt *o = &cli->opts[i];

		for (size_t c = 0; o->short_name && c < nall; c++) {
			if (all[c] == cli)
				continue;
			for (size_t k = 0; all[c]->opts[k].name; k++) {
				const struct mt_opt *p = &all[c]->opts[k];

				if (p->short_name != o->short_name ||
				    !strcmp(p->name, o->name))
					continue;
				if (!header)
					fputs(".SH NOTES\nShort options are each command's own; "
					      "these mean something else in another command:\n", out);
				header = true;
				fprintf(out, ".TP\n\\fB\\-%c\\fR\nhere \\fB\\-\\-%s\\fR; in "
					"\\fBmemtrace %s\\fR, \\fB\\-\\-%s\\fR.\n",
					o->short_name, o->name, all[c]->name, p->name);
			}
		}
	}
}

void mt_man(const struct mt_cli *cli, const struct mt_cli *const *all,
	    size_t nall, FILE *out)
{
	char name[64];

	snprintf(name, sizeof(name), "memtrace-%s", cli->name);
	man_header(out, name, cli->summary);
	fputs(".SH SYNOPSIS\n", out);
	for (const char *s = cli->synopsis; *s;) {
		size_t len = strcspn(s, "\n");

		fputs(".B memtrace\n", out);
		roff_text(out, s, len, true);
		fputs("\n.br\n", out);
		s += len;
		if (*s)
			s++;
	}
	fputs(".SH DESCRIPTION\n", out);
	roff_prose(out, cli->description);
	fputs(".SH OPTIONS\n", out);
	mt_for_each_group(cli, man_group, out);
	for (const struct mt_man_section *m = cli->man; m && m->title; m++) {
		fputs(".SH ", out);
		roff_line(out, m->title);
		roff_prose(out, m->text);
	}
	man_short_conflicts(cli, all, nall, out);
	fputs(".SH SEE ALSO\n.BR memtrace (8)\n", out);
}

void mt_man_main(const struct mt_cli *const *all, size_t nall, FILE *out)
{
	man_header(out, "memtrace", "trace memory on a running Linux system with BPF");
	fputs(".SH SYNOPSIS\n.B memtrace\n\\fIcommand\\fR [\\fIoptions\\fR]\n.br\n"
	      ".B memtrace help\n[\\fIcommand\\fR]\n.br\n.B memtrace \\-\\-version\n", out);
	fputs(".SH DESCRIPTION\n", out);
	roff_prose(out,
		   "One binary, libbpf CO-RE: each command's BPF programs are compiled once, "
		   "embedded in the executable and adapted at load time to the running kernel. "
		   "It needs root (or CAP_BPF and CAP_PERFMON), a kernel with BTF and the BPF "
		   "ring buffer (Linux 5.8 or later).");
	fputs(".SH COMMANDS\n", out);
	for (size_t i = 0; i < nall; i++) {
		fprintf(out, ".TP\n\\fB%s\\fR\n", all[i]->name);
		roff_line(out, all[i]->summary);
		fprintf(out, "See \\fBmemtrace\\-%s\\fR(8).\n", all[i]->name);
	}
	fputs(".SH COMMON OPTIONS\n", out);
	for (size_t i = 0; mt_common_opts[i].name; i++)
		man_option(&mt_common_opts[i], out);
	fputs(".SH ENVIRONMENT\n.TP\n\\fBMEMTRACE_DISABLE\\fR=\\fIlist\\fR\n"
	      "Hook methods not to use, comma\\-separated (tp_btf, tracepoint, raw_tp, "
	      "fentry, kprobe, test_run; task_storage: leak keeps its per\\-thread "
	      "state in a hash map instead), to force a fallback.\n"
	      ".TP\n\\fBMEMTRACE_BTF\\fR=\\fIfile\\fR\n"
	      "Kernel BTF for CO\\-RE instead of /sys/kernel/btf/vmlinux.\n", out);
	fputs(".SH EXIT STATUS\n0 on success, 1 on a runtime failure, 2 on a usage error.\n", out);
	fputs(".SH SEE ALSO\n", out);
	for (size_t i = 0; i < nall; i++)
		fprintf(out, ".BR memtrace\\-%s (8)%s\n", all[i]->name,
			i + 1 < nall ? "," : "");
}

/* ---- bash completion ---- */

static void words_of(const struct mt_opt *o, FILE *out)
{
	if (o->short_name)
		fprintf(out, " -%c", o->short_name);
	fprintf(out, " --%s", o->name);
}

static void completion_command(const struct mt_cli *cli, FILE *out)
{
	fprintf(out, "\t%s)\n\t\tcase $prev in\n", cli->name);
	for (size_t i = 0; cli->opts[i].name; i++) {
		const struct mt_opt *o = &cli->opts[i];

		if (!o->arg)
			continue;
		fputs("\t\t", out);
		if (o->short_name)
			fprintf(out, "-%c|", o->short_name);
		fprintf(out, "--%s)\n", o->name);
		if (o->choices) {
			fputs("\t\t\tCOMPREPLY=($(compgen -W '", out);
			for (size_t k = 0; o->choices[k]; k++)
				fprintf(out, "%s%s", k ? " " : "", o->choices[k]);
			fputs("' -- \"$cur\"))\n", out);
		} else if (o->completes_files) {
			fputs("\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n", out);
		} else {
			fputs("\t\t\tCOMPREPLY=()\n", out);
		}
		fputs("\t\t\treturn ;;\n", out);
	}
	fputs("\t\tesac\n", out);
	if (cli->positional == MT_POS_COMMAND)
		fputs("\t\tif [[ $dashdash == 1 ]]; then\n"
		      "\t\t\tCOMPREPLY=($(compgen -c -- \"$cur\"))\n"
		      "\t\t\treturn\n\t\tfi\n", out);
	fputs("\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W '", out);
	for (size_t i = 0; cli->opts[i].name; i++)
		words_of(&cli->opts[i], out);
	for (size_t i = 0; mt_common_opts[i].name; i++)
		words_of(&mt_common_opts[i], out);
	fputs("' -- \"$cur\"))\n", out);
	if (cli->positional == MT_POS_LIST || cli->positional == MT_POS_LIST_OPT)
		fputs("\t\telse\n\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n", out);
	fputs("\t\tfi\n\t\t;;\n", out);
}

void mt_completion_bash(const struct mt_cli *const *all, size_t nall,
			FILE *out)
{
	fputs("# bash completion for memtrace(8); generated from its option tables.\n"
	      "_memtrace() {\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal cmd= dashdash=0 i\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tif [[ -z $cmd && ${COMP_WORDS[i]} != -* ]]; then\n"
	      "\t\t\tcmd=${COMP_WORDS[i]}\n"
	      "\t\telif [[ ${COMP_WORDS[i]} == -- ]]; then\n"
	      "\t\t\tdashdash=1\n"
	      "\t\tfi\n"
	      "\tdone\n"
	      "\tcase $cmd in\n"
	      "\t'')\n"
	      "\t\tCOMPREPLY=($(compgen -W 'help --version --help", out);
	for (size_t i = 0; i < nall; i++)
		fprintf(out, " %s", all[i]->name);
	fputs("' -- \"$cur\")) ;;\n\thelp)\n\t\tCOMPREPLY=($(compgen -W '", out);
	for (size_t i = 0; i < nall; i++)
		fprintf(out, "%s%s", i ? " " : "", all[i]->name);
	fputs("' -- \"$cur\")) ;;\n", out);
	for (size_t i = 0; i < nall; i++)
		completion_command(all[i], out);
	fputs("\tesac\n}\ncomplete -F _memtrace memtrace\n", out);
}
