// SPDX-License-Identifier: GPL-2.0
/*
 * filecache: the pages of a file in the page cache (its mapping's
 * nrpages), for a descriptor of memtrace's own: run with
 * BPF_PROG_TEST_RUN, a program runs in memtrace's task and finds the file
 * in its file table. No hook, no tracefs, no map: the answer is the
 * return value, so that the kernel can relocate a program by itself
 * (src/core/kreloc.c) and nothing else needs loading. The kernel spends
 * about 10 us on each CO-RE relocation (here, on a VM): fd_pages has
 * only those a plain file needs, and an overlayfs file's real file is
 * found by fd_pages_overlay, loaded when one is met.
 *
 * args = { fd, shift }. Each returns (nrpages >> shift) in bits 0-29,
 * with FC_FD_MORE (bit 30) when bits are left above those; or FC_FD_ERR
 * (bit 31) | FC_FD_BADF (no such descriptor), or | FC_FD_OVERLAY from
 * fd_pages for a file on overlayfs (whose own inode caches nothing).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "memtrace/filecache.h"
#include "lib/fdfile.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * The cached pages of a file's mapping, from shift up. nrpages's offset
 * in struct address_space is taken from relocations rooted in struct
 * inode (which holds one, i_data): the kernel keeps the candidates of
 * each CO-RE root type in a cache of 31 slots chosen by a hash of the
 * name (kernel/bpf/btf.c, bpf_core_find_cands()), where "address_space"
 * and "super_block" share a slot, so that a program rooted in both
 * misses on every load and the kernel walks its whole BTF again (about
 * 0.4 ms here).
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
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) == OVERLAYFS_SUPER_MAGIC)
		return FC_FD_ERR | FC_FD_OVERLAY;
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
