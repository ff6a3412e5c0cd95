/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve: a snapshot of filecache --watch's collector (every file, since
 * serve started) as metrics: the pages added to and removed from the page
 * cache system-wide, those counted per file, and the top files by what
 * they added and removed, the rest summed as path="other".
 */
#ifndef MEMTRACE_SERVE_PCMETRICS_H
#define MEMTRACE_SERVE_PCMETRICS_H

#include <stddef.h>

struct fcw_snapshot;
struct metrics;

/*
 * memtrace_pagecache_{added,removed}_pages_total (all_added, all_removed),
 * memtrace_pagecache_counted_{added,removed}_pages_total (added, removed:
 * in a row or past the table) and
 * memtrace_pagecache_file_{added,removed}_pages_total{path}: the top files
 * by pages added and removed, and "other", summing to the counted total.
 * Rows that share a name (a file deleted and the one made in its place,
 * an inode reused) are one series. Without memory for the names, every
 * file is in "other".
 */
void pcmetrics_write(const struct fcw_snapshot *s, struct metrics *m,
		     size_t top);

#endif /* MEMTRACE_SERVE_PCMETRICS_H */
