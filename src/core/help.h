/* SPDX-License-Identifier: GPL-2.0 */
/* Walking a command's option table by group, for --help and the man page. */
#ifndef MEMTRACE_CORE_HELP_H
#define MEMTRACE_CORE_HELP_H

#include <stddef.h>
#include "core/options.h"

/* "-p, --pid PID" or "    --json": the left part of an option's line. */
size_t mt_opt_left(const struct mt_opt *o, char *buf, size_t len);

/* Calls fn for each group heading, in the order of first appearance; the
 * common options go under cli->common_group. */
void mt_for_each_group(const struct mt_cli *cli,
		       void (*fn)(const struct mt_cli *cli, const char *group,
				  void *ctx),
		       void *ctx);
/* Calls fn for each option of group, the common ones last in theirs. */
void mt_for_each_in_group(const struct mt_cli *cli, const char *group,
			  void (*fn)(const struct mt_opt *o, void *ctx),
			  void *ctx);

#endif /* MEMTRACE_CORE_HELP_H */
