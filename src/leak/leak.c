// SPDX-License-Identifier: GPL-2.0
/* memtrace leak: outstanding user-space allocations by call stack. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "memtrace/leak.h"
#include "leak.skel.h"
#include "core/args.h"
#include "commands.h"
#include "leak/run.h"
#include "leak/child.h"
#include "leak/target.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/hooks.h"
#include "util/procfs.h"
#include "util/ksyms.h"
#include "uprobe/uelf.h"
#include "usyms/usyms.h"
#include "uprobe/x86insn.h"

#define DEFAULT_INTERVAL_NS (5 * NS_PER_SEC)
#define DEFAULT_OLDER_NS (500 * NS_PER_MS)
#define DEFAULT_MAX_ALLOCS (1 << 18)
#define DEFAULT_MAX_STACKS (1 << 14)
#define RINGBUF_SIZE (4 << 20)
#define MAX_LINKS 64

/* Where each entry point lives and what it does. */
enum lib { LIB_ALLOC, LIB_LIBC, LIB_CXX };

struct entry {
	const char *name;
	enum leak_kind kind;
	enum lib lib;
	bool ret;			/* has a return probe */
	bool required;
};

static const struct entry entries[] = {
	{ "malloc", LEAK_MALLOC, LIB_ALLOC, true, true },
	{ "free", LEAK_FREE, LIB_ALLOC, false, true },
	{ "calloc", LEAK_CALLOC, LIB_ALLOC, true, false },
	{ "realloc", LEAK_REALLOC, LIB_ALLOC, true, false },
	{ "reallocarray", LEAK_REALLOCARRAY, LIB_ALLOC, true, false },
	{ "posix_memalign", LEAK_POSIX_MEMALIGN, LIB_ALLOC, true, false },
	{ "aligned_alloc", LEAK_ALIGNED_ALLOC, LIB_ALLOC, true, false },
	{ "memalign", LEAK_MEMALIGN, LIB_ALLOC, true, false },
	{ "valloc", LEAK_VALLOC, LIB_ALLOC, true, false },
	{ "pvalloc", LEAK_PVALLOC, LIB_ALLOC, true, false },
	{ "mmap", LEAK_MMAP, LIB_LIBC, true, false },
	{ "mremap", LEAK_MREMAP, LIB_LIBC, true, false },
	{ "munmap", LEAK_MUNMAP, LIB_LIBC, false, false },
	/* operator new and new[], plain, nothrow, aligned (C++17): entry
	 * probes only (leak.bpf.c says why); the malloc they call records
	 * the block, with new's caller as its first frame. operator delete
	 * calls free, which is enough. */
	{ "_Znwm", LEAK_NEW, LIB_CXX, false, false },
	{ "_Znam", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnwmRKSt9nothrow_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnamRKSt9nothrow_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnwmSt11align_val_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnamSt11align_val_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnwmSt11align_val_tRKSt9nothrow_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnamSt11align_val_tRKSt9nothrow_t", LEAK_NEW, LIB_CXX, false, false },
};

#define NR_ENTRIES (sizeof(entries) / sizeof(entries[0]))

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

/* ---- Attaching ---- */

struct site {
	const struct entry *en;
	const char *path;
	struct ufunc fn;
	struct x86_probe_site where;
	bool found;
};

struct attach {
	struct leak_run *r;
	struct site sites[NR_ENTRIES];
	struct bpf_link *links[MAX_LINKS];
	int nr_links;
};

static struct bpf_program *entry_prog(struct leak_bpf *s, enum leak_kind k)
{
	switch (k) {
	case LEAK_MALLOC: return s->progs.malloc_enter;
	case LEAK_CALLOC: return s->progs.calloc_enter;
	case LEAK_REALLOC: return s->progs.realloc_enter;
	case LEAK_REALLOCARRAY: return s->progs.reallocarray_enter;
	case LEAK_POSIX_MEMALIGN: return s->progs.posix_memalign_enter;
	case LEAK_ALIGNED_ALLOC: return s->progs.aligned_alloc_enter;
	case LEAK_MEMALIGN: return s->progs.memalign_enter;
	case LEAK_VALLOC: return s->progs.valloc_enter;
	case LEAK_PVALLOC: return s->progs.pvalloc_enter;
	case LEAK_NEW: return s->progs.new_enter;
	case LEAK_MMAP: return s->progs.mmap_enter;
	case LEAK_MREMAP: return s->progs.mremap_enter;
	case LEAK_MUNMAP: return s->progs.munmap_enter;
	case LEAK_FREE: return s->progs.free_enter;
	default: return NULL;
	}
}

/* Finds every entry point, and where its probe is cheapest. */
static int find_sites(struct attach *a, const struct leak_libs *libs)
{
	const char *paths[] = { libs->alloc, libs->libc, libs->cxx };
	struct uelf *elfs[3] = {};
	int err = 0;

	for (int l = 0; l < 3; l++) {
		if (!paths[l][0])
			continue;
		elfs[l] = uelf_open(paths[l]);
		if (!elfs[l] && l != LIB_CXX) {
			log_err("cannot read %s: %s", paths[l], strerror(errno));
			err = -1;
			goto out;
		}
	}
	for (size_t i = 0; i < NR_ENTRIES; i++) {
		const struct entry *en = &entries[i];
		struct site *s = &a->sites[i];
		char name[128];
		int e;

		s->en = en;
		s->path = paths[en->lib];
		if (!elfs[en->lib])
			continue;
		snprintf(name, sizeof(name), "%s%s",
			 en->lib == LIB_ALLOC ? a->r->o->prefix : "", en->name);
		e = uelf_func(elfs[en->lib], name, &s->fn);
		if (e) {
			if (en->required) {
				log_err("%s: no function %s%s", basename(s->path),
					name, e == -ENOTSUP ? " (only an indirect one)" : "");
				err = -1;
				goto out;
			}
			if (en->lib != LIB_CXX)
				log_info("%s: not in %s, not traced", name,
					 basename(s->path));
			continue;
		}
		/* glibc's memalign and aligned_alloc are one function: one
		 * probe, or each call would be seen twice. */
		for (size_t k = 0; k < i; k++)
			if (a->sites[k].found && a->sites[k].path == s->path &&
			    a->sites[k].fn.file_off == s->fn.file_off) {
				log_info("%s: the same function as %s", name,
					 a->sites[k].en->name);
				goto next;
			}
		s->found = true;
		x86_cheap_probe_site(s->fn.code, s->fn.code_len, &s->where);
next:;
	}
out:
	for (int l = 0; l < 3; l++)
		uelf_close(elfs[l]);
	return err;
}

static int attach_site(struct attach *a, struct site *s, bool ret)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = ret);
	struct leak_bpf *skel = a->r->skel;
	struct bpf_program *prog = ret ? skel->progs.alloc_return :
					 entry_prog(skel, s->en->kind);
	uint64_t off = s->fn.file_off + s->where.offset;
	struct bpf_link *link;

	if (a->nr_links == MAX_LINKS)
		return -E2BIG;
	link = bpf_program__attach_uprobe_opts(prog, a->r->pid, s->path, off, &uo);
	if (!link) {
		int err = -errno;

		if (s->en->required) {
			log_err("cannot attach a uprobe to %s in %s: %s", s->en->name,
				s->path, strerror(-err));
			return err;
		}
		log_warn("%s in %s not traced: %s", s->en->name,
			 basename(s->path), strerror(-err));
		s->found = false;
		return 0;
	}
	a->links[a->nr_links++] = link;
	return 0;
}

