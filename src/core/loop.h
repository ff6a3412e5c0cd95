/* SPDX-License-Identifier: GPL-2.0 */
/* The main loop of every command: ring buffer, intervals, stop conditions. */
#ifndef MEMTRACE_LOOP_H
#define MEMTRACE_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct ring_buffer;

struct loop_opts {
	struct ring_buffer *rb;		/* polled when set */
	uint64_t interval_ns;		/* 0: no periodic report */
	uint64_t duration_ns;		/* 0: until stopped */
	/* Every interval_ns; a non-zero return stops the loop with it. */
	int (*on_tick)(void *ctx);
	/* After each wake-up; true stops the loop (e.g. the target exited). */
	bool (*should_stop)(void *ctx);
	void *ctx;
};

enum loop_end {
	LOOP_DONE = 0,		/* signal, duration or should_stop */
	LOOP_OUTPUT_CLOSED = 1,	/* stdout is a closed pipe: exit quietly */
	LOOP_OUTPUT_FAILED = 2,	/* writing stdout failed: errno says why */
};

/*
 * Runs until SIGINT/SIGTERM, duration_ns, should_stop() or a failed write
 * to stdout, then consumes what is left in the ring buffer. stdout is
 * flushed after every wake-up, so a stream shows each event as soon as it
 * is read, with one write per batch rather than per line. Returns enum
 * loop_end, or a negative errno from the ring buffer or on_tick().
 */
int loop_run(const struct loop_opts *o);

/*
 * What every command does with loop_run()'s result: after a normal end,
 * report(ctx) prints the final report and stdout is flushed; a closed
 * stdout ends quietly; a failed write or read is printed. Returns the exit
 * status (0 or 1).
 */
int loop_finish(int end, void (*report)(void *ctx), void *ctx);

/* Flushes f: 0, LOOP_OUTPUT_CLOSED, or LOOP_OUTPUT_FAILED with errno. */
int loop_flush(FILE *f);

/* Wall-clock nanoseconds for a CLOCK_MONOTONIC timestamp (from BPF's
 * bpf_ktime_get_ns()); the offset is refreshed at every wake-up. */
uint64_t loop_wall_ns(uint64_t mono_ns);

/*
 * How many bytes must wait in a ring buffer of size bytes before the BPF
 * side wakes the reader whatever the time (RINGBUF_SUBMIT in
 * bpf/lib/maps.bpf.h): 1/16 of it, at most 256 KiB. Below, it wakes the reader
 * at most once a millisecond, and the loop reads what came meanwhile
 * within 2 ms.
 */
uint64_t loop_wakeup_bytes(uint64_t ringbuf_size);

/* Set up SIGINT/SIGTERM handling and ignore SIGPIPE; loop_run() does it
 * too, but commands that block elsewhere call it earlier. */
void loop_signals_init(void);
bool loop_interrupted(void);
/* The signal that stopped the loop, 0 if none; *sent (if not NULL): a
 * process sent it to us with kill(2), rather than the terminal to the
 * whole foreground process group (Ctrl-C). */
int loop_stop_signal(bool *sent);
/* Forgets that signal: loop_run() runs again until the next one. */
void loop_rearm(void);

uint64_t mono_ns(void);

#endif /* MEMTRACE_LOOP_H */
