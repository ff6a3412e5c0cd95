/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A command's BPF links, detached all at once. Detaching a uprobe waits for
 * the kernel (uprobe_unregister_sync(): an RCU tasks-trace grace period,
 * about 0.1 s here) whatever else it detaches: twenty links closed one
 * after the other wait twenty times, closed from as many threads at once
 * they share one wait.
 */
#ifndef MEMTRACE_CORE_LINKS_H
#define MEMTRACE_CORE_LINKS_H

#define LINK_SET_MAX 64

struct bpf_link;

struct link_set {
	struct bpf_link *links[LINK_SET_MAX];	/* libbpf's */
	int fds[LINK_SET_MAX];			/* made with bpf() */
	int nr_links, nr_fds;
};

/* Keeps a link (destroyed with the set): 0, or -E2BIG, the link then
 * destroyed or closed at once. */
int link_set_add(struct link_set *s, struct bpf_link *link);
int link_set_add_fd(struct link_set *s, int fd);
/* Detaches every link, at once; the set is then empty. */
void link_set_close(struct link_set *s);

#endif /* MEMTRACE_CORE_LINKS_H */
