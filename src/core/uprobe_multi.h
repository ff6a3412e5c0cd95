/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multi-uprobe links (Linux 6.6): one BPF link attaches a program to many
 * offsets of one file, each with a cookie, and is detached at once, where
 * a link per probe is detached one after the other, each waiting for the
 * kernel (uprobe_unregister_sync(): an RCU tasks-trace grace period). The
 * system libbpf (Debian 12's 1.1) predates bpf_program__attach_uprobe_multi
 * (1.3), so the link is made with the bpf() system call.
 */
#ifndef MEMTRACE_CORE_UPROBE_MULTI_H
#define MEMTRACE_CORE_UPROBE_MULTI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* enum bpf_attach_type's BPF_TRACE_UPROBE_MULTI: a kprobe-type program
 * loaded with it as its expected attach type can be linked so. */
#define UPROBE_MULTI_ATTACH_TYPE 48

/*
 * A link of prog_fd to the cnt offsets of path (file offsets, as uprobes
 * take), the program reading cookies[i] with bpf_get_attach_cookie() at
 * offsets[i] (cookies may be NULL); return probes if ret; only in process
 * pid (0: every process). The link's fd, or -errno.
 */
int uprobe_multi_link(int prog_fd, const char *path, const uint64_t *offsets,
		      const uint64_t *cookies, uint32_t cnt, bool ret,
		      pid_t pid);

/* Whether this kernel makes such links: 0, -EOPNOTSUPP (before 6.6), or
 * -EPERM. Asked once a run, without attaching anything. */
int probe_uprobe_multi(void);

#endif /* MEMTRACE_CORE_UPROBE_MULTI_H */
