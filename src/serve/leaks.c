// SPDX-License-Identifier: GPL-2.0
/* serve's traced processes (see serve/leaks.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <bpf/libbpf.h>
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/loop.h"
#include "leak/collector.h"
#include "leak/frames.h"
#include "leak/profile.h"
#include "leak/target.h"
#include "serve/leaks.h"
#include "serve/metrics.h"
#include "serve/serve.h"
#include "serve/server.h"
#include "usyms/usyms.h"
#include "util/parse.h"
#include "util/path.h"
#include "util/procfs.h"
#include "util/procmaps.h"

/* Stacks cost value_size * max_stacks each: smaller than the CLI's. */
#define SERVE_STACK_DEPTH 64
#define SERVE_MAX_STACKS 8192
#define SERVE_RINGBUF (1 << 20)

struct target {
	struct ev_src src;		/* its ring buffer's epoll fd */
	pid_t pid;
	struct leak_collector *col;
	struct ring_buffer *rb;
	struct usyms *usyms;
	uint64_t start_ns;
};

/* A process that exec'ed under a --leak-comm name, its libraries not
 * mapped yet: the dynamic linker maps them after the exec. */
struct pending {
	pid_t pid;
	uint64_t until;			/* then tried whatever the map says */
};

#define PENDING_NS (2 * NS_PER_SEC)
#define MAX_PENDING 64

struct leaks {
	const struct serve_opts *o;
	struct pending pending[MAX_PENDING];
	size_t npending;
	int epfd;
	struct target **t;
	size_t n;
	struct leak_losses gone;	/* of the targets closed */
	uint64_t entries;		/* heap blocks held, at the last
					 * leaks_metrics() */
	bool warned_full;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct target *t = ctx;
	const struct leak_event *e = leak_collector_event(t->col, data, size);

	/* An exec: the new image's files. */
	if (e && e->type == LEAK_EV_EXEC) {
		usyms_free(t->usyms);
		t->usyms = usyms_new(t->pid);
	}
	return 0;
}

static void ring_ready(struct ev_src *src, uint32_t events)
{
	(void)events;
	ring_buffer__consume(((struct target *)src)->rb);
}

static void losses_add(struct leak_losses *into, const struct leak_losses *l)
{
	into->map_full += l->map_full;
	into->ringbuf += l->ringbuf;
	into->thread_state += l->thread_state;
	into->stack_full += l->stack_full;
	into->stack_collision += l->stack_collision;
	into->stack_missing += l->stack_missing;
	into->untracked_frees += l->untracked_frees;
	into->regions_oom |= l->regions_oom;
}

static void target_free(struct leaks *l, struct target *t)
{
	struct leak_losses lost;

	if (!t)
		return;
	if (t->col) {
		leak_losses_read(t->col, &lost);
		losses_add(&l->gone, &lost);
	}
	if (t->rb)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, ring_buffer__epoll_fd(t->rb), NULL);
	ring_buffer__free(t->rb);
	leak_collector_close(t->col);
	usyms_free(t->usyms);
	free(t);
}

static struct target *find(struct leaks *l, pid_t pid, size_t *i)
{
	for (*i = 0; *i < l->n; (*i)++)
		if (l->t[*i]->pid == pid)
			return l->t[*i];
	return NULL;
}

static int attach(struct leaks *l, struct target *t)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &t->src };
	struct leak_config cfg = {
		.pid = t->pid, .prefix = "", .max_size = ~0ULL,
		.sample_rate = 1, .stack_depth = SERVE_STACK_DEPTH,
		.max_allocs = l->o->leak_max_allocs,
		.max_stacks = SERVE_MAX_STACKS, .ringbuf_size = SERVE_RINGBUF,
		.heap = true, .mmap = true, .cumulative = true,
	};
	struct leak_libs libs;

	if (leak_libs_of_pid(t->pid, NULL, "", &libs))
		return -1;
	t->col = leak_collector_open(&cfg, &libs);
	if (!t->col)
		return -1;
	t->rb = ring_buffer__new(leak_collector_events_fd(t->col), on_event, t, NULL);
	if (!t->rb ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(t->rb), &ev)) {
		log_err("process %d: cannot set up the ring buffer: %s", t->pid,
			strerror(errno));
		return -1;
	}
	t->usyms = usyms_new(t->pid);
	t->start_ns = mono_ns();
	return 0;
}

