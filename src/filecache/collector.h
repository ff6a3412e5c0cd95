/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filecache's collector: how many of a file's pages are in the page cache,
 * read in the kernel from its address_space (nrpages), one lookup per
 * file whatever its size. It loads through its hook chain and answers
 * questions about files; it prints nothing (errors go to log_err, the
 * method chosen to log_info). The CLI walks trees with it; `serve` may
 * ask about a few files.
 *
 * The BPF side answers only the thread that opened the collector: ask
 * from that thread.
 */
#ifndef MEMTRACE_FILECACHE_COLLECTOR_H
#define MEMTRACE_FILECACHE_COLLECTOR_H

#include <stdint.h>
#include <sys/stat.h>
#include "core/hooks.h"
#include "filecache/files.h"

struct fc_collector;

/* Loads and attaches through the hook chain: BPF_PROG_TEST_RUN on our
 * own descriptors (the program relocated by the kernel, 5.17+, else by
 * libbpf); then fentry, then a kprobe, on vfs_getattr_nosec(). A method
 * is taken once it answered for "/". NULL after an error naming what
 * failed. */
struct fc_collector *fc_collector_open(void);
void fc_collector_close(struct fc_collector *c);

/* stat() of at: 0 or -errno. With fentry or kprobe it is also the
 * question; ask fc_collector_pages() next, before another stat(). */
int fc_collector_stat(struct fc_collector *c, const struct fc_at *at,
		      struct stat *st);
/* The cached pages of the file at, whose fc_collector_stat() gave st. The
 * file is not opened for reading, but on overlayfs with test_run (only
 * an open file leads to the real one). 0 or -errno (-FC_ECHANGED). */
int fc_collector_pages(struct fc_collector *c, const struct fc_at *at,
		       const struct stat *st, uint64_t *cached);
/* The same for the open file fd, whose stat is st. */
int fc_collector_pages_fd(struct fc_collector *c, int fd,
			  const struct stat *st, uint64_t *cached);
/* Both for one path, following a symbolic link. */
int fc_collector_path(struct fc_collector *c, const char *path,
		      struct stat *st, uint64_t *cached);

#endif /* MEMTRACE_FILECACHE_COLLECTOR_H */
