/* SPDX-License-Identifier: GPL-2.0 */
/* filecache --watch's collector, inside: shared by wcollector.c (loading)
 * and wsnapshot.c (reading). */
#ifndef MEMTRACE_FILECACHE_WCOLLECTOR_INT_H
#define MEMTRACE_FILECACHE_WCOLLECTOR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "filecache/wcollector.h"
#include "filecache/wnames.h"

struct filecache_watch_bpf;

struct fcw_collector {
	struct fcw_config cfg;
	struct filecache_watch_bpf *skel;
	struct fcw_names names;
	struct fcw_root *roots;		/* the PATHs and the mounts in them */
	size_t nroots;
	int cgroup_fd;			/* --cgroup, or -1 */
	bool refresh;			/* the refresh program is loaded */
};

#endif /* MEMTRACE_FILECACHE_WCOLLECTOR_INT_H */
