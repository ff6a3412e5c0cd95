// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace leak: outstanding allocations by call stack. The collector
 * loads and attaches, the snapshot reads its maps, the views print; this
 * joins them for the CLI, around the target: a running process (-p), a
 * command memtrace starts (-- CMD), or the kernel.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/loop.h"
#include "leak/child.h"
#include "leak/collector.h"
#include "leak/hooks.h"
#include "leak/leak.h"
#include "leak/profile.h"
#include "leak/snapshot.h"
#include "leak/target.h"
#include "leak/views.h"
#include "usyms/usyms.h"
#include "util/ksyms.h"
#include "util/parse.h"
#include "util/procfs.h"
#include "util/outfile.h"

struct leak_run {
	const struct leak_opts *o;
	struct leak_collector *col;
	struct leak_view view;
	struct leak_libs libs;		/* the files to attach to */
	char exe[PATH_MAX];		/* -- CMD: the program */
	pid_t pid;			/* the traced process */
	bool child;			/* started by memtrace (-- CMD) */
	bool gone;			/* the traced process has exited */
	bool looped;			/* the loop ran */
	uint64_t next_maps_ns;		/* -p: when to read its maps again */
	int child_status;
	int go_fd, err_fd;		/* -- CMD, until it may exec */
	uint64_t start_ns;		/* the trace began */
	bool profile_failed;		/* --pprof could not be written */
	struct run_as user;		/* --user */
};

/* ---- The target ---- */

/* The process a thread belongs to (Tgid in /proc/PID/status), or -1. */
static pid_t proc_tgid(pid_t pid)
{
	char path[64], line[128];
	pid_t tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* -p: the process (of a thread, its process) and its allocator. */
static int pid_target(struct leak_run *r)
{
	const struct leak_opts *o = r->o;
	pid_t tgid;

	if (!mt_check_target(o->pid, "process", true))
		return -1;
	tgid = proc_tgid(o->pid);
	if (tgid > 0 && tgid != o->pid) {
		log_note("%d is a thread of process %d: tracing the process",
			 o->pid, tgid);
		r->pid = tgid;
		return leak_libs_of_pid(r->pid, o->obj, o->prefix, &r->libs);
	}
	if (o->pid == getpid()) {
		log_err("-p %d: memtrace cannot trace itself", o->pid);
		return -1;
	}
	r->pid = o->pid;
	return leak_libs_of_pid(o->pid, o->obj, o->prefix, &r->libs);
}

/* -- CMD: its program and allocator; it is started, and waits. */
static int cmd_target(struct leak_run *r)
{
	const struct leak_opts *o = r->o;

	if (leak_find_program(o->cmd[0], r->exe, sizeof(r->exe)) ||
	    leak_libs_of_program(r->exe, o->obj, o->prefix, &r->libs))
		return -1;
	if (o->user && leak_user_lookup(o->user, &r->user))
		return -1;
	r->pid = leak_child_spawn(r->exe, o->cmd, o->user ? &r->user : NULL,
				  &r->go_fd, &r->err_fd);
	if (r->pid < 0)
		return -1;
	r->child = true;
	return 0;
}

static void on_sigchld(int sig)
{
	(void)sig;	/* only wakes the loop's epoll_wait() */
}

static int prepare(void *ctx)
{
	struct leak_run *r = ctx;
	const struct leak_opts *o = r->o;
	/* SA_RESTART: a write to a slow pipe must not fail with EINTR
	 * (epoll_wait() is interrupted all the same). */
	struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART };

	char why[HOOK_WHY_LEN];

	sigaction(SIGCHLD, &sa, NULL);
	if (!o->kernel && hook_set_check(&leak_user_hooks, why, sizeof(why))) {
		log_err("cannot trace user space: %s", why);
		return 1;
	}
	if (!o->kernel)
		return (o->pid ? pid_target(r) : cmd_target(r)) ? 1 : 0;
	if (o->alloc_pid && !mt_check_target(o->alloc_pid, "process", false))
		return 1;
	r->pid = o->alloc_pid;
	r->view.ksyms = ksyms_load(NULL);
	if (!r->view.ksyms)
		log_warn("cannot read /proc/kallsyms (%s): frames shown as addresses",
			 strerror(errno));
	return 0;
}

