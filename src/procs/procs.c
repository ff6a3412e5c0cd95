// SPDX-License-Identifier: GPL-2.0
/* memtrace procs: process exec and exit, with lifetime and memory use. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "memtrace/procs.h"
#include "procs.skel.h"
#include "core/args.h"
#include "commands.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/losses.h"
#include "util/output.h"
#include "core/hooks.h"
#include "util/procfs.h"

#define DEFAULT_RINGBUF_SIZE (1 << 20)

struct procs_opts {
	struct common_opts common;
	pid_t pid;			/* -p: 0 = all */
	char comm[MT_COMM_LEN];		/* -c */
	bool filter_comm;
	uint64_t min_lifetime_ns;	/* -d */
	bool want_exec, want_exit;
	uint64_t duration_ns;
	uint64_t ringbuf_size;
};

struct procs_run {
	const struct procs_opts *o;
	struct procs_bpf *skel;
	struct json json;
	long page_size;
	uint64_t nexec, nexit;
	unsigned wakeups;
};

enum {
	OPT_EXEC = OPT_CMD_FIRST,
	OPT_EXIT,
	OPT_DURATION,
	OPT_RINGBUF_SIZE,
};

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "min-lifetime", required_argument, NULL, 'd' },
	{ "exec", no_argument, NULL, OPT_EXEC },
	{ "exit", no_argument, NULL, OPT_EXIT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF_SIZE },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: memtrace procs [options]\n"
		"\n"
		"Trace process exec and exit, system-wide. An exit line shows how long the\n"
		"process lived (since fork) and its memory use: peak resident set size (the\n"
		"ru_maxrss that wait4() reports) and the minor and major page faults of all\n"
		"its threads. One exit line per process, from its last thread.\n"
		"\n"
		"Options:\n"
		"  -p, --pid PID            only PID and its descendants; stop when all have exited\n"
		"  -c, --comm COMM          only processes whose command name is exactly COMM\n"
		"  -d, --min-lifetime MS    only exits of processes that lived at least MS\n"
		"                           milliseconds (or 2s, 1m); hides exec lines\n"
		"      --exec               only exec events\n"
		"      --exit               only exit events\n"
		"      --duration SEC       stop after SEC seconds (or 500ms, 2m)\n"
		"      --ringbuf-size SIZE  BPF ring buffer size (default 1M)\n"
		"  -v, --verbose            show the hooks chosen and libbpf's messages\n"
		"      --json               one JSON object per event, and a summary\n"
		"  -h, --help               show this help\n"
		"\n"
		"Columns: LIFE_MS lifetime in ms; PEAK_RSS peak resident set size as wait4()\n"
		"and time(1) report it (the process's own, or its largest reaped child's);\n"
		"MINFLT, MAJFLT page faults of the process's own threads (not its\n"
		"children); EXIT/COMMAND the exit code or fatal signal, or the file\n"
		"executed and its arguments.\n"
		"\n"
		"Examples:\n"
		"  memtrace procs -d 10            processes that lived 10 ms or more\n"
		"  memtrace procs -p 1234 --json   one service and what it starts\n");
}

static int parse_args(int argc, char **argv, struct procs_opts *o)
{
	int c, err;

	*o = (struct procs_opts){
		.want_exec = true,
		.want_exit = true,
		.ringbuf_size = DEFAULT_RINGBUF_SIZE,
	};
	bool exec_only = false, exit_only = false;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT_OPTS "p:c:d:",
				longopts, NULL)) != -1) {
		err = -1;
		switch (c) {
		case 'p':
			err = opt_pid("-p", optarg, &o->pid);
			break;
		case 'c':
			err = opt_comm("-c", optarg, o->comm, sizeof(o->comm));
			o->filter_comm = true;
			break;
		case 'd':
			err = opt_duration("-d", optarg, NS_PER_MS,
					   &o->min_lifetime_ns);
			break;
		case OPT_EXEC:
			exec_only = true;
			break;
		case OPT_EXIT:
			exit_only = true;
			break;
		case OPT_DURATION:
			err = opt_duration("--duration", optarg, NS_PER_SEC,
					   &o->duration_ns);
			break;
		case OPT_RINGBUF_SIZE:
			err = opt_ringbuf_size("--ringbuf-size", optarg,
					       &o->ringbuf_size);
			break;
		default:
			err = args_common(c, argv, longopts, &o->common, usage);
		}
		if (err >= 0)
			return err;
	}
	if (optind < argc)
		return log_usage("unexpected argument '%s'", argv[optind]);
	if (exec_only && exit_only)
		return log_usage("--exec and --exit exclude each other");
	if (o->min_lifetime_ns && exec_only)
		return log_usage("-d filters exit events; it cannot be used with --exec");
	o->want_exec = !exit_only && !o->min_lifetime_ns;
	o->want_exit = !exec_only;
	return -1;
}

