/* SPDX-License-Identifier: GPL-2.0 */
/* memtrace probe: what this kernel offers each command. */
#ifndef MEMTRACE_PROBE_PROBE_H
#define MEMTRACE_PROBE_PROBE_H

#include "core/options.h"

struct probe_opts {
	struct common_opts common;
};

extern const struct mt_cli probe_cli;
int probe_main(void *opts, char **rest, int nrest);

#endif /* MEMTRACE_PROBE_PROBE_H */
