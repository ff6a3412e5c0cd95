/* SPDX-License-Identifier: GPL-2.0 */
/* A file read whole, whatever it says of its size (/proc and /sys files
 * say 0 or 4096). */
#ifndef MEMTRACE_UTIL_READALL_H
#define MEMTRACE_UTIL_READALL_H

#include <stddef.h>

/* Everything left to read from fd, into *buf (malloc'ed, with a NUL
 * after the *len bytes); cap: a first guess of the size. 0 or -errno. */
int read_all(int fd, size_t cap, char **buf, size_t *len);

#endif /* MEMTRACE_UTIL_READALL_H */
