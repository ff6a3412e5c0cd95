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
#include "commands.h"
#include "core/args.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/loop.h"
#include "leak/child.h"
#include "leak/collector.h"
#include "leak/leak.h"
#include "leak/snapshot.h"
#include "leak/target.h"
#include "leak/views.h"
#include "usyms/usyms.h"
#include "util/ksyms.h"
#include "util/parse.h"
#include "util/procfs.h"

struct leak_run {
	const struct leak_opts *o;
	struct leak_collector *col;
	struct leak_view view;
	struct leak_libs libs;		/* the files to attach to */
	char exe[PATH_MAX];		/* -- CMD: the program */
	pid_t pid;			/* the traced process */
	bool child;			/* started by memtrace (-- CMD) */
	bool gone;			/* the traced process has exited */
	uint64_t next_maps_ns;		/* -p: when to read its maps again */
	int child_status;
	int go_fd, err_fd;		/* -- CMD, until it may exec */
	struct run_as user;		/* --user */
};

/* ---- Options ---- */

#define DEFAULT_INTERVAL_NS (5 * NS_PER_SEC)
#define DEFAULT_OLDER_NS (500 * NS_PER_MS)
#define DEFAULT_MAX_ALLOCS (1 << 18)
#define DEFAULT_MAX_STACKS (1 << 14)
#define RINGBUF_SIZE (4 << 20)