static const struct col columns[] = {
	{ "TIME", 8, false },
	{ "EVENT", 5, false },
	{ "PID", 7, true },
	{ "PPID", 7, true },
	{ "COMM", 16, false },
	{ "LIFE_MS", 8, true },
	{ "PEAK_RSS", 8, true },
	{ "MINFLT", 8, true },
	{ "MAJFLT", 6, true },
	{ "EXIT/COMMAND", 0, false },
};

#define NR_COLUMNS ((int)(sizeof(columns) / sizeof(columns[0])))

/* Calls fn(ctx, arg, len, cut) for each NUL-separated argument; cut marks a
 * last argument that the kernel side truncated. */
static void for_each_arg(const struct procs_exec_event *e,
			 void (*fn)(void *ctx, const char *s, size_t n, bool cut),
			 void *ctx)
{
	size_t len = e->args_len < PROCS_ARGS_LEN ? e->args_len : PROCS_ARGS_LEN;
	size_t i = 0;

	while (i < len) {
		const char *s = e->args + i;
		size_t n = strnlen(s, len - i);
		bool cut = i + n == len && e->args_truncated;

		fn(ctx, s, n, cut);
		i += n + 1;
	}
}

struct cmdline {
	char *p;
	size_t len, cap;
	int index;
	bool skip_argv0;
};

static void cmdline_add(void *ctx, const char *s, size_t n, bool cut)
{
	struct cmdline *c = ctx;

	(void)cut;
	if ((c->index++ == 0 && c->skip_argv0) || c->len + 2 >= c->cap)
		return;
	if (c->len)
		c->p[c->len++] = ' ';
	c->len += text_quote(c->p + c->len, c->cap - c->len, s, n);
}

struct find_arg {
	const char *s;
	size_t n;
	int index;
	bool found;
};

static void find_arg(void *ctx, const char *s, size_t n, bool cut)
{
	struct find_arg *f = ctx;

	(void)cut;
	if (f->index++ > 0 && f->index <= 3 && n == f->n && !memcmp(s, f->s, n))
		f->found = true;
}

static void json_add_arg(void *ctx, const char *s, size_t n, bool cut)
{
	(void)cut;
	json_strn(ctx, s, n);
}

