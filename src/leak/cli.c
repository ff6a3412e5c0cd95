// SPDX-License-Identifier: GPL-2.0
/* memtrace leak: its options and what its help and man page say. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "core/options.h"
#include "core/log.h"
#include "leak/leak.h"
#include "memtrace/leak.h"
#include "util/parse.h"

#define F(field) offsetof(struct leak_opts, field)

#define G_TARGET "Target"
#define G_KERNEL "Kernel mode"
#define G_REPORT "Report"
#define G_FILTERS "Filters (in the kernel)"
#define G_OTHER "Other"

/* A value that may not be empty; expected says what it names. */
static int nonempty(const struct mt_opt *o, const char *v, void *opts,
		    const char *name, const char *expected)
{
	if (!*v)
		return args_bad_value(name, v, -EINVAL, expected);
	*(const char **)((char *)opts + o->offset) = v;
	return 0;
}

static int opt_obj(const struct mt_opt *o, const char *v, void *opts)
{
	((struct leak_opts *)opts)->process_opt = "-O";
	return nonempty(o, v, opts, "-O", "expected a library");
}

static int opt_prefix(const struct mt_opt *o, const char *v, void *opts)
{
	(void)o;
	((struct leak_opts *)opts)->process_opt = "--symbol-prefix";
	if (strlen(v) > 64)
		return args_bad_value("--symbol-prefix", v, -ERANGE,
				      "at most 64 characters");
	((struct leak_opts *)opts)->prefix = v;
	return 0;
}

static const char *const kind_names[] = { "heap", "mmap", NULL };

static int opt_kind(const struct mt_opt *o, const char *v, void *opts)
{
	((struct leak_opts *)opts)->process_opt = "--kind";
	return opt_choice(o, v, opts);
}

static int opt_output(const struct mt_opt *o, const char *v, void *opts)
{
	return nonempty(o, v, opts, "--output", "expected a file name");
}

static int opt_pprof(const struct mt_opt *o, const char *v, void *opts)
{
	return nonempty(o, v, opts, "--pprof", "expected a file name");
}

static int opt_user(const struct mt_opt *o, const char *v, void *opts)
{
	return nonempty(o, v, opts, "--user", "expected a user name or id");
}

/* Kernel mode's options: a flag, or --alloc-pid's PID. */
static int opt_kernel(const struct mt_opt *o, const char *v, void *opts)
{
	((struct leak_opts *)opts)->kernel_opt = o;
	if (o->arg)
		return opt_pid(o, v, opts);
	*(bool *)((char *)opts + o->offset) = true;
	return 0;
}

