/* SPDX-License-Identifier: GPL-2.0 */
/* The last component of a path. */
#ifndef MEMTRACE_UTIL_PATH_H
#define MEMTRACE_UTIL_PATH_H

#include <string.h>

/*
 * What follows the last '/' ("" after a trailing one), as GNU's basename()
 * gives it; path is never written. musl's <string.h> declares only the
 * POSIX basename(), which may cut trailing slashes in place.
 */
static inline const char *path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

#endif /* MEMTRACE_UTIL_PATH_H */