/* Starts tracing pid: 0, or -1 after an error naming it. */
static int add(struct leaks *l, pid_t pid)
{
	struct target *t, **v;
	size_t i;

	if (find(l, pid, &i) || pid == getpid())
		return 0;
	if (l->n == l->o->leak_max_procs) {
		if (!l->warned_full)
			log_warn("process %d is not traced: --leak-max-procs (%llu) are",
				 pid, (unsigned long long)l->o->leak_max_procs);
		l->warned_full = true;
		return -1;
	}
	t = calloc(1, sizeof(*t));
	v = realloc(l->t, (l->n + 1) * sizeof(*v));
	if (v)
		l->t = v;
	if (!t || !v) {
		free(t);
		log_err("out of memory");
		return -1;
	}
	*t = (struct target){ .src.ready = ring_ready, .pid = pid };
	if (attach(l, t)) {
		target_free(l, t);
		return -1;
	}
	l->t[l->n++] = t;
	log_info("process %d: tracing its allocations", pid);
	return 0;
}

static bool comm_wanted(const struct leaks *l, const char *comm)
{
	for (int i = 0; i < l->o->nleak_comms; i++)
		if (!strncmp(l->o->leak_comms[i], comm, MT_COMM_LEN))
			return true;
	return false;
}

/* --leak-comm: the processes of those names running now. */
static void scan_comms(struct leaks *l)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char comm[16];
	pid_t pid;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (!parse_pid(de->d_name, &pid) && !proc_comm(pid, comm) &&
		    comm_wanted(l, comm) && proc_alive(pid))
			add(l, pid);
	closedir(d);
}

struct leaks *leaks_open(const struct serve_opts *o, int epfd)
{
	struct leaks *l = calloc(1, sizeof(*l));

	if (!l) {
		log_err("out of memory");
		return NULL;
	}
	l->o = o;
	l->epfd = epfd;
	for (int i = 0; i < o->nleak_pids; i++) {
		if (!mt_check_target(o->leak_pids[i], "process", true) ||
		    add(l, o->leak_pids[i])) {
			leaks_close(l);
			return NULL;
		}
	}
	if (o->nleak_comms)
		scan_comms(l);
	return l;
}

void leaks_close(struct leaks *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		target_free(l, l->t[i]);
	free(l->t);
	free(l);
}

/* Whether pid's allocator can be found now: a static program has it
 * from the start, a dynamic one once the dynamic linker mapped libc. */
static bool libs_mapped(pid_t pid)
{
	struct procmaps pm;
	struct procmaps_entry e;
	bool interp = false, libc = false;

	if (procmaps_open(&pm, pid))
		return true;	/* gone: add() says so */
	while (procmaps_next(&pm, &e) > 0) {
		const char *base = path_base(e.path);

		interp |= !strncmp(base, "ld-linux", 8) || !strncmp(base, "ld-", 3);
		libc |= !strncmp(base, "libc.so", 7) || !strncmp(base, "libc-", 5);
	}
	procmaps_close(&pm);
	return !interp || libc;
}

void leaks_exec(struct leaks *l, pid_t pid, const char *comm)
{
	if (!comm_wanted(l, comm))
		return;
	if (libs_mapped(pid) || l->npending == MAX_PENDING)
		add(l, pid);
	else
		l->pending[l->npending++] = (struct pending){
			.pid = pid, .until = mono_ns() + PENDING_NS };
}

/* The processes waiting for their libraries: traced once they are there
 * (or after PENDING_NS, whatever they map), forgotten if they exit. */