static const struct mt_opt options[] = {
	{ .name = "pid", .short_name = 'p', .arg = "PID", .group = G_TARGET,
	  .help = "trace the running process PID",
	  .parse = opt_pid, .offset = F(pid) },
	{ .name = "user", .arg = "NAME", .group = G_TARGET,
	  .help = "run CMD as user NAME (or a uid): its uid, groups\n"
		  "and HOME, as sudo -u would",
	  .parse = opt_user, .offset = F(user) },
	{ .name = "obj", .short_name = 'O', .arg = "LIB", .group = G_TARGET,
	  .help = "the allocator is LIB (path or file name, e.g.\n"
		  "libjemalloc.so.2), not libc",
	  .parse = opt_obj, .offset = F(obj), .completes_files = true },
	{ .name = "symbol-prefix", .arg = "P", .group = G_TARGET,
	  .help = "its functions are named P<name> (je_malloc: je_)",
	  .parse = opt_prefix, .offset = F(prefix) },
	{ .name = "kind", .arg = "KIND", .group = G_TARGET,
	  .help = "only heap blocks (the malloc family, C++ new) or\n"
		  "only mmap regions (mmap, mremap); default both",
	  .parse = opt_kind, .offset = F(kind), .choices = kind_names },
	{ .name = "alloc-pid", .arg = "PID", .group = G_KERNEL,
	  .help = "only allocations made by process PID (ends with it)",
	  .parse = opt_kernel, .offset = F(alloc_pid) },
	{ .name = "by-cache", .group = G_KERNEL,
	  .help = "also bytes and objects outstanding per slab cache",
	  .parse = opt_kernel, .offset = F(by_cache) },
	{ .name = "pages", .group = G_KERNEL,
	  .help = "also page allocations (4 KiB << order)",
	  .parse = opt_kernel, .offset = F(pages) },
	{ .name = "percpu", .group = G_KERNEL, .help = "also per-CPU allocations",
	  .parse = opt_kernel, .offset = F(percpu) },
	{ .name = "wa-missing-free", .group = G_KERNEL,
	  .help = "an address allocated again counts as freed",
	  .parse = opt_kernel, .offset = F(wa_missing_free) },
	{ .name = "interval", .short_name = 'i', .arg = "SEC", .group = G_REPORT,
	  .help = "report every SEC seconds (default 5; 0: at the end only)",
	  .parse = opt_seconds, .offset = F(interval_ns), .min = NS_PER_MS,
	  .zero_ok = true },
	{ .name = "top", .short_name = 'T', .arg = "N", .group = G_REPORT,
	  .help = "the N stacks with most bytes outstanding (default 10)",
	  .parse = opt_count, .offset = F(top), .min = 1, .max = 1000000 },
	{ .name = "older", .short_name = 'o', .arg = "MS", .group = G_REPORT,
	  .help = "only allocations older than MS milliseconds (default\n"
		  "500; a final report after the process exited shows all)",
	  .parse = opt_millis, .offset = F(older_ns), .zero_ok = true },
	{ .name = "show-allocs", .short_name = 'a', .group = G_REPORT,
	  .help = "each outstanding allocation's address and size",
	  .offset = F(show_allocs) },
	{ .name = "trace", .short_name = 't', .group = G_REPORT,
	  .help = "print every allocation and free as it happens",
	  .offset = F(trace) },
	{ .name = "combined-only", .short_name = 'C', .group = G_REPORT,
	  .help = "keep per-stack totals in the kernel only (for very\n"
		  "high allocation rates; no -o, no -a)",
	  .offset = F(combined) },
	{ .name = "stack-depth", .arg = "N", .group = G_REPORT,
	  .help = "frames per stack (default and at most 127)",
	  .parse = opt_count, .offset = F(stack_depth), .min = 1,
	  .max = LEAK_MAX_STACK_DEPTH },
	{ .name = "folded", .group = G_REPORT,
	  .help = "collapsed stacks 'a;b;c BYTES' for flame graphs\n"
		  "(at the end, and every -i if given)",
	  .offset = F(folded) },
	{ .name = "output", .arg = "FILE", .group = G_REPORT,
	  .help = "the reports go to FILE, not to stdout (which stays\n"
		  "CMD's)",
	  .parse = opt_output, .offset = F(output), .completes_files = true },
	{ .name = "pprof", .arg = "FILE", .group = G_REPORT,
	  .help = "at the end, also write a heap profile to FILE, gzipped\n"
		  "profile.proto as Go writes one (go tool pprof FILE)",
	  .parse = opt_pprof, .offset = F(pprof), .completes_files = true },
	{ .name = "min-size", .short_name = 'z', .arg = "SIZE", .group = G_FILTERS,
	  .help = "only allocations of at least SIZE bytes",
	  .parse = opt_size, .offset = F(min_size) },
	{ .name = "max-size", .short_name = 'Z', .arg = "SIZE", .group = G_FILTERS,
	  .help = "only allocations of at most SIZE bytes",
	  .parse = opt_size, .offset = F(max_size) },
	{ .name = "sample-rate", .short_name = 's', .arg = "N", .group = G_FILTERS,
	  .help = "only about one allocation in N",
	  .parse = opt_count, .offset = F(sample_rate), .min = 1,
	  .max = 1 << 30 },
	{ .name = "duration", .arg = "SEC", .group = G_OTHER,
	  .help = "stop after SEC seconds",
	  .parse = opt_seconds, .offset = F(duration_ns) },
	{ .name = "max-allocs", .arg = "N", .group = G_OTHER,
	  .help = "outstanding allocations tracked (default 262144)",
	  .parse = opt_count, .offset = F(max_allocs), .min = 1024,
	  .max = 1 << 26 },
	{ .name = "max-stacks", .arg = "N", .group = G_OTHER,
	  .help = "distinct stacks kept (default 16384)",
	  .parse = opt_count, .offset = F(max_stacks), .min = 64,
	  .max = 1 << 22 },
	{ .name = "ringbuf-size", .arg = "SIZE", .group = G_OTHER,
	  .help = "BPF ring buffer size (default 4M)",
	  .parse = opt_ringbuf, .offset = F(ringbuf_size) },
	{ 0 },
};

