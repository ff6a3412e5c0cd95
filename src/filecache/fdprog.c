// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "memtrace/filecache.h"
#include "filecache_fd.skel.h"
#include "core/kreloc.h"
#include "filecache/fdprog.h"

static int load_section(const char *sec)
{
	size_t size;
	const void *obj = filecache_fd_bpf__elf_bytes(&size);

	return kreloc_load(obj, size, sec, BPF_PROG_TYPE_RAW_TRACEPOINT);
}

int fc_fdprog_load_kernel(struct fc_fdprog *p)
{
	int fd = load_section("raw_tp/fd_pages");

	if (fd < 0)
		return fd;
	*p = (struct fc_fdprog){ .fd = fd, .overlay_fd = -1, .by_kernel = true };
	return 0;
}

int fc_fdprog_load_libbpf(struct fc_fdprog *p, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct filecache_fd_bpf *skel = filecache_fd_bpf__open_opts(&opts);
	int err;

	if (!skel)
		return -errno;
	/* Run, never attached. */
	bpf_program__set_autoattach(skel->progs.fd_pages, false);
	bpf_program__set_autoattach(skel->progs.fd_pages_overlay, false);
	err = filecache_fd_bpf__load(skel);
	if (err) {
		filecache_fd_bpf__destroy(skel);
		return err;
	}
	*p = (struct fc_fdprog){
		.fd = bpf_program__fd(skel->progs.fd_pages),
		.overlay_fd = bpf_program__fd(skel->progs.fd_pages_overlay),
		.skel = skel,
	};
	return 0;
}

void fc_fdprog_close(struct fc_fdprog *p)
{
	if (p->skel) {
		filecache_fd_bpf__destroy(p->skel);
	} else {
		if (p->fd >= 0)
			close(p->fd);
		if (p->overlay_fd >= 0)
			close(p->overlay_fd);
	}
	*p = (struct fc_fdprog){ .fd = -1, .overlay_fd = -1 };
}

/* One run of prog: the pages from bit shift up (FC_FD_*). */
static int run(int prog, int fd, unsigned int shift, uint32_t *ret)
{
	__u64 args[2] = { (__u64)fd, shift };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args,
		    .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(prog, &opts))
		return -errno;
	*ret = opts.retval;
	return 0;
}

static int pages(int prog, int fd, uint64_t *pages)
{
	unsigned int shift = 0;
	uint32_t r = FC_FD_MORE;
	int err;

	*pages = 0;
	/* 30 bits an answer: a second run only past 2^30 pages (4 TiB). */
	while ((r & FC_FD_MORE) && shift < 64) {
		err = run(prog, fd, shift, &r);
		if (err)
			return err;
		if (r & FC_FD_ERR)
			return -EBADF;
		*pages |= (uint64_t)(r & FC_FD_PAGES) << shift;
		shift += FC_FD_SHIFT;
	}
	return 0;
}

/*
 * An overlayfs inode has an empty mapping (reads and mmap go to the real
 * file's since 4.19, and its address_space_operations read nothing in):
 * a file with no page cached may be one, which fstatfs() tells (it takes
 * an O_PATH descriptor from 3.12). Asked here, not in fd_pages: reading
 * the superblock's magic there costs each load more (three relocations,
 * three reads, ~50 us on a VM) than this costs the files with nothing
 * cached.
 */
int fc_fdprog_pages(struct fc_fdprog *p, int fd, uint64_t *n)
{
	struct statfs sf;
	int err = pages(p->fd, fd, n);

	if (err || *n)
		return err;
	if (fstatfs(fd, &sf))
		return -errno;
	return sf.f_type == OVERLAYFS_SUPER_MAGIC;
}

int fc_fdprog_check(struct fc_fdprog *p)
{
	uint64_t n;

	/* Nothing cached (an anonymous inode): no overlayfs question. */
	return pages(p->fd, p->fd, &n);
}

int fc_fdprog_overlay_pages(struct fc_fdprog *p, int fd, uint64_t *n)
{
	int err;

	if (p->overlay_fd < 0) {
		p->overlay_fd = load_section("raw_tp/fd_pages_overlay");
		if (p->overlay_fd < 0) {
			err = p->overlay_fd;
			p->overlay_fd = -1;
			return err;
		}
	}
	return pages(p->overlay_fd, fd, n);
}
