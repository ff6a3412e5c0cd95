// SPDX-License-Identifier: GPL-2.0
/*
 * filecache: the page-cache pages of files (inode->i_mapping->nrpages),
 * read in the kernel for memtrace's own requests only. Three ways in:
 *   fentry/kprobe on vfs_getattr_nosec(): user space stat()s the path;
 *   a raw_tp program run with BPF_PROG_TEST_RUN: user space opens the path
 *   (O_PATH) and passes the file descriptor; the program runs in memtrace's
 *   own task and finds the file in its file table. No hook, no tracefs.
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

/*
 * BPF_PROG_TEST_RUN with args[0] = a file descriptor of memtrace's: the
 * program runs synchronously in the calling task, so "current" is
 * memtrace and the descriptor is found in its own file table.
 */
SEC("raw_tp")
int fd_test_run(unsigned long long *args)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	unsigned int fd = args[0];
	struct file **fds, *file, *real;
	struct inode *inode;

	if (bpf_get_current_pid_tgid() != self_pid_tgid ||
	    fd >= BPF_CORE_READ(fdt, max_fds))
		return -1;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return -1;
	inode = BPF_CORE_READ(file, f_inode);
	/*
	 * overlayfs: the overlay inode caches nothing; an open (not O_PATH)
	 * overlay file holds the real file, whose mapping has the pages.
	 */
	if (BPF_CORE_READ(inode, i_sb, s_magic) == OVERLAYFS_SUPER_MAGIC &&
	    !(BPF_CORE_READ(file, f_mode) & FMODE_PATH)) {
		void *priv = BPF_CORE_READ(file, private_data);

		if (HAVE_OVL_FILE)
			real = BPF_CORE_READ((struct ovl_file___x *)priv, realfile);
		else
			real = priv;
		if (real)
			file = real;
		inode = BPF_CORE_READ(file, f_inode);
	}
	/* f_mapping: a block device's file points at the device's cache. */
	record(inode, BPF_CORE_READ(file, f_mapping));
	return 0;
}
