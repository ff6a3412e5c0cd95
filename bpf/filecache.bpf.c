// SPDX-License-Identifier: GPL-2.0
/*
 * filecache: the page-cache pages of files (inode->i_mapping->nrpages),
 * read in the kernel for memtrace's own requests only, where the kernel
 * cannot run bpf/filecache_fd.bpf.c (before 5.10): fentry or a kprobe on
 * vfs_getattr_nosec(), which user space's stat() of the path fires.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memtrace/filecache.h"
#include "lib/core_fixes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 self_pid_tgid = 0;	/* memtrace's own thread */

struct fc_result result;		/* read by user space (mmap'ed .bss) */

static __always_inline void record(struct inode *inode,
				   struct address_space *mapping)
{
	__u32 i = result.count;
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);

	if (i >= FC_MAX_RECORDS)
		return;
	result.rec[i].nrpages = BPF_CORE_READ(mapping, nrpages);
	result.rec[i].ino = BPF_CORE_READ(inode, i_ino);
	result.rec[i].dev = BPF_CORE_READ(sb, s_dev);
	result.rec[i].magic = BPF_CORE_READ(sb, s_magic);
	result.count = i + 1;
}

static __always_inline int on_getattr(const struct path *path)
{
	struct inode *inode;

	if (bpf_get_current_pid_tgid() != self_pid_tgid)
		return 0;
	inode = BPF_CORE_READ(path, dentry, d_inode);
	if (inode)
		record(inode, BPF_CORE_READ(inode, i_mapping));
	return 0;
}

/* int vfs_getattr_nosec(const struct path *path, struct kstat *stat,
 *                       u32 request_mask, unsigned int query_flags) */
SEC("fentry/vfs_getattr_nosec")
int BPF_PROG(getattr_fentry, const struct path *path)
{
	return on_getattr(path);
}

SEC("kprobe/vfs_getattr_nosec")
int BPF_KPROBE(getattr_kprobe, const struct path *path)
{
	return on_getattr(path);
}