enum {
	OPT_SYMBOL_PREFIX = OPT_CMD_FIRST,
	OPT_STACK_DEPTH,
	OPT_FOLDED,
	OPT_DURATION,
	OPT_MAX_ALLOCS,
	OPT_MAX_STACKS,
	OPT_ALLOC_PID,
	OPT_BY_CACHE,
	OPT_PAGES,
	OPT_PERCPU,
	OPT_WA_MISSING_FREE,
	OPT_OUTPUT,
	OPT_USER,
};

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "obj", required_argument, NULL, 'O' },
	{ "symbol-prefix", required_argument, NULL, OPT_SYMBOL_PREFIX },
	{ "interval", required_argument, NULL, 'i' },
	{ "top", required_argument, NULL, 'T' },
	{ "older", required_argument, NULL, 'o' },
	{ "min-size", required_argument, NULL, 'z' },
	{ "max-size", required_argument, NULL, 'Z' },
	{ "sample-rate", required_argument, NULL, 's' },
	{ "show-allocs", no_argument, NULL, 'a' },
	{ "trace", no_argument, NULL, 't' },
	{ "combined-only", no_argument, NULL, 'C' },
	{ "stack-depth", required_argument, NULL, OPT_STACK_DEPTH },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "max-allocs", required_argument, NULL, OPT_MAX_ALLOCS },
	{ "max-stacks", required_argument, NULL, OPT_MAX_STACKS },
	{ "alloc-pid", required_argument, NULL, OPT_ALLOC_PID },
	{ "by-cache", no_argument, NULL, OPT_BY_CACHE },
	{ "pages", no_argument, NULL, OPT_PAGES },
	{ "percpu", no_argument, NULL, OPT_PERCPU },
	{ "wa-missing-free", no_argument, NULL, OPT_WA_MISSING_FREE },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "user", required_argument, NULL, OPT_USER },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: memtrace leak -p PID [options]\n"
		"       memtrace leak [options] -- CMD [ARGS...]\n"
		"       memtrace leak [options]            (kernel allocations)\n"
		"\n"
		"Outstanding user-space allocations by call stack: uprobes on the allocator\n"
		"(malloc, calloc, realloc, reallocarray, posix_memalign, aligned_alloc,\n"
		"memalign, valloc, pvalloc, free; mmap, mremap, munmap; C++ operator new),\n"
		"reported every interval and at the end, largest first. With CMD, memtrace\n"
		"starts it, traces it from its first instruction and reports when it exits.\n"
		"CMD runs as the user memtrace runs as (root, usually; --user to change it),\n"
		"with memtrace's environment. Only the process is traced: the children it\n"
		"forks are not (an exec is followed: the image before is forgotten).\n"
		"Interrupted (Ctrl-C, SIGTERM), memtrace waits for CMD to exit, so that what\n"
		"it frees on its way out is seen; a second interrupt stops waiting, and the\n"
		"report says it is partial. A signal sent to memtrace alone goes to CMD too.\n"
		"Without -p or CMD: outstanding kernel allocations (kmalloc, kmem_cache_alloc\n"
		"and their frees), system-wide, by kernel stack.\n"
		"\n"
		"Target:\n"
		"  -p, --pid PID          trace the running process PID\n"
		"      --user NAME        run CMD as user NAME (or a uid): its uid, groups\n"
		"                         and HOME, as sudo -u would\n"
		"  -O, --obj LIB          the allocator is LIB (path or file name, e.g.\n"
		"                         libjemalloc.so.2), not libc\n"
		"      --symbol-prefix P  its functions are named P<name> (je_malloc: je_)\n"
		"Kernel mode:\n"
		"      --alloc-pid PID    only allocations made by process PID (ends with it)\n"
		"      --by-cache         also bytes and objects outstanding per slab cache\n"
		"      --pages            also page allocations (4 KiB << order)\n"
		"      --percpu           also per-CPU allocations\n"
		"      --wa-missing-free  an address allocated again counts as freed\n"
		"Report:\n"
		"  -i, --interval SEC     report every SEC seconds (default 5; 0: at the end only)\n"
		"  -T, --top N            the N stacks with most bytes outstanding (default 10)\n"
		"  -o, --older MS         only allocations older than MS milliseconds (default\n"
		"                         500; a final report after the process exited shows all)\n"
		"  -a, --show-allocs      each outstanding allocation's address and size\n"
		"  -t, --trace            print every allocation and free as it happens\n"
		"  -C, --combined-only    keep per-stack totals in the kernel only (for very\n"
		"                         high allocation rates; no -o, no -a)\n"
		"      --stack-depth N    frames per stack (default and at most 127)\n"
		"      --folded           collapsed stacks 'a;b;c BYTES' for flame graphs\n"
		"                         (at the end, and every -i if given)\n"
		"      --json             one JSON object per report\n"
		"      --output FILE      the reports go to FILE, not to stdout (which stays\n"
		"                         CMD's)\n"
		"Filters (in the kernel):\n"
		"  -z, --min-size SIZE    only allocations of at least SIZE bytes\n"
		"  -Z, --max-size SIZE    only allocations of at most SIZE bytes\n"
		"  -s, --sample-rate N    only about one allocation in N\n"
		"Other:\n"
		"      --duration SEC     stop after SEC seconds\n"
		"      --max-allocs N     outstanding allocations tracked (default 262144)\n"
		"      --max-stacks N     distinct stacks kept (default 16384)\n"
		"  -v, --verbose          show where each probe went, and libbpf's messages\n"
		"  -h, --help             show this help\n"
		"\n"
		"Frames read function+offset (file:line) [module]. What could not be counted\n"
		"(full maps, stacks lost, frees of allocations made before the trace) is\n"
		"shown under each report.\n"
		"\n"
		"Examples:\n"
		"  memtrace leak -p 1234                 every 5 s, the top 10 leaking stacks\n"
		"  memtrace leak -- ./server --port 80   trace a program from its start\n"
		"  memtrace leak --folded -- ./a.out | flamegraph.pl > leaks.svg\n"
		"  memtrace leak --alloc-pid 1234 --by-cache   kernel objects a daemon holds\n");
}