static const char *placement(const struct x86_probe_site *w)
{
	static char buf[96];

	if (!w->insn)
		return "the symbol's address (its first instruction is single-stepped)";
	if (!w->skipped)
		snprintf(buf, sizeof(buf), "the symbol's address (%s, emulated)", w->insn);
	else
		snprintf(buf, sizeof(buf), "%s, emulated, after %d instruction%s that change no argument",
			 w->insn, w->skipped, w->skipped > 1 ? "s" : "");
	return buf;
}

/*
 * Return probes first: an entry probe that fires before its return probe
 * exists would leave a call in progress that never returns. A return
 * probe goes where the entry probe does: the decoder guarantees that the
 * stack pointer has not moved there, so the return address is still on
 * top of the stack where the kernel takes it, and one breakpoint serves
 * both.
 */
static int attach_all(struct attach *a)
{
	struct bpf_link *link;

	/* First: an exec from now on must end the old image's blocks. */
	link = bpf_program__attach(a->r->skel->progs.exec_raw_tp);
	if (!link) {
		log_err("cannot attach to sched_process_exec: %s", strerror(errno));
		return -1;
	}
	a->links[a->nr_links++] = link;
	log_info("sched_process_exec via raw_tp");
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < NR_ENTRIES; i++) {
			struct site *s = &a->sites[i];

			if (!s->found || (pass == 0 && !s->en->ret))
				continue;
			if (attach_site(a, s, pass == 0))
				return -1;
			if (pass == 1 && s->found)
				log_info("%s: %s+0x%llx: uprobe%s at +%zu: %s",
					 s->en->name, basename(s->path),
					 (unsigned long long)s->fn.file_off,
					 s->en->ret ? " and uretprobe" : "",
					 s->where.offset, placement(&s->where));
		}
	}
	return 0;
}