static int print_exec(struct procs_run *r, const struct procs_exec_event *e)
{
	char when[16], pid[16], ppid[16], comm[MT_COMM_LEN], line[8192];
	size_t flen = strnlen(e->filename, sizeof(e->filename));
	struct json *j = &r->json;

	fmt_clock(when, sizeof(when), loop_wall_ns(e->ts_ns));
	if (r->o->common.json) {
		json_begin(j);
		json_key_str(j, "type", "exec");
		json_key_str(j, "time", when);
		json_key_u64(j, "ts_ns", loop_wall_ns(e->ts_ns));
		json_key_u64(j, "pid", e->pid);
		json_key_u64(j, "ppid", e->ppid);
		json_key_u64(j, "uid", e->uid);
		json_key_strn(j, "comm", e->comm, strnlen(e->comm, MT_COMM_LEN));
		json_key_strn(j, "filename", e->filename, flen);
		json_key_bool(j, "filename_truncated", e->filename_truncated);
		json_key_array(j, "args");
		for_each_arg(e, json_add_arg, j);
		json_close(j);
		json_key_bool(j, "args_truncated", e->args_truncated);
		return json_end(j, stdout);
	}

	/*
	 * The file executed, then argv[1...]; but a script started through
	 * its #! line has argv "interpreter [arg] script ...", which already
	 * names the file, so argv is printed whole.
	 */
	struct find_arg script = { e->filename, flen, 0, false };
	struct cmdline cl = { line, 0, sizeof(line), 0, true };

	for_each_arg(e, find_arg, &script);
	if (script.found || e->filename_truncated) {
		cl.skip_argv0 = false;
	} else {
		cl.len = text_quote(line, sizeof(line), e->filename, flen);
	}
	for_each_arg(e, cmdline_add, &cl);
	if (e->args_truncated && cl.len + 5 < cl.cap)
		cl.len += snprintf(line + cl.len, cl.cap - cl.len, " ...");
	snprintf(pid, sizeof(pid), "%u", e->pid);
	snprintf(ppid, sizeof(ppid), "%u", e->ppid);
	text_sanitize(comm, sizeof(comm), e->comm, MT_COMM_LEN);
	table_row(stdout, columns, NR_COLUMNS,
		  (const char *const[]){ when, "EXEC", pid, ppid, comm, "", "",
					 "", "", line });
	return 0;
}

/* "SIGKILL", or "signal 40" for one without a name. */
static void fmt_signal(char *buf, size_t len, int sig)
{
	const char *name = sigabbrev_np(sig);

	if (name)
		snprintf(buf, len, "SIG%s", name);
	else
		snprintf(buf, len, "signal %d", sig);
}

/* "code 3", "SIGKILL", "SIGSEGV (core)" from a wait status. */
static void fmt_status(char *buf, size_t len, int status)
{
	char sig[24];

	if (!(status & 0x7f)) {
		snprintf(buf, len, "code %d", (status >> 8) & 0xff);
		return;
	}
	fmt_signal(sig, sizeof(sig), status & 0x7f);
	snprintf(buf, len, "%s%s", sig, status & 0x80 ? " (core)" : "");
}

static int print_exit(struct procs_run *r, const struct procs_exit_event *e)
{
	char when[16], pid[16], ppid[16], comm[MT_COMM_LEN], life[24];
	char rss[16], minf[24], majf[24], status[48];
	uint64_t rss_bytes = e->peak_rss_pages * r->page_size;
	int sig = e->status & 0x7f;
	struct json *j = &r->json;

	fmt_clock(when, sizeof(when), loop_wall_ns(e->ts_ns));
	fmt_status(status, sizeof(status), e->status);
	if (r->o->common.json) {
		json_begin(j);
		json_key_str(j, "type", "exit");
		json_key_str(j, "time", when);
		json_key_u64(j, "ts_ns", loop_wall_ns(e->ts_ns));
		json_key_u64(j, "pid", e->pid);
		json_key_u64(j, "ppid", e->ppid);
		json_key_u64(j, "tid", e->tid);
		json_key_strn(j, "comm", e->comm, strnlen(e->comm, MT_COMM_LEN));
		json_key_i64(j, "status", e->status);
		if (sig) {
			fmt_signal(status, sizeof(status), sig);
			json_key_null(j, "exit_code");
			json_key_str(j, "signal", status);
			json_key_u64(j, "signal_number", sig);
		} else {
			json_key_u64(j, "exit_code", (e->status >> 8) & 0xff);
			json_key_null(j, "signal");
			json_key_null(j, "signal_number");
		}
		json_key_bool(j, "core_dumped", e->status & 0x80);
		json_key_u64(j, "lifetime_ns", e->lifetime_ns);
		json_key_fixed(j, "lifetime_ms", e->lifetime_ns / 1e6, 3);
		json_key_u64(j, "peak_rss_bytes", rss_bytes);
		json_key_u64(j, "peak_rss_self_bytes",
			     e->self_peak_rss_pages * r->page_size);
		json_key_u64(j, "min_faults", e->min_flt);
		json_key_u64(j, "maj_faults", e->maj_flt);
		if (e->threads_truncated)
			json_key_bool(j, "faults_partial", true);
		return json_end(j, stdout);
	}
	snprintf(pid, sizeof(pid), "%u", e->pid);
	snprintf(ppid, sizeof(ppid), "%u", e->ppid);
	snprintf(life, sizeof(life), "%llu",
		 (unsigned long long)(e->lifetime_ns / NS_PER_MS));
	fmt_size(rss, sizeof(rss), rss_bytes);
	snprintf(minf, sizeof(minf), "%llu%s", (unsigned long long)e->min_flt,
		 e->threads_truncated ? "+" : "");
	snprintf(majf, sizeof(majf), "%llu%s", (unsigned long long)e->maj_flt,
		 e->threads_truncated ? "+" : "");
	text_sanitize(comm, sizeof(comm), e->comm, MT_COMM_LEN);
	table_row(stdout, columns, NR_COLUMNS,
		  (const char *const[]){ when, "EXIT", pid, ppid, comm, life,
					 rss, minf, majf, status });
	return 0;
}

