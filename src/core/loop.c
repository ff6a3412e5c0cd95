// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "core/loop.h"

#define MAX_WAIT_MS 100
/* After a wake-up: the BPF side does not wake us again for 1 ms
 * (RINGBUF_WAKE_GAP_NS), so what comes meanwhile is read this soon. */
#define FOLLOW_UP_MS 2

static volatile sig_atomic_t stop_signal, stop_sent;

static void on_stop_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	stop_signal = sig;
	/* The terminal's Ctrl-C reaches the whole foreground process group
	 * with SI_KERNEL; kill(2) and sigqueue(3) give SI_USER and below. */
	stop_sent = si->si_code <= 0;
}

void loop_signals_init(void)
{
	struct sigaction sa = { .sa_sigaction = on_stop_signal,
				.sa_flags = SA_SIGINFO };

	/* No SA_RESTART: a signal must interrupt epoll_wait(). */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed pipe shows up as EPIPE on the next write instead. */
	signal(SIGPIPE, SIG_IGN);
}

bool loop_interrupted(void)
{
	return stop_signal != 0;
}

int loop_stop_signal(bool *sent)
{
	if (sent)
		*sent = stop_sent;
	return stop_signal;
}

void loop_rearm(void)
{
	stop_signal = 0;
	stop_sent = 0;
}

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int64_t wall_offset_ns;

/* NTP slews CLOCK_REALTIME against CLOCK_MONOTONIC: keep the offset fresh. */
static void refresh_wall_offset(void)
{
	struct timespec real, mono;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	wall_offset_ns = (real.tv_sec - mono.tv_sec) * 1000000000LL +
			 (real.tv_nsec - mono.tv_nsec);
}

uint64_t loop_wall_ns(uint64_t mono)
{
	if (!wall_offset_ns)
		refresh_wall_offset();
	return mono + wall_offset_ns;
}

int loop_finish(int end, void (*report)(void *ctx), void *ctx)
{
	if (end == LOOP_DONE) {
		report(ctx);
		end = loop_flush(stdout);
	}
	if (end == LOOP_OUTPUT_FAILED) {
		log_err("writing output: %s", strerror(errno));
		return 1;
	}
	if (end < 0) {
		log_err("reading events: %s", strerror(-end));
		return 1;
	}
	return 0;
}

int loop_flush(FILE *f)
{
	if (fflush(f) == 0 && !ferror(f))
		return 0;
	if (errno == EPIPE)
		return LOOP_OUTPUT_CLOSED;
	if (!errno)
		errno = EIO;
	return LOOP_OUTPUT_FAILED;
}

uint64_t loop_wakeup_bytes(uint64_t ringbuf_size)
{
	uint64_t batch = ringbuf_size / 16;

	return batch < (256 << 10) ? batch : (256 << 10);
}

/*
 * An error from a ring-buffer callback or on_tick(): views write as they
 * go, so a failed write to stdout (its error flag is set) ends the loop
 * like a failed flush; anything else is an error reading events.
 */
static int loop_error(int err)
{
	if (!ferror(stdout))
		return err;
	if (err == -EPIPE)
		return LOOP_OUTPUT_CLOSED;
	errno = -err;
	return LOOP_OUTPUT_FAILED;
}

/*
 * Whether stdout's reader has gone (a pipe whose read end is closed, a
 * terminal hung up). A write would say so too, but a quiet stream may not
 * write for a long time: `memtrace ... | head -1` must end as head does.
 */
static bool output_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static int wait_ms(uint64_t now, uint64_t until, int max_ms)
{
	uint64_t ms;

	if (!until)
		return max_ms;
	if (until <= now)
		return 0;
	ms = (until - now + 999999) / 1000000;
	return ms < (uint64_t)max_ms ? (int)ms : max_ms;
}

static int drain(const struct loop_opts *o)
{
	int err = o->rb ? ring_buffer__consume(o->rb) : 0;

	if (err < 0)
		return loop_error(err);
	return loop_flush(stdout);
}

int loop_run(const struct loop_opts *o)
{
	uint64_t now = mono_ns();
	uint64_t deadline = o->duration_ns ? now + o->duration_ns : 0;
	uint64_t next_tick = o->interval_ns ? now + o->interval_ns : 0;
	int err, ms, max_ms = MAX_WAIT_MS;

	loop_signals_init();
	while (!stop_signal) {
		ms = wait_ms(now, next_tick, max_ms);
		if (deadline && wait_ms(now, deadline, max_ms) < ms)
			ms = wait_ms(now, deadline, max_ms);
		if (o->rb) {
			err = ring_buffer__poll(o->rb, ms);
			/*
			 * The BPF side does not wake us for every record
			 * (RINGBUF_SUBMIT): what waits unannounced is read
			 * when the wait times out, soon after a wake-up, so
			 * that no event waits longer than FOLLOW_UP_MS then,
			 * or MAX_WAIT_MS at the very most.
			 */
			if (err == 0)
				err = ring_buffer__consume(o->rb);
			max_ms = err > 0 ? FOLLOW_UP_MS : MAX_WAIT_MS;
		} else
			err = poll(NULL, 0, ms) < 0 ? -errno : 0;
		if (err < 0 && err != -EINTR)
			return loop_error(err);
		refresh_wall_offset();

		now = mono_ns();
		if (next_tick && now >= next_tick) {
			err = o->on_tick ? o->on_tick(o->ctx) : 0;
			if (err)
				return loop_error(err);
			while (next_tick <= now)
				next_tick += o->interval_ns;
		}
		err = loop_flush(stdout);
		if (err)
			return err;
		if (output_gone())
			return LOOP_OUTPUT_CLOSED;
		if (deadline && now >= deadline)
			break;
		if (o->should_stop && o->should_stop(o->ctx))
			break;
	}
	return drain(o);
}
