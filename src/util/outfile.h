/* SPDX-License-Identifier: GPL-2.0 */
/* stdout, sent to a file. */
#ifndef MEMTRACE_UTIL_OUTFILE_H
#define MEMTRACE_UTIL_OUTFILE_H


/* stdout goes to the file at path from now on (created or truncated);
 * 0 or a negative errno. A child started before keeps the stdout it had. */
int output_to(const char *path);

#include <stddef.h>

/* The file at path replaced by len bytes of buf, whole or not at all: a
 * temporary file next to it is written, then renamed over it. 0 or a
 * negative errno. */
int file_replace(const char *path, const void *buf, size_t len);

#endif /* MEMTRACE_UTIL_OUTFILE_H */