static void defaults(void *opts)
{
	struct leak_opts *o = opts;

	o->prefix = "";
	o->kind = -1;
	o->interval_ns = 5 * NS_PER_SEC;
	o->older_ns = 500 * NS_PER_MS;
	o->top = 10;
	o->max_size = UINT64_MAX;
	o->sample_rate = 1;
	o->stack_depth = LEAK_MAX_STACK_DEPTH;
	o->max_allocs = 1 << 18;
	o->max_stacks = 1 << 14;
	o->ringbuf_size = 4 << 20;
}

/* Options that only a process, or only kernel mode, takes. */
static int check_mode(struct leak_opts *o, char **rest)
{
	if (o->user && !o->cmd)
		return log_usage("--user applies to a command memtrace runs (-- CMD)");
	if (o->pid && o->cmd)
		return log_usage("unexpected argument '%s' (a command to run takes no -p)",
				 rest[0]);
	o->kernel = !o->pid && !o->cmd;
	if (o->kernel && o->process_opt)
		return log_usage("%s applies to a process (-p PID or -- CMD)",
				 o->process_opt);
	if (!o->kernel && o->kernel_opt)
		return log_usage("--%s applies to kernel allocations (no -p, no command)",
				 o->kernel_opt->name);
	return 0;
}

static int check(void *opts, const struct mt_opt_seen *seen, char **rest,
		 int nrest)
{
	struct leak_opts *o = opts;

	if (o->folded)
		o->format = LEAK_FOLDED;
	if (o->common.json) {
		if (o->folded)
			return log_usage("--json and --folded are exclusive");
		o->format = LEAK_JSON;
	}
	o->cmd = nrest ? rest : NULL;
	if (check_mode(o, rest))
		return 2;
	if (o->min_size > o->max_size)
		return log_usage("-z (%llu) is larger than -Z (%llu)",
				 (unsigned long long)o->min_size,
				 (unsigned long long)o->max_size);
	if (o->combined && o->by_cache)
		return log_usage("--by-cache needs each allocation, which -C does not keep");
	if (o->combined && o->show_allocs)
		return log_usage("-a needs each allocation, which -C does not keep");
	if (o->combined && mt_opt_given(seen, "older"))
		return log_usage("-o needs each allocation's age, which -C does not keep");
	if (o->folded && !mt_opt_given(seen, "interval"))
		o->interval_ns = 0;
	return 0;
}

/* In --help and the man page alike. */
#define EXAMPLES \
	"  memtrace leak -p 1234                 every 5 s, the top 10 leaking stacks\n" \
	"  memtrace leak -- ./server --port 80   trace a program from its start\n" \
	"  memtrace leak --folded -- ./a.out | flamegraph.pl > leaks.svg\n" \
	"  memtrace leak --alloc-pid 1234 --by-cache   kernel objects a daemon holds\n"

