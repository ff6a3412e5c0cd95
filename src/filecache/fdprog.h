/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filecache's test_run way (bpf/filecache_fd.bpf.c): a program run with
 * BPF_PROG_TEST_RUN on a descriptor of memtrace's, which reads the file's
 * nrpages in the kernel. Loaded relocated by the kernel itself (5.17+),
 * which needs nothing of the kernel's BTF read here; else by libbpf,
 * against a BTF file (the subset the collector makes).
 */
#ifndef MEMTRACE_FILECACHE_FDPROG_H
#define MEMTRACE_FILECACHE_FDPROG_H

#include <stdbool.h>
#include <stdint.h>

struct filecache_fd_bpf;

struct fc_fdprog {
	int fd;				/* fd_pages, or -1 */
	int overlay_fd;			/* fd_pages_overlay, or -1: loaded
					 * when an overlayfs file is met */
	struct filecache_fd_bpf *skel;	/* libbpf's, or NULL */
	bool by_kernel;			/* relocated by the kernel */
};

/* Relocated by the kernel: 0, or -errno (before 5.17: refused). */
int fc_fdprog_load_kernel(struct fc_fdprog *p);
/* Relocated by libbpf against btf_path (NULL: the kernel's): 0 or -errno. */
int fc_fdprog_load_libbpf(struct fc_fdprog *p, const char *btf_path);
void fc_fdprog_close(struct fc_fdprog *p);

/* The file behind fd (an O_PATH one too): its pages cached. 0; 1 when fd
 * is a file on overlayfs (ask fc_fdprog_overlay_pages() with it open for
 * reading: only an open file leads to the real file); or -errno. */
int fc_fdprog_pages(struct fc_fdprog *p, int fd, uint64_t *pages);
/* Whether the program finds a descriptor: its own (which needs no path
 * looked up and opened first). 0 or -errno. */
int fc_fdprog_check(struct fc_fdprog *p);
/* The same for a file on overlayfs, open for reading: the real file's. */
int fc_fdprog_overlay_pages(struct fc_fdprog *p, int fd, uint64_t *pages);

#endif /* MEMTRACE_FILECACHE_FDPROG_H */