static void detach_all(struct attach *a)
{
	for (int i = 0; i < a->nr_links; i++)
		bpf_link__destroy(a->links[i]);
	a->nr_links = 0;
}

static struct leak_bpf *open_bpf(struct leak_run *r)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = btf_custom_path());
	const struct leak_opts *o = r->o;
	struct leak_bpf *skel;

	skel = leak_bpf__open_opts(&open_opts);
	if (!skel)
		return NULL;
	skel->rodata->targ_tgid = r->pid;
	skel->rodata->self_tgid = getpid();
	skel->rodata->alloc_tgid = o->alloc_pid;
	skel->rodata->wa_missing_free = o->wa_missing_free;
	skel->rodata->min_size = o->min_size;
	skel->rodata->max_size = o->max_size;
	skel->rodata->sample_rate = o->sample_rate;
	skel->rodata->page_size = sysconf(_SC_PAGESIZE);
	skel->rodata->combined = o->combined;
	skel->rodata->trace = o->trace;
	bpf_map__set_max_entries(skel->maps.allocs, o->max_allocs);
	bpf_map__set_max_entries(skel->maps.stacks, o->max_stacks);
	bpf_map__set_max_entries(skel->maps.combined_totals, o->max_stacks);
	bpf_map__set_value_size(skel->maps.stacks, o->stack_depth * sizeof(__u64));
	bpf_map__set_max_entries(skel->maps.events, RINGBUF_SIZE);
	return skel;
}

/* The tracepoint category of the events leak's kernel mode uses. */
static const char *event_category(const char *event)
{
	return strncmp(event, "percpu_", 7) ? "kmem" : "percpu";
}

/* Which programs a run loads: the uprobes, or the kernel events of hook
 * h that the options ask for and this kernel has. */
static bool wanted(const struct leak_opts *o, struct bpf_program *p, int h)
{
	const char *sec = bpf_program__section_name(p);
	const char *event = strrchr(sec, '/');

	if (!strncmp(sec, "uprobe", 6) || !strncmp(sec, "uretprobe", 9) ||
	    !strncmp(sec, "raw_tp/", 7))
		return !o->kernel;
	if (!o->kernel || !event ||
	    strncmp(sec, h == HOOK_TP_BTF ? "tp_btf/" : "tracepoint/",
		    h == HOOK_TP_BTF ? 7 : 11))
		return false;
	event++;
	if (!strncmp(event, "mm_page_", 8) && !o->pages)
		return false;
	if (!strncmp(event, "percpu_", 7) && !o->percpu)
		return false;
	if (h == HOOK_TP_BTF)
		return tp_btf_available(event);
	return tracefs_has_event(event_category(event), event);
}

