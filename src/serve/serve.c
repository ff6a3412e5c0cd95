// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace serve: kmalloc, procs, filecache --watch's (the page cache)
 * and leak's collectors at once, in one event loop (epoll: the HTTP
 * sockets and each collector's ring buffer), answering Prometheus and
 * pprof readers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <bpf/libbpf.h>
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/loop.h"
#include "kmalloc/collector.h"
#include "procs/collector.h"
#include "serve/leaks.h"
#include "serve/pagecache.h"
#include "serve/serve.h"
#include "serve/serve_priv.h"
#include "util/ksyms.h"

/* At most this long between two reads of the ring buffers: the BPF side
 * does not wake the loop for every record (RINGBUF_SUBMIT). */
#define MAX_WAIT_MS 100

static int on_procs_event(void *ctx, void *data, size_t size)
{
	struct serve *s = ctx;
	const __u32 *type = data;

	if (size >= sizeof(struct procs_exit_event) && *type == PROCS_EXIT) {
		const struct procs_exit_event *e = data;

		exits_add(&s->exits, e);
		leaks_exit(s->leaks, e->pid);
	} else if (size >= sizeof(struct procs_exec_event) && *type == PROCS_EXEC) {
		const struct procs_exec_event *e = data;
		char comm[MT_COMM_LEN + 1] = {};

		memcpy(comm, e->comm, MT_COMM_LEN);
		leaks_exec(s->leaks, e->pid, comm);
	}
	return 0;
}

void serve_poll(struct serve *s)
{
	ring_buffer__consume(s->pr_rb);
	pagecache_poll(s->pc);
	leaks_poll(s->leaks);
}

static void procs_ready(struct ev_src *src, uint32_t events)
{
	struct serve *s = (struct serve *)((char *)src - offsetof(struct serve, pr_src));

	(void)events;
	ring_buffer__consume(s->pr_rb);
}

static int prepare(void *ctx)
{
	struct serve *s = ctx;

	/* SIGHUP reloads nothing: a hangup of the terminal must not stop
	 * a service either. */
	signal(SIGHUP, SIG_IGN);
	s->ksyms = ksyms_load(NULL);
	if (!s->ksyms)
		log_warn("cannot read /proc/kallsyms (%s): kmalloc call sites are \"unknown\"",
			 strerror(errno));
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 || exits_init(&s->exits)) {
		log_err("cannot start: %s", strerror(errno));
		return 1;
	}
	return 0;
}

static int open_procs(struct serve *s)
{
	struct procs_config pc = {
		.want_exit = true,
		/* Exec events only serve --leak-comm. */
		.want_exec = s->o->nleak_comms > 0,
		.ringbuf_size = 1 << 22,
	};
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->pr_src };

	s->pr = procs_collector_open(&pc);
	if (!s->pr)
		return 1;
	s->pr_src.ready = procs_ready;
	s->pr_rb = ring_buffer__new(procs_collector_events_fd(s->pr),
				    on_procs_event, s, NULL);
	if (!s->pr_rb ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(s->pr_rb), &ev)) {
		log_err("cannot set up the ring buffer: %s", strerror(errno));
		return 1;
	}
	return 0;
}

/* The start-up line: where it listens, as the socket says (port 0). */
static void say_listening(int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);
	char host[64] = "?";
	int port = 0;
	bool loopback = false;

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return;
	if (a.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		loopback = !memcmp(&in6->sin6_addr, &in6addr_loopback, 16);
		log_note("listening on http://[%s]:%d/%s", host, port,
			 loopback ? "" : " (not loopback: other hosts can reach it)");
		return;
	}
	struct sockaddr_in *in4 = (struct sockaddr_in *)&a;

	inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
	port = ntohs(in4->sin_port);
	loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	log_note("listening on http://%s:%d/%s", host, port,
		 loopback ? "" : " (not loopback: other hosts can reach it)");
}

static int start(void *ctx, int *events_fd)
{
	struct serve *s = ctx;
	const struct serve_opts *o = s->o;
	struct kmalloc_config kc = {
		.max_size = ~0ULL, .top = true, .by = KMALLOC_BY_CALLSITE,
		.top2 = true, .by2 = KMALLOC_BY_COMM,
		.ringbuf_size = 1 << 12,
	};

	*events_fd = -1;
	s->km = kmalloc_collector_open(&kc);
	if (!s->km || open_procs(s))
		return 1;
	s->pc = pagecache_open(o->pagecache_max_files, s->epfd);
	if (!s->pc)
		return 1;
	s->leaks = leaks_open(o, s->epfd);
	if (!s->leaks)
		return 1;
	s->http = http_server_open((const struct sockaddr *)&o->addr, o->addrlen,
				   s->epfd, serve_route, s);
	if (!s->http) {
		log_err("cannot listen on %s: %s", o->listen, strerror(errno));
		return 1;
	}
	say_listening(http_server_fd(s->http));
	return 0;
}

/* The loop: until SIGTERM or SIGINT (their handler interrupts
 * epoll_wait()). */
static int run(void *ctx)
{
	struct serve *s = ctx;
	struct epoll_event ev[32];
	int n;

	while (!loop_interrupted()) {
		n = epoll_wait(s->epfd, ev, 32, http_server_expire(s->http, MAX_WAIT_MS));
		if (n < 0 && errno != EINTR) {
			log_err("waiting for events: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct ev_src *src = ev[i].data.ptr;

			src->ready(src, ev[i].events);
		}
		serve_poll(s);
	}
	return 0;
}

static void final_report(void *ctx)
{
	(void)ctx;
	log_info("stopped");
}

static void teardown(void *ctx)
{
	struct serve *s = ctx;

	http_server_close(s->http);
	leaks_close(s->leaks);
	ring_buffer__free(s->pr_rb);
	procs_collector_close(s->pr);
	pagecache_close(s->pc);
	kmalloc_collector_close(s->km);
	ksyms_free(s->ksyms);
	exits_free(&s->exits);
	if (s->epfd >= 0)
		close(s->epfd);
}

int serve_main(void *opts, char **rest, int nrest)
{
	struct serve s = { .o = opts, .epfd = -1 };
	struct mt_run r = {
		.ctx = &s,
		.ringbuf = true,
		.prepare = prepare,
		.start = start,
		.run_once = run,
		.final_report = final_report,
		.teardown = teardown,
	};

	(void)rest, (void)nrest;
	return mt_run(&r);
}
