// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "core/links.h"

int link_set_add(struct link_set *s, struct bpf_link *link)
{
	if (s->nr_links == LINK_SET_MAX) {
		bpf_link__destroy(link);
		return -E2BIG;
	}
	s->links[s->nr_links++] = link;
	return 0;
}

int link_set_add_fd(struct link_set *s, int fd)
{
	if (s->nr_fds == LINK_SET_MAX) {
		close(fd);
		return -E2BIG;
	}
	s->fds[s->nr_fds++] = fd;
	return 0;
}

/* One link: a libbpf link, or (the low bit set) a file descriptor << 1. */
static void *detach(void *arg)
{
	uintptr_t v = (uintptr_t)arg;

	if (v & 1)
		close((int)(v >> 1));
	else
		bpf_link__destroy((struct bpf_link *)arg);
	return NULL;
}

void link_set_close(struct link_set *s)
{
	pthread_t threads[2 * LINK_SET_MAX];
	bool started[2 * LINK_SET_MAX] = { false };
	int n = 0;

	for (int i = 0; i < s->nr_links + s->nr_fds; i++, n++) {
		void *arg = i < s->nr_links ? (void *)s->links[i] :
			(void *)((uintptr_t)s->fds[i - s->nr_links] << 1 | 1);

		/* Without a thread, it waits its turn here. */
		started[n] = !pthread_create(&threads[n], NULL, detach, arg);
		if (!started[n])
			detach(arg);
	}
	for (int i = 0; i < n; i++)
		if (started[i])
			pthread_join(threads[i], NULL);
	s->nr_links = s->nr_fds = 0;
}