static void choose_programs(struct leak_run *r, int h)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, r->skel->obj)
		bpf_program__set_autoload(p, wanted(r->o, p, h));
}

static int setup_bpf(struct leak_run *r)
{
	int err;

	r->skel = open_bpf(r);
	if (!r->skel) {
		log_err("cannot open the BPF program: %s", strerror(errno));
		return -1;
	}
	choose_programs(r, -1);
	err = leak_bpf__load(r->skel);
	if (err) {
		log_err("cannot load the BPF program: %s%s", strerror(-err),
			log_verbose() ? "" : " (-v shows why)");
		return -1;
	}
	return 0;
}

/*
 * Kernel mode's tp_btf programs take the 6.1+ prototypes: kmalloc's
 * (call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node) and
 * kmem_cache_alloc's (call_site, ptr, s, gfp_flags, node). Older kernels
 * use the classic tracepoints, whose records the shims read on every
 * version.
 */
static bool tp_btf_61(void)
{
	return tp_btf_nargs("kmalloc") == 6 &&
	       !tp_btf_arg_is_struct_ptr("kmalloc", 2, "kmem_cache") &&
	       tp_btf_nargs("kmem_cache_alloc") == 5 &&
	       tp_btf_arg_is_struct_ptr("kmem_cache_alloc", 2, "kmem_cache") &&
	       tp_btf_available("kmalloc") && tp_btf_available("kfree") &&
	       tp_btf_available("kmem_cache_alloc") &&
	       tp_btf_available("kmem_cache_free");
}

static int try_kernel(void *ctx, enum hook h)
{
	struct leak_run *r = ctx;
	struct bpf_program *p;
	int err;

	if (h == HOOK_TP_BTF && !tp_btf_61()) {
		log_info("kmem: no tp_btf with 6.1+ arguments");
		return HOOK_UNAVAILABLE;
	}
	if (h == HOOK_TRACEPOINT) {
		err = tracefs_ensure();
		if (err)
			return err;
	}
	r->skel = open_bpf(r);
	if (!r->skel)
		return -errno;
	r->skel->rodata->percpu_519 = tp_btf_nargs("percpu_alloc_percpu") >= 10;
	choose_programs(r, h);
	err = leak_bpf__load(r->skel);
	if (!err)
		err = leak_bpf__attach(r->skel);
	if (err) {
		leak_bpf__destroy(r->skel);
		r->skel = NULL;
		return err;
	}
	bpf_object__for_each_program(p, r->skel->obj) {
		const char *sec = bpf_program__section_name(p);
		const char *event = strrchr(sec, '/');

		if (bpf_program__autoload(p) && event)
			log_info("%s:%s via %s", event_category(event + 1),
				 event + 1, hook_name(h));
	}
	return 0;
}

/* ---- Running ---- */

static void on_exec(struct leak_run *r, uint16_t gen);

static int on_event(void *ctx, void *data, size_t size)
{
	struct leak_run *r = ctx;
	const struct leak_event *e = data;

	if (size < sizeof(*e))
		return 0;
	switch (e->type) {
	case LEAK_EV_EXEC:
		on_exec(r, e->new_size);
		return 0;
	case LEAK_EV_MMAP:
		regions_map(&r->regions, e->addr, e->size, e->stackid, e->ts_ns);
		break;
	case LEAK_EV_MUNMAP:
		regions_unmap(&r->regions, e->addr, e->size);
		break;
	case LEAK_EV_MREMAP:
		regions_remap(&r->regions, e->addr, e->size, e->new_addr,
			      e->new_size, e->stackid, e->ts_ns);
		break;
	}
	if (r->o->trace)
		leak_trace_event(r, e);
	return 0;
}

