// SPDX-License-Identifier: GPL-2.0
/* procs' collector: loading, attaching, the processes followed, losses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "procs.skel.h"
#include "core/hooks.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/losses.h"
#include "procs/collector.h"
#include "procs/hooks.h"
#include "util/procfs.h"

struct procs_collector {
	struct procs_config cfg;
	struct procs_bpf *skel;
	uint64_t next_sweep_ns;
};

/* tp_btf first: typed arguments and no tracefs; then classic tracepoints. */
static int try_attach(void *ctx, enum hook h)
{
	struct procs_collector *c = ctx;
	const struct procs_config *o = &c->cfg;
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = btf_custom_path());
	bool btf = h == HOOK_TP_BTF, want_fork = o->pid != 0;
	bool want_exit = o->want_exit || o->pid;
	char why[HOOK_WHY_LEN];
	struct procs_bpf *skel;
	int err;

	/* What `memtrace probe` says of this kernel, before loading. */
	if (procs_hooks.hooks[0].check(h, why, sizeof(why))) {
		log_info("sched_process_exec/exit: %s: %s", hook_name(h), why);
		return HOOK_UNAVAILABLE;
	}
	if (!btf && (err = tracefs_ensure()))
		return err;

	skel = procs_bpf__open_opts(&open_opts);
	if (!skel)
		return -errno;
	skel->rodata->targ_tgid = o->pid;
	skel->rodata->filter_comm = o->comm[0] != '\0';
	memcpy((char *)skel->rodata->targ_comm, o->comm, sizeof(o->comm));
	skel->rodata->min_lifetime_ns = o->min_lifetime_ns;
	skel->rodata->want_exec = o->want_exec;
	skel->rodata->want_exit = o->want_exit;
	bpf_map__set_max_entries(skel->maps.events, o->ringbuf_size);
	skel->rodata->wakeup_bytes = loop_wakeup_bytes(o->ringbuf_size);
	/* Preallocated maps cost memory: keep the ones not used at one. */
	if (!o->pid)
		bpf_map__set_max_entries(skel->maps.traced, 1);
	if (btf && tp_btf_has_arg("sched_process_exit", 1))
		bpf_map__set_max_entries(skel->maps.exit_reported, 1);

	bpf_program__set_autoload(skel->progs.exec_btf, btf && o->want_exec);
	bpf_program__set_autoload(skel->progs.exit_btf, btf && want_exit);
	bpf_program__set_autoload(skel->progs.fork_btf, btf && want_fork);
	bpf_program__set_autoload(skel->progs.exec_tp, !btf && o->want_exec);
	bpf_program__set_autoload(skel->progs.exit_tp, !btf && want_exit);
	bpf_program__set_autoload(skel->progs.fork_tp, !btf && want_fork);

	err = procs_bpf__load(skel);
	if (!err)
		err = procs_bpf__attach(skel);
	if (err) {
		procs_bpf__destroy(skel);
		return err;
	}
	c->skel = skel;
	if (o->want_exec)
		log_info("sched_process_exec via %s", hook_name(h));
	if (want_exit)
		log_info("sched_process_exit via %s", hook_name(h));
	if (want_fork)
		log_info("sched_process_fork via %s", hook_name(h));
	return 0;
}

/* Adds pids to the followed set. */
static void follow_pids(int fd, const pid_t *pids, size_t n)
{
	__u8 one = 1;

	for (size_t i = 0; i < n; i++) {
		__u32 key = pids[i];

		bpf_map_update_elem(fd, &key, &one, BPF_NOEXIST);
	}
}

/*
 * The followed set starts with the target and its current descendants;
 * the fork hook adds later children. Attach happens first, then /proc is
 * read twice so that a child forked while the first pass ran is not
 * missed.
 */
static int follow_target(struct procs_collector *c)
{
	int fd = bpf_map__fd(c->skel->maps.traced);
	pid_t root = c->cfg.pid, *pids;
	size_t n;
	int err;

	follow_pids(fd, &root, 1);
	for (int pass = 0; pass < 2; pass++) {
		err = proc_descendants(root, &pids, &n);
		if (err)
			return err;
		follow_pids(fd, pids, n);
		free(pids);
	}
	return 0;
}

struct procs_collector *procs_collector_open(const struct procs_config *cfg)
{
	const struct hook_desc *hook = &procs_hooks.hooks[0];
	struct procs_collector *c = log_calloc(1, sizeof(*c));
	int err;

	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (hook_attach("sched_process_exec/exit", hook->chain, hook->chain_len,
			try_attach, c) < 0)
		goto fail;
	if (cfg->pid && (err = follow_target(c))) {
		log_err("cannot read /proc: %s", strerror(-err));
		goto fail;
	}
	return c;
fail:
	procs_collector_close(c);
	return NULL;
}

void procs_collector_close(struct procs_collector *c)
{
	if (!c)
		return;
	procs_bpf__destroy(c->skel);
	free(c);
}

int procs_collector_events_fd(const struct procs_collector *c)
{
	return bpf_map__fd(c->skel->maps.events);
}

void procs_collector_losses(const struct procs_collector *c,
			    struct procs_losses *l)
{
	uint64_t lost[MT_LOST_NR] = {};

	losses_read(bpf_map__fd(c->skel->maps.lost), lost, MT_LOST_NR);
	l->ringbuf = lost[MT_LOST_RINGBUF];
	l->map_full = lost[MT_LOST_MAP_FULL];
}

/*
 * Every second, entries of processes that are gone are dropped too: one
 * that exited while /proc was being read was never seen by the exit hook
 * (the exit tracepoint fires before the task becomes a zombie, so a
 * zombie's event was already sent).
 */
bool procs_collector_all_exited(struct procs_collector *c)
{
	int fd = bpf_map__fd(c->skel->maps.traced);
	__u32 key, next, *prev = NULL;

	if (mono_ns() >= c->next_sweep_ns) {
		c->next_sweep_ns = mono_ns() + 1000000000ULL;
		while (!bpf_map_get_next_key(fd, prev, &next)) {
			key = next;
			prev = &key;
			if (!proc_alive(key)) {
				bpf_map_delete_elem(fd, &key);
				prev = NULL;	/* start over: key is gone */
			}
		}
	}
	return bpf_map_get_next_key(fd, NULL, &key) && errno == ENOENT;
}

struct bpf_object *procs_collector_object(const struct procs_collector *c)
{
	return c->skel->obj;
}