/* ---- Starting ---- */

static struct leak_config config(const struct leak_run *r)
{
	const struct leak_opts *o = r->o;

	return (struct leak_config){
		.kernel = o->kernel,
		.pid = r->pid,
		.prefix = o->prefix,
		.pages = o->pages,
		.percpu = o->percpu,
		.wa_missing_free = o->wa_missing_free,
		.min_size = o->min_size,
		.max_size = o->max_size,
		.sample_rate = o->sample_rate,
		.stack_depth = o->stack_depth,
		.max_allocs = o->max_allocs,
		.max_stacks = o->max_stacks,
		.ringbuf_size = o->ringbuf_size,
		.combined = o->combined,
		.trace = o->trace,
		.heap = o->kind != LEAK_KIND_MMAP,
		.mmap = o->kind != LEAK_KIND_HEAP,
		.cumulative = o->pprof != NULL,
	};
}

/* The probes are in place: the command may exec. */
static int run_command(struct leak_run *r)
{
	int err = leak_child_go(r->pid, r->exe, r->go_fd, r->err_fd);

	r->go_fd = r->err_fd = -1;
	if (err)
		r->child = false;
	return err;
}

static int start(void *ctx, int *events_fd)
{
	struct leak_run *r = ctx;
	const struct leak_opts *o = r->o;
	struct leak_config cfg = config(r);
	int err;

	r->col = leak_collector_open(&cfg, o->kernel ? NULL : &r->libs);
	if (!r->col)
		return 1;
	r->view.col = r->col;
	r->view.pid = r->pid;
	r->start_ns = mono_ns();
	*events_fd = leak_collector_events_fd(r->col);
	/* The command was forked with memtrace's stdout: it keeps it. */
	if (o->output && (err = output_to(o->output))) {
		log_err("cannot write %s: %s", o->output, strerror(-err));
		return 1;
	}
	if (r->child && run_command(r))
		return 1;
	if (o->kernel)
		return 0;
	r->view.usyms = usyms_new(r->pid);
	if (!r->view.usyms)
		log_warn("cannot read the memory map of process %d: %s", r->pid,
			 strerror(errno));
	return 0;
}

/* ---- Running ---- */

/*
 * The process exec'ed: the collector forgot the old image's allocations
 * and mappings; the new image's files are read while it runs.
 */
static void on_exec(struct leak_run *r)
{
	usyms_free(r->view.usyms);
	r->view.usyms = usyms_new(r->pid);
	log_info("process %d exec'ed: the allocations of the image before are forgotten",
		 r->pid);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct leak_run *r = ctx;
	const struct leak_event *e = leak_collector_event(r->col, data, size);

	if (!e)
		return 0;
	if (e->type == LEAK_EV_EXEC)
		on_exec(r);
	else if (r->o->trace)
		leak_view_trace(&r->view, e);
	return 0;
}

/* What the child's ptrace stops ask for; its state after them. After
 * the process exits, its memory map cannot be read: it is read now. */
static enum child_state child_events(struct leak_run *r, int timeout_ms)
{
	enum child_state st;

	while ((st = leak_child_poll(r->pid, &r->child_status, timeout_ms)) ==
	       CHILD_EXITING || st == CHILD_EXEC) {
		if (r->view.usyms)
			usyms_refresh(r->view.usyms);
		leak_child_release(r->pid);
	}
	return st;
}

static bool target_gone(void *ctx)
{
	struct leak_run *r = ctx;
	enum child_state st;

	if (r->o->kernel && !r->o->alloc_pid)
		return false;
	if (!r->child) {
		if (proc_alive(r->pid)) {
			/* Libraries it maps are opened while it lives. */
			if (mono_ns() >= r->next_maps_ns) {
				usyms_refresh(r->view.usyms);
				r->next_maps_ns = mono_ns() + NS_PER_SEC;
			}
			return false;
		}
		log_note("process %d has exited", r->pid);
		r->gone = true;
		return true;
	}
	st = child_events(r, 0);
	if (st == CHILD_GONE)
		r->gone = true;
	return st == CHILD_GONE;
}

/* The report every interval and at the end: final, the process may have
 * exited, and every allocation still there is a leak whatever its age. */
