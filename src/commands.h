/* SPDX-License-Identifier: GPL-2.0 */
/* One entry point per command, each in src/<cmd>.c. */
#ifndef MEMTRACE_COMMANDS_H
#define MEMTRACE_COMMANDS_H

/* argv[0] is the command's name; returns the exit status. */
int cmd_filecache(int argc, char **argv);
int cmd_kmalloc(int argc, char **argv);
int cmd_leak(int argc, char **argv);
int cmd_procs(int argc, char **argv);

#endif /* MEMTRACE_COMMANDS_H */