static int parse_args(int argc, char **argv, struct leak_opts *o)
{
	const char *kernel_opt = NULL, *user_opt = NULL;
	bool interval_set = false, older_set = false;
	int c, err;

	*o = (struct leak_opts){
		.prefix = "",
		.interval_ns = DEFAULT_INTERVAL_NS,
		.older_ns = DEFAULT_OLDER_NS,
		.top = 10,
		.max_size = UINT64_MAX,
		.sample_rate = 1,
		.stack_depth = LEAK_MAX_STACK_DEPTH,
		.max_allocs = DEFAULT_MAX_ALLOCS,
		.max_stacks = DEFAULT_MAX_STACKS,
		.ringbuf_size = RINGBUF_SIZE,
	};
	optind = 1;
	opterr = 0;
	/* '+': options end at CMD, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+:" COMMON_SHORT_OPTS
				"p:O:i:T:o:z:Z:s:atC", longopts, NULL)) != -1) {
		err = -1;
		switch (c) {
		case 'p':
			err = arg_pid("-p", optarg, &o->pid);
			break;
		case 'O':
			user_opt = "-O";
			if (!*optarg)
				err = args_bad_value("-O", optarg, -EINVAL,
						     "expected a library");
			o->obj = optarg;
			break;
		case OPT_SYMBOL_PREFIX:
			user_opt = "--symbol-prefix";
			o->prefix = optarg;
			if (strlen(optarg) > 64)
				err = args_bad_value("--symbol-prefix", optarg,
						     -ERANGE, "at most 64 characters");
			break;
		case 'i':
			interval_set = true;
			err = parse_duration(optarg, NS_PER_SEC, &o->interval_ns);
			if (!err && o->interval_ns && o->interval_ns < NS_PER_MS)
				err = -ERANGE;
			err = err ? args_bad_value("-i", optarg, err,
						   "expected seconds, 0 or at least 1ms, e.g. 5 or 500ms") : -1;
			break;
		case 'T':
			err = arg_u64("-T", optarg, 1, 1000000, &o->top);
			break;
		case 'o':
			older_set = true;
			err = parse_duration(optarg, NS_PER_MS, &o->older_ns);
			err = err ? args_bad_value("-o", optarg, err,
						   "expected milliseconds, e.g. 500 or 2s") : -1;
			break;
		case 'z':
			err = arg_size("-z", optarg, &o->min_size);
			break;
		case 'Z':
			err = arg_size("-Z", optarg, &o->max_size);
			break;
		case 's':
			err = arg_u64("-s", optarg, 1, 1 << 30, &o->sample_rate);
			break;
		case 'a':
			o->show_allocs = true;
			break;
		case 't':
			o->trace = true;
			break;
		case 'C':
			o->combined = true;
			break;
		case OPT_STACK_DEPTH:
			err = arg_u64("--stack-depth", optarg, 1,
				      LEAK_MAX_STACK_DEPTH, &o->stack_depth);
			break;
		case OPT_FOLDED:
			o->format = LEAK_FOLDED;
			break;
		case OPT_DURATION:
			err = arg_duration("--duration", optarg, NS_PER_SEC,
					   &o->duration_ns);
			break;
		case OPT_MAX_ALLOCS:
			err = arg_u64("--max-allocs", optarg, 1024, 1 << 26,
				      &o->max_allocs);
			break;
		case OPT_MAX_STACKS:
			err = arg_u64("--max-stacks", optarg, 64, 1 << 22,
				      &o->max_stacks);
			break;
		case OPT_ALLOC_PID:
			err = arg_pid("--alloc-pid", optarg, &o->alloc_pid);
			kernel_opt = "--alloc-pid";
			break;
		case OPT_BY_CACHE:
			o->by_cache = true;
			kernel_opt = "--by-cache";
			break;
		case OPT_PAGES:
			o->pages = true;
			kernel_opt = "--pages";
			break;
		case OPT_PERCPU:
			o->percpu = true;
			kernel_opt = "--percpu";
			break;
		case OPT_WA_MISSING_FREE:
			o->wa_missing_free = true;
			kernel_opt = "--wa-missing-free";
			break;
		case OPT_OUTPUT:
			if (!*optarg)
				err = args_bad_value("--output", optarg, -EINVAL,
						     "expected a file name");
			o->output = optarg;
			break;
		case OPT_USER:
			if (!*optarg)
				err = args_bad_value("--user", optarg, -EINVAL,
						     "expected a user name or id");
			o->user = optarg;
			break;
		default:
			err = args_common(c, argv, longopts, &o->common, usage);
		}
		if (err >= 0)
			return err;
	}
	if (o->common.json) {
		if (o->format == LEAK_FOLDED)
			return log_usage("--json and --folded are exclusive");
		o->format = LEAK_JSON;
	}
	if (optind < argc)
		o->cmd = &argv[optind];
	else if (optind > 1 && !strcmp(argv[optind - 1], "--"))
		return log_usage("'--' must be followed by the command to run");
	if (o->user && !o->cmd)
		return log_usage("--user applies to a command memtrace runs (-- CMD)");
	if (o->pid && o->cmd)
		return log_usage("unexpected argument '%s' (a command to run takes no -p)",
				 argv[optind]);
	o->kernel = !o->pid && !o->cmd;
	if (o->kernel && user_opt)
		return log_usage("%s applies to a process (-p PID or -- CMD)", user_opt);
	if (!o->kernel && kernel_opt)
		return log_usage("%s applies to kernel allocations (no -p, no command)",
				 kernel_opt);
	if (o->min_size > o->max_size)
		return log_usage("-z (%llu) is larger than -Z (%llu)",
				 (unsigned long long)o->min_size,
				 (unsigned long long)o->max_size);
	if (o->combined && o->by_cache)
		return log_usage("--by-cache needs each allocation, which -C does not keep");
	if (o->combined && o->show_allocs)
		return log_usage("-a needs each allocation, which -C does not keep");
	if (o->combined && older_set)
		return log_usage("-o needs each allocation's age, which -C does not keep");
	if (o->format == LEAK_FOLDED && !interval_set)
		o->interval_ns = 0;
	return -1;
}


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

	if (!proc_check_target(o->pid, "process", true))
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

	sigaction(SIGCHLD, &sa, NULL);
	if (!o->kernel)
		return (o->pid ? pid_target(r) : cmd_target(r)) ? 1 : 0;
	if (o->alloc_pid && !proc_check_target(o->alloc_pid, "process", false))
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

	if (end != LOOP_DONE || !sig || !r->child || r->gone || target_gone(r))
		return end;
	if (sent)
		kill(r->pid, sig);
	log_note("waiting for the command (PID %d) to exit; interrupt again to stop waiting",
		 r->pid);
	loop_rearm();
	return loop_run(&lo);
}

static void final_report(void *ctx)
{
	struct leak_run *r = ctx;

	if (r->child && !r->gone)
		log_warn("the report is partial: the command (PID %d) runs on, no longer traced; what it still holds is not all leaked",
			 r->pid);
	report(r, true);
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
	}
	leak_collector_close(r->col);
	usyms_free(r->view.usyms);
	ksyms_free(r->view.ksyms);
	leak_user_free(&r->user);
	leak_view_free(&r->view);
}

int cmd_leak(int argc, char **argv)
{
	struct leak_opts opts;
	const struct leak_opts *o = &opts;
	struct leak_run r = { .o = o, .go_fd = -1, .err_fd = -1 };
	struct mt_run run = {
		.ctx = &r,
		.ringbuf = true,
		.prepare = prepare,
		.start = start,
		.on_event = on_event,
		.on_tick = on_tick,
		.should_stop = target_gone,
		.after_loop = wait_for_command,
		.final_report = final_report,
		.teardown = teardown,
	};
	int err = parse_args(argc, argv, &opts);

	if (err >= 0)
		return err;
	run.interval_ns = o->interval_ns;
	run.duration_ns = o->duration_ns;
	if (leak_view_init(&r.view, o)) {
		log_err("out of memory");
		return 1;
	}
	return mt_run(&run);
}