static void attach_pending(struct leaks *l)
{
	uint64_t now = mono_ns();

	for (size_t i = 0; i < l->npending;) {
		struct pending *p = &l->pending[i];

		if (proc_alive(p->pid) && !libs_mapped(p->pid) && now < p->until) {
			i++;
			continue;
		}
		if (proc_alive(p->pid))
			add(l, p->pid);
		*p = l->pending[--l->npending];
	}
}

void leaks_exit(struct leaks *l, pid_t pid)
{
	size_t i;
	struct target *t = find(l, pid, &i);

	if (!t)
		return;
	log_info("process %d has exited: no longer traced", pid);
	target_free(l, t);
	l->t[i] = l->t[--l->n];
}

void leaks_poll(struct leaks *l)
{
	if (l->npending)
		attach_pending(l);
	for (size_t i = 0; i < l->n; i++)
		ring_buffer__consume(l->t[i]->rb);
}

void leaks_metrics(struct leaks *l, struct metrics *m)
{
	static const char *const name[] = { "memtrace_leak_outstanding_bytes",
					    "memtrace_leak_outstanding_allocations" };
	static const char *const help[] = {
		"Bytes a traced process holds (heap: the malloc family and C++ new; mmap: its mappings).",
		"Allocations a traced process holds, by kind of memory.",
	};
	struct leak_snapshot s;
	uint64_t v[64][2][2] = {};	/* target, heap/mmap, bytes/allocations */
	char pid[16], comm[16];

	l->entries = 0;
	for (size_t i = 0; i < l->n && i < 64; i++) {
		if (leak_snapshot_take(l->t[i]->col, 0, &s) == 0) {
			v[i][0][0] = s.heap_bytes;
			v[i][0][1] = s.heap_count;
			v[i][1][0] = s.mmap_bytes;
			v[i][1][1] = s.mmap_count;
			/* Each block is an entry of the allocs map. */
			l->entries += s.heap_count;
		}
		leak_snapshot_free(&s);
	}
	for (int f = 0; f < 2; f++) {
		metrics_family(m, name[f], METRIC_GAUGE, help[f]);
		for (size_t i = 0; i < l->n && i < 64; i++) {
			snprintf(pid, sizeof(pid), "%d", l->t[i]->pid);
			if (proc_comm(l->t[i]->pid, comm))
				strcpy(comm, "?");
			for (int mm = 0; mm < 2; mm++)
				metrics_u64(m, name[f], (struct mlabel[]){
					{ "pid", pid }, { "comm", comm },
					{ "kind", mm ? "mmap" : "heap" } }, 3, v[i][mm][f]);
		}
	}
}

void leaks_losses(struct leaks *l, struct leak_losses *sum)
{
	struct leak_losses one;

	*sum = l->gone;
	for (size_t i = 0; i < l->n; i++) {
		leak_losses_read(l->t[i]->col, &one);
		losses_add(sum, &one);
	}
}

void leaks_fill(const struct leaks *l, uint64_t *entries, uint64_t *cap)
{
	*entries = l->entries;
	*cap = l->n * l->o->leak_max_allocs;
}

size_t leaks_objects(const struct leaks *l, struct bpf_object **objs,
		     size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n && n < max; i++)
		objs[n++] = leak_collector_object(l->t[i]->col);
	return n;
}

int leaks_profile(struct leaks *l, pid_t pid, uint8_t **out, size_t *len)
{
	size_t i;
	struct target *t = find(l, pid, &i);

	if (!t)
		return -ENOENT;
	ring_buffer__consume(t->rb);
	if (t->usyms)
		usyms_refresh(t->usyms);
	return leak_profile_build(&(struct leak_profile_src){
		.col = t->col, .usyms = t->usyms, .stack_depth = SERVE_STACK_DEPTH,
		.sample_rate = 1, .start_ns = t->start_ns }, out, len);
}
