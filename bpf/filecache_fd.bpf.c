// SPDX-License-Identifier: GPL-2.0
/*
 * filecache: the pages of a file in the page cache (its mapping's
 * nrpages), for a descriptor of memtrace's own: run with
 * BPF_PROG_TEST_RUN, a program runs in memtrace's task and finds the file
 * in its file table. No hook, no tracefs, no map: the answer is the
 * return value, so that the kernel can relocate a program by itself
 * (src/core/kreloc.c) and nothing else needs loading. Loading is most of
 * what filecache costs on one file, and the kernel's share grows with
 * each instruction, helper call and CO-RE relocation: fd_pages has only
 * what a plain file needs. A file on overlayfs is told in user space
 * (its own inode caches nothing: src/filecache/fdprog.c), and its real
 * file found by fd_pages_overlay, loaded when one is met.
 *
 * args = { fd, shift }. Each returns (nrpages >> shift) in bits 0-29,
 * with FC_FD_MORE (bit 30) when bits are left above those; or FC_FD_ERR
 * (bit 31) | FC_FD_BADF (no such descriptor).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "memtrace/filecache.h"
#include "lib/fdfile.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * The cached pages of a file's mapping, from shift up. Each CO-RE root
 * type costs the kernel a look-up of its candidates in a cache of 31
 * slots chosen by a hash of the name (kernel/bpf/btf.c,
 * bpf_core_find_cands(), 5.17+), and a whole walk of its BTF (~0.4 ms
 * here) when the slot holds another name. "address_space" and
 * "super_block" share one: a program rooted in address_space loaded in
 * turn with one rooted in super_block (memtrace's before this one, or
 * any other) misses on every load. nrpages's offset is taken through
 * struct inode (which holds an address_space, i_data) instead, for one
 * relocation more (~6 us).
 */
static __always_inline unsigned int pages_of(struct file___fc *file,
					     unsigned int shift)
{
	unsigned long off = bpf_core_field_offset(struct inode___fc, i_data.nrpages) -
			    bpf_core_field_offset(struct inode___fc, i_data);
	void *mapping = BPF_CORE_READ(file, f_mapping);
	unsigned long pages = 0;

	bpf_probe_read_kernel(&pages, sizeof(pages), mapping + off);
	pages >>= shift & 63;
	return (pages & FC_FD_PAGES) | (pages > FC_FD_PAGES ? FC_FD_MORE : 0);
}

SEC("raw_tp/fd_pages")
int fd_pages(unsigned long long *args)
{
	struct file___fc *file = fd_file(args[0]);

	if (!file)
		return FC_FD_ERR | FC_FD_BADF;
	/* f_mapping: a block device's file points at the device's cache. */
	return pages_of(file, args[1]);
}

/*
 * A file on overlayfs, open for reading (an O_PATH one leads nowhere):
 * overlayfs keeps the file it opened on the real filesystem in
 * private_data, the struct file itself until 6.12, then a struct
 * ovl_file holding it.
 */
SEC("raw_tp/fd_pages_overlay")
int fd_pages_overlay(unsigned long long *args)
{
	struct file___fc *file = fd_file(args[0]), *real;
	void *priv;

	if (!file || (BPF_CORE_READ(file, f_mode) & FMODE_PATH))
		return FC_FD_ERR | FC_FD_BADF;
	priv = BPF_CORE_READ(file, private_data);
	real = priv;
	if (bpf_core_type_exists(struct ovl_file___fc))
		real = BPF_CORE_READ((struct ovl_file___fc *)priv, realfile);
	return pages_of(real ? real : file, args[1]);
}