static int report(struct leak_run *r, bool final)
{
	const struct leak_opts *o = r->o;
	bool all = final && r->gone;
	struct leak_snapshot s;
	struct leak_losses l;
	int err;

	err = leak_snapshot_take(r->col, all || o->combined ? 0 : o->older_ns, &s);
	if (err) {
		leak_snapshot_free(&s);
		log_err("cannot read the outstanding allocations: %s",
			strerror(-err));
		return err;
	}
	leak_losses_read(r->col, &l);
	err = leak_view_report(&r->view, &s, &l, all, final);
	leak_snapshot_free(&s);
	return err;
}

static int on_tick(void *ctx)
{
	return report(ctx, false);
}

/*
 * Stopped by a signal while the command runs: what it frees on its way
 * out must be seen, or it would be reported as leaked. Ctrl-C reached it
 * too (the terminal signals the whole process group); a signal sent to
 * memtrace alone is passed on, as timeout(1) does. Then the loop runs on
 * until the command exits, or a second signal gives up waiting.
 */
static int wait_for_command(void *ctx, struct ring_buffer *rb, int end)
{
	struct leak_run *r = ctx;
	struct loop_opts lo = { .rb = rb, .should_stop = target_gone, .ctx = r };
	bool sent;
	int sig = loop_stop_signal(&sent);

	r->looped = true;
	if (end != LOOP_DONE || !sig || !r->child || r->gone || target_gone(r))
		return end;
	if (sent)
		kill(r->pid, sig);
	log_note("waiting for the command (PID %d) to exit; interrupt again to stop waiting",
		 r->pid);
	loop_rearm();
	return loop_run(&lo);
}

/* --pprof: the same allocations as the last report, as a profile. */
static void write_profile(struct leak_run *r)
{
	struct leak_profile_src src = {
		.col = r->col,
		.usyms = r->view.usyms,
		.ksyms = r->view.ksyms,
		.kernel = r->o->kernel,
		.stack_depth = r->o->stack_depth,
		.sample_rate = r->o->sample_rate,
		.start_ns = r->start_ns,
	};

	if (leak_profile_write(&src, r->o->pprof))
		r->profile_failed = true;
}

static void final_report(void *ctx)
{
	struct leak_run *r = ctx;

	if (r->child && !r->gone)
		log_warn("the report is partial: the command (PID %d) runs on, no longer traced; what it still holds is not all leaked",
			 r->pid);
	report(r, true);
	if (r->o->pprof)
		write_profile(r);
}

/* ---- The end ---- */

static void note_child_status(const struct leak_run *r)
{
	int st = r->child_status;

	if (!r->child || !r->gone)
		return;
	if (WIFEXITED(st) && WEXITSTATUS(st))
		log_note("the command exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		log_note("the command was killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
}

static void teardown(void *ctx)
{
	struct leak_run *r = ctx;

	note_child_status(r);
	if (r->go_fd >= 0) {
		/* Never started: the child reads EOF and exits. */
		close(r->go_fd);
		close(r->err_fd);
		waitpid(r->pid, NULL, __WALL);
	} else if (r->child && !r->looped) {
		/* Let go, but what followed failed (the ring buffer): it
		 * must not run on untraced, as if memtrace had started. */
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, __WALL);
	}
	leak_collector_close(r->col);
	usyms_free(r->view.usyms);
	ksyms_free(r->view.ksyms);
	leak_user_free(&r->user);
	leak_view_free(&r->view);
}

int leak_main(void *opts, char **rest, int nrest)
{
	const struct leak_opts *o = opts;
	struct leak_run r = { .o = o, .go_fd = -1, .err_fd = -1 };
	int status;
	struct mt_run run = {
		.ctx = &r,
		.ringbuf = true,
		.prepare = prepare,
		.start = start,
		.on_event = on_event,
		.interval_ns = o->interval_ns,
		.duration_ns = o->duration_ns,
		.on_tick = on_tick,
		.should_stop = target_gone,
		.after_loop = wait_for_command,
		.final_report = final_report,
		.teardown = teardown,
	};

	(void)rest, (void)nrest;
	if (leak_view_init(&r.view, o)) {
		log_err("out of memory");
		return 1;
	}
	status = mt_run(&run);
	return status ? status : r.profile_failed;
}
