/* SPDX-License-Identifier: GPL-2.0 */
/* Signal names without a C library's help. */
#ifndef MEMTRACE_UTIL_SIGNAME_H
#define MEMTRACE_UTIL_SIGNAME_H

/* "KILL" for SIGKILL, as kill -l names it; NULL for a signal without a
 * name (0, real-time signals, numbers past them). glibc's sigabbrev_np()
 * does this, but musl has none. */
const char *sig_abbrev(int sig);

#endif /* MEMTRACE_UTIL_SIGNAME_H */
