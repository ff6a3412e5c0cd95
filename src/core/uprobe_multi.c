// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "core/hookcheck.h"
#include "core/uprobe_multi.h"

#define BPF_F_UPROBE_MULTI_RETURN 1

/* BPF_LINK_CREATE's attributes for it (include/uapi/linux/bpf.h, 6.6):
 * Debian 12's uapi headers predate them. */
struct link_create_uprobe_multi {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, uprobe_flags, pid, pad;
};

int uprobe_multi_link(int prog_fd, const char *path, const uint64_t *offsets,
		      const uint64_t *cookies, uint32_t cnt, bool ret,
		      pid_t pid)
{
	struct link_create_uprobe_multi a = {
		.prog_fd = prog_fd,
		.attach_type = UPROBE_MULTI_ATTACH_TYPE,
		.path = (uintptr_t)path,
		.offsets = (uintptr_t)offsets,
		.cookies = (uintptr_t)cookies,
		.cnt = cnt,
		.uprobe_flags = ret ? BPF_F_UPROBE_MULTI_RETURN : 0,
		.pid = pid,
	};
	int fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));

	return fd < 0 ? -errno : fd;
}

/* As libbpf 1.3 asks: a kernel that knows the attach type refuses a
 * directory with EBADF before it places anything. */
static int ask(void)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = UPROBE_MULTI_ATTACH_TYPE);
	uint64_t offset = 0;
	int fd = probe_prog_load(BPF_PROG_TYPE_KPROBE, &opts), link;

	if (fd < 0)
		return fd == -EPERM ? fd : -EOPNOTSUPP;
	link = uprobe_multi_link(fd, "/", &offset, NULL, 1, false, 0);
	if (link >= 0)
		close(link);
	close(fd);
	if (link == -EBADF || link == -EPERM)
		return link == -EBADF ? 0 : -EPERM;
	return -EOPNOTSUPP;
}

int probe_uprobe_multi(void)
{
	static int asked = 1;	/* the kernel's answer does not change */

	if (asked > 0)
		asked = ask();
	return asked;
}