static const struct mt_man_section man[] = {
	{ "HOOKS",
	  "With -p or a command: uprobes on the allocator's entry points, in the "
	  "files the process runs: malloc, calloc, realloc, reallocarray, "
	  "posix_memalign, aligned_alloc, memalign, valloc, pvalloc and free in the "
	  "allocator (libc, the program itself when it is static, or the library -O "
	  "names, its functions prefixed by --symbol-prefix); mmap, mremap and "
	  "munmap in libc; C++ operator new and new[] (plain, nothrow, aligned) in "
	  "libstdc++. A running process's files are those of its memory map, opened "
	  "through /proc/PID/root (a process in another mount namespace is traced "
	  "with its own libraries); a command's are found as the dynamic linker "
	  "will find them. Two names of one function (glibc's memalign and "
	  "aligned_alloc) get one probe. On Linux 6.6+ the entry probes of a file "
	  "are attached through one multi-uprobe link and its return probes "
	  "through another, which detach at once; elsewhere (or with "
	  "MEMTRACE_DISABLE=uprobe_multi) a perf-event link each, which detach "
	  "one after the other, each waiting for the kernel.\n"
	  "\n"
	  "Each probe goes where the kernel emulates it rather than single-stepping "
	  "it out of line, with extra traps: the x86 prologue decoder reads the "
	  "function's first instructions and takes the first one x86 uprobes "
	  "emulate (push, jmp, jcc, call, nop) when nothing before it branches or "
	  "changes the arguments, the stack pointer or memory (free's test of its "
	  "argument is skipped so). Else the probe stays at the symbol's address.\n"
	  "\n"
	  "The calls that return a block have a return probe too, attached before "
	  "the entry probes: an entry seen without its return would be a call that "
	  "never ends. It shares the entry probe's breakpoint: the stack pointer "
	  "has not moved there, so the return address is still on top of the "
	  "stack. C++ operator new has an entry probe only: the malloc it calls "
	  "records the block, with new's caller as its first frame.\n"
	  "\n"
	  "sched_process_exec, as a raw tracepoint (no BTF, no tracefs), attached "
	  "before the uprobes: an exec of the process ends its old image, whose "
	  "allocations are forgotten.\n"
	  "\n"
	  "Kernel mode (no -p, no command): kmalloc, kmem_cache_alloc, kfree and "
	  "kmem_cache_free (--pages adds mm_page_alloc, mm_page_free and "
	  "mm_page_free_batched, --percpu percpu_alloc_percpu and "
	  "percpu_free_percpu), attached as tp_btf where the kernel's BTF gives them "
	  "their 6.1+ arguments, else as classic tracepoints, whose records are "
	  "read on every layout (tracefs is mounted at "
	  "/sys/kernel/tracing if nobody has). The tracing machinery's own frames "
	  "are left out of kernel stacks.\n"
	  "\n"
	  "-v names where each probe went and the method each tracepoint uses." },
	{ "THE COMMAND",
	  "With -- CMD [ARGS...], memtrace starts CMD and traces it from its first "
	  "instruction: the probes are in place before it runs. CMD is looked up in "
	  "PATH as execvp(3) would; a script's interpreter is the program traced. "
	  "It runs as the user memtrace runs as (root, usually), with memtrace's "
	  "environment; --user NAME runs it as another user (uid, groups and HOME, "
	  "from /etc/passwd and /etc/group), as sudo -u would. CMD keeps memtrace's "
	  "stdout: --output FILE writes the reports to FILE instead, so that CMD's "
	  "output and the reports (JSON with --json) stay apart.\n"
	  "\n"
	  "Only the process is traced: the children it forks are not. An exec is "
	  "followed: what the image before allocated is forgotten, and the new "
	  "image's files name its frames. memtrace stops CMD at its exit for a "
	  "last reading of its memory map, then reports. CMD's exit status or "
	  "fatal signal is noted on stderr; memtrace itself exits 0.\n"
	  "\n"
	  "Ctrl-C reaches CMD too (the terminal signals the whole process group): "
	  "memtrace then waits for CMD to exit, so that what it frees on its way "
	  "out is not reported as leaked. A signal sent to memtrace alone (kill) is "
	  "passed on to CMD, as timeout(1) does. A second interrupt stops waiting: "
	  "the report says it is partial, and CMD runs on, no longer traced (never "
	  "left stopped)." },
	{ "LOSSES",
	  "Nothing is lost silently. Under each report:\n"
	  "\n"
	  "Not counted: allocations (map full) found the map of outstanding "
	  "allocations full (--max-allocs makes room); events (ring buffer full) "
	  "found the ring buffer full (--ringbuf-size makes room): mmap, munmap, "
	  "mremap and exec events, and with -t every allocation and free; calls "
	  "(no thread state) could not keep their state from entry to return; "
	  "mappings (out of memory) could not be stored by memtrace.\n"
	  "\n"
	  "Counted without their stack: stacks not kept: N (capacity) counts the "
	  "allocations whose stack found the map of stacks full (--max-stacks "
	  "makes room), (not readable) those whose stack could not be read. A "
	  "stack is kept whole, compared frame by frame, under a 64-bit hash of "
	  "its frames: two different stacks are never merged, and one is dropped "
	  "only when the map is full (or when four keys in a row hold other "
	  "stacks, which 64 bits make unseen: counted as (hash collision)). "
	  "Their bytes are in the totals, under a row that reads [stack not kept "
	  "(capacity)] or [stack not kept (not readable)] (\"stack\" in JSON).\n"
	  "\n"
	  "Frees of blocks not tracked (a process only): of blocks made before the "
	  "trace, filtered out (-z, -Z, -s), or freed again by glibc's thread cache "
	  "at a thread's exit.\n"
	  "\n"
	  "JSON gives them as lost.map_full, lost.ringbuf, lost.thread_state, "
	  "lost.stack_full, lost.stack_missing, lost.stack_collision and "
	  "untracked_frees." },
	{ "KINDS",
	  "A process's allocations are of two kinds. heap: the blocks of the malloc "
	  "family and C++ new, what valgrind's \"in use at exit\", heaptrack and "
	  "malloc_stats(3) count; a large malloc that glibc serves with mmap is a "
	  "heap block. mmap: the regions the process mapped itself with mmap or "
	  "mremap (glibc's own for thread stacks and locale files among them), "
	  "anonymous or not. Text reports give each kind's total on its own line "
	  "and mark mmap stacks (mmap); JSON reports have heap_bytes, heap_allocs, "
	  "mmap_bytes and mmap_allocs besides the totals and a kind per stack; "
	  "folded stacks start with the kind (heap;main;...). A stack that made "
	  "both is a row of each kind.\n"
	  "\n"
	  "--kind heap traces only blocks (mmap, mremap and munmap are not probed); "
	  "--kind mmap only regions (free and operator new are not probed; the "
	  "malloc family still is, so that the mappings glibc makes inside malloc "
	  "stay malloc's and are left out)." },
	{ "EXIT STATUS",
	  "0 on success: the process or the command exited, --duration passed, or "
	  "an interrupt came; whatever CMD's own status. 1 on a runtime failure (no such "
	  "process, a command that cannot run, no allocator found), 2 on a usage "
	  "error. A closed pipe ends it quietly with 0." },
	{ "EXAMPLES", EXAMPLES },
	{ NULL, NULL },
};

const struct mt_cli leak_cli = {
	.name = "leak",
	.summary = "outstanding allocations by call stack (-p PID, -- CMD; else the kernel's)",
	.synopsis = "leak -p PID [options]\n"
		    "leak [options] -- CMD [ARGS...]\n"
		    "leak [options]            (kernel allocations)",
	.description =
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
		"and their frees), system-wide, by kernel stack.\n",
	.opts = options,
	.common_group = G_OTHER,
	.verbose_help = "show where each probe went, and libbpf's messages",
	.json_help = "one JSON object per report",
	.positional = MT_POS_COMMAND,
	.positional_name = "CMD",
	.help_tail =
		"Frames read function+offset (file:line) [module]. What could not be counted\n"
		"(full maps, stacks lost, frees of allocations made before the trace) is\n"
		"shown under each report.\n"
		"\n"
		"Examples:\n" EXAMPLES,
	.man = man,
	.opts_size = sizeof(struct leak_opts),
	.defaults = defaults,
	.check = check,
};