static void on_sigchld(int sig)
{
	(void)sig;	/* only wakes the loop's epoll_wait() */
}

/* Re-reads the memory map now: after the process exits it cannot be. */
static void snapshot_maps(struct leak_run *r)
{
	if (r->usyms)
		usyms_refresh(r->usyms);
}

/*
 * The process exec'ed (the kernel's exec event, for -p and -- CMD alike):
 * what the old image allocated went with its address space. Its mappings
 * come from ring-buffer events that precede this one, so the regions are
 * reset here; the kernel's maps keep the image each block was made in.
 * The new image's files are read while it runs.
 */
static void on_exec(struct leak_run *r, uint16_t gen)
{
	leak_forget_images(r, gen);
	regions_free(&r->regions);
	regions_init(&r->regions, sysconf(_SC_PAGESIZE));
	usyms_free(r->usyms);
	r->usyms = usyms_new(r->pid);
	log_info("process %d exec'ed: the allocations of the image before are forgotten",
		 r->pid);
}

/* What the child's ptrace stops ask for; its state after them. */
static enum child_state child_events(struct leak_run *r, int timeout_ms)
{
	enum child_state st;

	while ((st = leak_child_poll(r->pid, &r->child_status, timeout_ms)) ==
	       CHILD_EXITING || st == CHILD_EXEC) {
		snapshot_maps(r);
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
				usyms_refresh(r->usyms);
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

static int on_tick(void *ctx)
{
	return leak_report(ctx, false);
}

static void final_report(void *ctx)
{
	struct leak_run *r = ctx;

	if (r->child && !r->gone)
		log_warn("the report is partial: the command (PID %d) runs on, no longer traced; what it still holds is not all leaked",
			 r->pid);
	leak_report(r, true);
}

/*
 * Stopped by a signal while the command runs: what it frees on its way
 * out must be seen, or it would be reported as leaked. Ctrl-C reached it
 * too (the terminal signals the whole process group); a signal sent to
 * memtrace alone is passed on, as timeout(1) does. Then the loop runs on
 * until the command exits, or a second signal gives up waiting.
 */
static int wait_for_command(struct leak_run *r, struct ring_buffer *rb)
{
	struct loop_opts lo = { .rb = rb, .should_stop = target_gone, .ctx = r };
	bool sent;
	int sig = loop_stop_signal(&sent);

	if (!sig || !r->child || r->gone || target_gone(r))
		return LOOP_DONE;
	if (sent)
		kill(r->pid, sig);
	log_note("waiting for the command (PID %d) to exit; interrupt again to stop waiting",
		 r->pid);
	loop_rearm();
	return loop_run(&lo);
}

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

static int start_target(struct leak_run *r, struct leak_libs *libs, char *exe,
			size_t exe_len, int *go_fd, int *err_fd)
{
	const struct leak_opts *o = r->o;

	if (o->pid) {
		if (!proc_check_target(o->pid, "process", true))
			return -1;
		if (proc_tgid(o->pid) > 0 && proc_tgid(o->pid) != o->pid) {
			log_note("%d is a thread of process %d: tracing the process",
				 o->pid, proc_tgid(o->pid));
			r->pid = proc_tgid(o->pid);
			return leak_libs_of_pid(r->pid, o->obj, o->prefix, libs);
		}
		if (o->pid == getpid()) {
			log_err("-p %d: memtrace cannot trace itself", o->pid);
			return -1;
		}
		r->pid = o->pid;
		return leak_libs_of_pid(o->pid, o->obj, o->prefix, libs);
	}
	if (leak_find_program(o->cmd[0], exe, exe_len) ||
	    leak_libs_of_program(exe, o->obj, o->prefix, libs))
		return -1;
	if (o->user && leak_user_lookup(o->user, &r->user))
		return -1;
	r->pid = leak_child_spawn(exe, o->cmd, o->user ? &r->user : NULL, go_fd,
				  err_fd);
	if (r->pid < 0)
		return -1;
	r->child = true;
	return 0;
}

int cmd_leak(int argc, char **argv)
{
	struct leak_opts o;
	struct leak_run r = {};
	struct leak_libs libs;
	struct attach *a = NULL;
	struct ring_buffer *rb = NULL;
	char exe[PATH_MAX];
	int err, status = 1, go_fd = -1, err_fd = -1;

	err = parse_args(argc, argv, &o);
	if (err >= 0)
		return err;
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	loop_signals_init();
	/* SA_RESTART: a write to a slow pipe must not fail with EINTR
	 * (epoll_wait() is interrupted all the same). */
	struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART };
	sigaction(SIGCHLD, &sa, NULL);

	r.o = &o;
	regions_init(&r.regions, sysconf(_SC_PAGESIZE));
	if (host_check(true))
		goto out;
	a = calloc(1, sizeof(*a));
	r.frames = calloc(o.stack_depth, sizeof(*r.frames));
	if (!a || !r.frames) {
		log_err("out of memory");
		goto out;
	}
	a->r = &r;
	if (o.kernel) {
		static const enum hook chain[] = { HOOK_TP_BTF, HOOK_TRACEPOINT };

		if (o.alloc_pid && !proc_check_target(o.alloc_pid, "process", false))
			goto out;
		r.pid = o.alloc_pid;
		r.ksyms = ksyms_load(NULL);
		if (!r.ksyms)
			log_warn("cannot read /proc/kallsyms (%s): frames shown as addresses",
				 strerror(errno));
		if (hook_attach("kmem allocations", chain, 2, try_kernel, &r) < 0)
			goto out;
	} else if (start_target(&r, &libs, exe, sizeof(exe), &go_fd, &err_fd) ||
		   find_sites(a, &libs) || setup_bpf(&r) || attach_all(a)) {
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(r.skel->maps.events), on_event, &r, NULL);
	if (!rb) {
		log_err("cannot set up the ring buffer: %s", strerror(errno));
		goto out;
	}
	/* The command was forked with memtrace's stdout: it keeps it. */
	if (o.output && (err = output_to(o.output))) {
		log_err("cannot write %s: %s", o.output, strerror(-err));
		goto out;
	}
	if (r.child) {
		err = leak_child_go(r.pid, exe, go_fd, err_fd);
		go_fd = err_fd = -1;
		if (err) {
			r.child = false;
			goto out;
		}
	}
	r.usyms = o.kernel ? NULL : usyms_new(r.pid);
	if (!o.kernel && !r.usyms)
		log_warn("cannot read the memory map of process %d: %s", r.pid,
			 strerror(errno));
	log_info("ready");

	struct loop_opts lo = {
		.rb = rb,
		.interval_ns = o.interval_ns,
		.duration_ns = o.duration_ns,
		.on_tick = on_tick,
		.should_stop = target_gone,
		.ctx = &r,
	};
	err = loop_run(&lo);
	if (err == LOOP_DONE)
		err = wait_for_command(&r, rb);
	status = loop_finish(err, final_report, &r);
	note_child_status(&r);
out:
	if (go_fd >= 0) {
		/* Never started: the child reads EOF and exits. */
		close(go_fd);
		close(err_fd);
		waitpid(r.pid, NULL, __WALL);
	}
	if (a)
		detach_all(a);
	ring_buffer__free(rb);
	leak_bpf__destroy(r.skel);
	usyms_free(r.usyms);
	ksyms_free(r.ksyms);
	leak_user_free(&r.user);
	regions_free(&r.regions);
	json_free(&r.json);
	free(r.frames);
	free(a);
	probe_cleanup();
	return status;
}
