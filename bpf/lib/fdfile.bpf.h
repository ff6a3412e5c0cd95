/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The file behind one of the current task's descriptors, for programs run
 * with BPF_PROG_TEST_RUN (they run in the task that asks: memtrace). The
 * structs are local flavours naming only the members read, so that a
 * program needing nothing more compiles without vmlinux.h and carries a
 * BTF of a few hundred bytes (the kernel can then relocate it itself:
 * src/core/kreloc.c).
 */
#ifndef MEMTRACE_FDFILE_BPF_H
#define MEMTRACE_FDFILE_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct xarray___fc {
	void *xa_head;
} __attribute__((preserve_access_index));

struct address_space___fc {
	struct xarray___fc i_pages;
	unsigned long nrpages;
} __attribute__((preserve_access_index));

struct inode___fc {
	struct address_space___fc i_data;
} __attribute__((preserve_access_index));

struct file___fc {
	struct address_space___fc *f_mapping;
	unsigned int f_mode;
	void *private_data;
} __attribute__((preserve_access_index));

struct fdtable___fc {
	unsigned int max_fds;
	struct file___fc **fd;
} __attribute__((preserve_access_index));

struct files_struct___fc {
	struct fdtable___fc *fdt;
} __attribute__((preserve_access_index));

struct task_struct___fc {
	struct files_struct___fc *files;
} __attribute__((preserve_access_index));

/* overlayfs keeps the file it opened on the real filesystem in
 * file->private_data: the struct file itself until 6.12, then a struct
 * ovl_file holding it (with the upper file for copy-up). */
struct ovl_file___fc {
	struct file___fc *realfile;
} __attribute__((preserve_access_index));

/* include/linux/fs.h: an O_PATH file; the value has not changed since
 * O_PATH came in (2.6.39). */
#define FMODE_PATH 0x4000

/* NULL when fd is not open. */
static __always_inline struct file___fc *fd_file(unsigned int fd)
{
	struct task_struct___fc *task = (void *)bpf_get_current_task();
	struct fdtable___fc *fdt = BPF_CORE_READ(task, files, fdt);
	struct file___fc **fds, *file = 0;

	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	/* A failed read leaves file NULL (the helper zeroes it, 5.5+). */
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

#endif /* MEMTRACE_FDFILE_BPF_H */
