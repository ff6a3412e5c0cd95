// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/loop.h"
#include "util/procfs.h"

static int attach_and_start(const struct mt_run *run, struct ring_buffer **rb)
{
	int fd = -1, status;

	if (run->chain && hook_attach(run->hook_what, run->chain, run->chain_len,
				      run->try_attach, run->ctx) < 0)
		return 1;
	if (run->start && (status = run->start(run->ctx, &fd)))
		return status;
	if (fd < 0)
		return 0;
	*rb = ring_buffer__new(fd, run->on_event, run->ctx, NULL);
	if (!*rb) {
		log_err("cannot set up the ring buffer: %s", strerror(errno));
		return 1;
	}
	return 0;
}

int mt_run(const struct mt_run *run)
{
	/* stdout's buffer: setvbuf() with no buffer of its own keeps the C
	 * library's size (glibc's 4 KiB, musl's 1 KiB) whatever it is told. */
	static char out_buf[1 << 16];
	struct ring_buffer *rb = NULL;
	int status = 1, end, once = 0;

	/* A stream is flushed by the loop after each batch of events. */
	setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
	loop_signals_init();
	if (host_check(run->ringbuf))
		goto out;
	if (run->pid && !mt_check_target(run->pid, "process", false))
		goto out;
	if (run->prepare && (status = run->prepare(run->ctx)))
		goto out;
	status = attach_and_start(run, &rb);
	if (status)
		goto out;
	log_info("ready");

	struct loop_opts lo = {
		.rb = rb,
		.interval_ns = run->interval_ns,
		.duration_ns = run->duration_ns,
		.on_tick = run->on_tick,
		.should_stop = run->should_stop,
		.ctx = run->ctx,
	};
	if (run->run_once) {
		once = run->run_once(run->ctx);
		end = LOOP_DONE;
	} else {
		end = loop_run(&lo);
	}
	if (run->after_loop)
		end = run->after_loop(run->ctx, rb, end);
	status = loop_finish(end, run->final_report, run->ctx);
	if (!status)
		status = once;
out:
	/* Not called with NULL: a run without events (filecache on a file)
	 * would fault in a page of libbpf's code for it, ~2 us here. */
	if (rb)
		ring_buffer__free(rb);
	if (run->teardown)
		run->teardown(run->ctx);
	probe_cleanup();
	return status;
}

bool mt_check_target(pid_t pid, const char *what, bool user_space)
{
	bool kthread;

	switch (proc_state(pid, &kthread)) {
	case PROC_GONE:
		log_err("no %s with PID %d", what, pid);
		return false;
	case PROC_ZOMBIE:
		log_err("%s %d has exited: a zombie its parent has not reaped yet",
			what, pid);
		return false;
	default:
		if (kthread && user_space) {
			log_err("%d is a kernel thread: it has no user-space memory", pid);
			return false;
		}
		return true;
	}
}