/* A failed write ends the loop (loop_run() tells it from a read error). */
static int on_event(void *ctx, void *data, size_t size)
{
	struct procs_run *r = ctx;
	const __u32 *type = data;
	int err = 0;

	if (size >= sizeof(struct procs_exec_event) && *type == PROCS_EXEC) {
		r->nexec++;
		err = print_exec(r, data);
	} else if (size >= sizeof(struct procs_exit_event) &&
		   *type == PROCS_EXIT) {
		r->nexit++;
		err = print_exit(r, data);
	}
	return err;
}

/* tp_btf first: typed arguments and no tracefs; then classic tracepoints. */
static int try_attach(void *ctx, enum hook h)
{
	struct procs_run *r = ctx;
	const struct procs_opts *o = r->o;
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = btf_custom_path());
	bool btf = h == HOOK_TP_BTF, want_fork = o->pid != 0;
	bool want_exit = o->want_exit || o->pid;
	struct procs_bpf *skel;
	int err;

	if (btf && !(tp_btf_available("sched_process_exec") &&
		     tp_btf_available("sched_process_exit") &&
		     tp_btf_available("sched_process_fork"))) {
		log_info("no BTF for the sched_process tracepoints");
		return HOOK_UNAVAILABLE;
	}
	if (!btf) {
		err = tracefs_ensure();
		if (err)
			return err;
	}

	skel = procs_bpf__open_opts(&open_opts);
	if (!skel)
		return -errno;
	skel->rodata->targ_tgid = o->pid;
	skel->rodata->filter_comm = o->filter_comm;
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
	r->skel = skel;
	if (o->want_exec)
		log_info("sched_process_exec via %s", hook_name(h));
	if (want_exit)
		log_info("sched_process_exit via %s", hook_name(h));
	if (want_fork)
		log_info("sched_process_fork via %s", hook_name(h));
	return 0;
}

/* Adds pids to the traced set; returns how many were new. */
static int trace_pids(int fd, const pid_t *pids, size_t n)
{
	__u8 one = 1;
	int added = 0;

	for (size_t i = 0; i < n; i++) {
		__u32 key = pids[i];

		if (!bpf_map_update_elem(fd, &key, &one, BPF_NOEXIST))
			added++;
	}
	return added;
}

/*
 * The traced set starts with the target and its current descendants; the
 * fork hook adds later children. Attach happens first, then /proc is read
 * twice so that a child forked while the first pass ran is not missed.
 */
static int seed_traced(struct procs_run *r)
{
	int fd = bpf_map__fd(r->skel->maps.traced);
	pid_t root = r->o->pid, *pids;
	size_t n;
	int err;

	trace_pids(fd, &root, 1);
	for (int pass = 0; pass < 2; pass++) {
		err = proc_descendants(root, &pids, &n);
		if (err)
			return err;
		trace_pids(fd, pids, n);
		free(pids);
	}
	return 0;
}

