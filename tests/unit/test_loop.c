// SPDX-License-Identifier: GPL-2.0
// Tests for src/core/loop.c: --duration, intervals, stop conditions, signals.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util/parse.h"
#include "core/loop.h"
#include "tap.h"

struct counts {
	int ticks, checks, stop_after, tick_result_at;
	int tick_result;
};

static int on_tick(void *ctx)
{
	struct counts *c = ctx;

	c->ticks++;
	return c->tick_result_at && c->ticks == c->tick_result_at ?
		       c->tick_result : 0;
}

static bool should_stop(void *ctx)
{
	struct counts *c = ctx;

	return c->stop_after && ++c->checks >= c->stop_after;
}

static void test_duration(void)
{
	struct loop_opts o = { .duration_ns = 200 * NS_PER_MS };
	uint64_t t0 = mono_ns(), took;
	int ret = loop_run(&o);

	took = mono_ns() - t0;
	ok(ret == LOOP_DONE, "duration: returns LOOP_DONE");
	ok(took >= 200 * NS_PER_MS && took < 600 * NS_PER_MS,
	   "duration 200 ms: stopped after %llu ms",
	   (unsigned long long)(took / NS_PER_MS));
}

/* loop_run() with on_tick every interval_ns, for at most duration_ns. */
static int run_ticks(struct counts *c, uint64_t interval_ns,
		     uint64_t duration_ns)
{
	struct loop_opts o = {
		.interval_ns = interval_ns,
		.duration_ns = duration_ns,
		.on_tick = on_tick,
		.ctx = c,
	};

	return loop_run(&o);
}

static void test_interval(void)
{
	struct counts c = {};
	int ret = run_ticks(&c, 50 * NS_PER_MS, 275 * NS_PER_MS);

	ok(ret == LOOP_DONE && c.ticks >= 4 && c.ticks <= 6,
	   "interval 50 ms over 275 ms: %d ticks (5 expected)", c.ticks);
}

static void test_should_stop(void)
{
	struct counts c = { .stop_after = 3 };
	struct loop_opts o = {
		.duration_ns = 10 * NS_PER_SEC,
		.should_stop = should_stop,
		.ctx = &c,
	};
	uint64_t t0 = mono_ns();
	int ret = loop_run(&o);

	ok(ret == LOOP_DONE && c.checks == 3 && mono_ns() - t0 < 2 * NS_PER_SEC,
	   "should_stop: the loop ends when it says so (%d checks)", c.checks);
}

static void test_tick_errors(void)
{
	struct counts c = { .tick_result_at = 2, .tick_result = -EIO };
	int ret = run_ticks(&c, 20 * NS_PER_MS, 5 * NS_PER_SEC);

	ok(ret == -EIO && c.ticks == 2, "a tick's error ends the loop with it");
}

/* In a child whose stdout is out_fd: loop_flush() after a write; its
 * result * 1000 + errno when it failed, or -1. */
static int flush_in_child(int out_fd)
{
	int status = 0, fds[2], res;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		int ret;

		close(fds[0]);
		dup2(out_fd, STDOUT_FILENO);
		loop_signals_init();
		setvbuf(stdout, NULL, _IOFBF, 4096);
		printf("a line\n");
		ret = loop_flush(stdout);
		ret = ret * 1000 + (ret == LOOP_OUTPUT_FAILED ? errno : 0);
		if (write(fds[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &res, sizeof(res)) != sizeof(res))
		res = -1;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return res;
}

/* flush_in_child() to the file at path. */
static int flush_to(const char *path)
{
	int fd = open(path, O_WRONLY), res = -1;

	if (fd >= 0) {
		res = flush_in_child(fd);
		close(fd);
	}
	return res;
}

static void test_flush(void)
{
	int fds[2], res = -1;

	if (!pipe(fds)) {
		close(fds[0]);
		res = flush_in_child(fds[1]);
		close(fds[1]);
	}
	ok(res == LOOP_OUTPUT_CLOSED * 1000,
	   "loop_flush to a pipe nobody reads: LOOP_OUTPUT_CLOSED (got %d)", res);
	res = flush_to("/dev/full");
	ok(res == LOOP_OUTPUT_FAILED * 1000 + ENOSPC,
	   "loop_flush to /dev/full: LOOP_OUTPUT_FAILED, ENOSPC (got %d)", res);
	res = flush_to("/dev/null");
	ok(res == 0, "loop_flush to /dev/null: 0 (got %d)", res);
}

/* In a child: run a long loop, exit with what it returned (+10) and
 * whether it saw the signal. */
static void test_signal(int sig, const char *name)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct loop_opts o = { .duration_ns = 20 * NS_PER_SEC };
		int ret = loop_run(&o);

		_exit(ret == LOOP_DONE && loop_interrupted() ? 0 : 10 + ret);
	}
	usleep(200 * 1000);
	kill(pid, sig);
	alarm(10);
	waitpid(pid, &status, 0);
	alarm(0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "%s stops the loop, and loop_interrupted() says so", name);
}

static void test_sigpipe(void)
{
	int fds[2], status = 0;
	pid_t pid;

	if (pipe(fds)) {
		ok(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		loop_signals_init();
		/* With SIGPIPE ignored a write to a closed pipe fails. */
		_exit(write(fds[1], "x", 1) == -1 && errno == EPIPE ? 0 : 1);
	}
	close(fds[0]);
	close(fds[1]);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "SIGPIPE is ignored: a closed pipe is an EPIPE error instead");
}

int main(void)
{
	test_duration();
	test_interval();
	test_should_stop();
	test_tick_errors();
	test_flush();
	test_signal(SIGINT, "SIGINT");
	test_signal(SIGTERM, "SIGTERM");
	test_sigpipe();
	return tap_done();
}
