/* SPDX-License-Identifier: GPL-2.0 */
/* Each command's option table and entry point (src/<cmd>/). */
#ifndef MEMTRACE_COMMANDS_H
#define MEMTRACE_COMMANDS_H

#include "leak/leak.h"
#include "procs/procs.h"

/* Not yet on an option table: argv[0] is the command's name; returns the
 * exit status. */
int cmd_filecache(int argc, char **argv);
int cmd_kmalloc(int argc, char **argv);

#endif /* MEMTRACE_COMMANDS_H */