/*
 * -p ends when the traced set is empty. Every second, entries of processes
 * that are gone are dropped too: one that exited while /proc was being
 * read was never seen by the exit hook (the exit tracepoint fires before
 * the task becomes a zombie, so a zombie's event was already sent).
 */
static bool traced_all_exited(void *ctx)
{
	struct procs_run *r = ctx;
	int fd = bpf_map__fd(r->skel->maps.traced);
	__u32 key, next, *prev = NULL;

	if (++r->wakeups % 10 == 0) {
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

static void print_summary(void *ctx)
{
	struct procs_run *r = ctx;
	uint64_t lost[MT_LOST_NR] = {};
	uint64_t total;
	struct json *j = &r->json;

	losses_read(bpf_map__fd(r->skel->maps.lost), lost, MT_LOST_NR);
	total = lost[MT_LOST_RINGBUF] + lost[MT_LOST_MAP_FULL];
	/* Also on stderr: the stream may go to a file or /dev/null. */
	if (total)
		log_warn("%llu events lost (ring buffer full: %llu, map full: %llu)",
			 (unsigned long long)total,
			 (unsigned long long)lost[MT_LOST_RINGBUF],
			 (unsigned long long)lost[MT_LOST_MAP_FULL]);
	if (r->o->common.json) {
		json_begin(j);
		json_key_str(j, "type", "summary");
		json_key_u64(j, "exec", r->nexec);
		json_key_u64(j, "exit", r->nexit);
		json_key_u64(j, "lost", total);
		json_key_u64(j, "lost_ringbuf_full", lost[MT_LOST_RINGBUF]);
		json_key_u64(j, "lost_map_full", lost[MT_LOST_MAP_FULL]);
		json_end(j, stdout);
		return;
	}
	printf("Summary: %llu exec, %llu exit events, %llu lost",
	       (unsigned long long)r->nexec, (unsigned long long)r->nexit,
	       (unsigned long long)total);
	if (total)
		printf(" (ring buffer full: %llu, map full: %llu; try --ringbuf-size)",
		       (unsigned long long)lost[MT_LOST_RINGBUF],
		       (unsigned long long)lost[MT_LOST_MAP_FULL]);
	printf("\n");
}

int cmd_procs(int argc, char **argv)
{
	static const enum hook chain[] = { HOOK_TP_BTF, HOOK_TRACEPOINT };
	struct procs_opts o;
	struct procs_run r = { .o = &o };
	struct ring_buffer *rb = NULL;
	int err, status = 1;

	err = parse_args(argc, argv, &o);
	if (err >= 0)
		return err;
	/* Flushed by the loop after each batch of events. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	loop_signals_init();

	if (host_check(true))
		goto out;
	if (o.pid && !proc_check_target(o.pid, "process", false))
		goto out;
	if (hook_attach("sched_process_exec/exit", chain, 2, try_attach, &r) < 0)
		goto out;
	if (o.pid && (err = seed_traced(&r))) {
		log_err("cannot read /proc: %s", strerror(-err));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(r.skel->maps.events), on_event, &r,
			      NULL);
	if (!rb) {
		log_err("cannot set up the ring buffer: %s", strerror(errno));
		goto out;
	}

	r.page_size = getpagesize();
	if (!o.common.json)
		table_header(stdout, columns, NR_COLUMNS);
	log_info("ready");

	struct loop_opts lo = {
		.rb = rb,
		.duration_ns = o.duration_ns,
		.should_stop = o.pid ? traced_all_exited : NULL,
		.ctx = &r,
	};
	status = loop_finish(loop_run(&lo), print_summary, &r);
out:
	ring_buffer__free(rb);
	procs_bpf__destroy(r.skel);
	json_free(&r.json);
	probe_cleanup();
	return status;
}
