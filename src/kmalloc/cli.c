// SPDX-License-Identifier: GPL-2.0
/* memtrace kmalloc: its options and what its help and man page say. */
#include <stddef.h>
#include "core/log.h"
#include "kmalloc/gfp.h"
#include "kmalloc/kmalloc.h"
#include "kmalloc/views.h"
#include "util/parse.h"

#define F(field) offsetof(struct kmalloc_opts, field)

#define FILTERS "Filters (applied in the kernel)"
#define VIEWS "Aggregated views"
#define OTHER "Other"

/* Its messages name it --top, as they always have, even when given as -t. */
static int opt_top(const struct mt_opt *o, const char *v, void *opts)
{
	struct mt_opt named = *o;

	named.short_name = 0;
	return opt_count(&named, v, opts);
}

static const struct mt_opt options[] = {
	{ .name = "pid", .short_name = 'p', .arg = "PID", .group = FILTERS,
	  .help = "only allocations made by process PID",
	  .parse = opt_pid, .offset = F(pid) },
	{ .name = "tid", .arg = "TID", .group = FILTERS,
	  .help = "only those made by thread TID",
	  .parse = opt_pid, .offset = F(tid) },
	{ .name = "comm", .short_name = 'f', .arg = "COMM", .group = FILTERS,
	  .help = "only those made by tasks named exactly COMM",
	  .parse = opt_comm, .offset = F(comm) },
	{ .name = "min-size", .short_name = 's', .arg = "SIZE", .group = FILTERS,
	  .help = "only requests of at least SIZE bytes (4K, 1M, ...)",
	  .parse = opt_size, .offset = F(min_size) },
	{ .name = "max-size", .arg = "SIZE", .group = FILTERS,
	  .help = "only requests of at most SIZE bytes",
	  .parse = opt_size, .offset = F(max_size) },
	/* The names are this kernel's: gfp_parse() checks them once its BTF
	 * is read. The build's list is what completion offers. */
	{ .name = "gfp", .arg = "FLAG", .group = FILTERS,
	  .help = "only allocations with all bits of FLAG (GFP_KERNEL,\n"
		  "__GFP_ZERO, ZERO, or a number)",
	  .parse = opt_string, .offset = F(gfp_name), .choices = gfp_names },
	{ .name = "top", .short_name = 't', .arg = "N", .group = VIEWS,
	  .help = "the N largest rows, by --by, sorted by --sort",
	  .parse = opt_top, .offset = F(top), .min = 1, .max = 100000 },
	{ .name = "by", .arg = "KEY", .group = VIEWS,
	  .help = "callsite (default), pid, comm or size (requested)",
	  .parse = opt_choice, .offset = F(by), .choices = kmalloc_by_names },
	{ .name = "sort", .arg = "KEY", .group = VIEWS,
	  .help = "bytes (requested, default), calls or waste",
	  .parse = opt_choice, .offset = F(sort),
	  .choices = kmalloc_sort_names },
	{ .name = "hist", .group = VIEWS,
	  .help = "log2 histograms of requested and allocated sizes",
	  .offset = F(hist) },
	{ .name = "interval", .short_name = 'i', .arg = "SEC", .group = VIEWS,
	  .help = "print the report every SEC seconds, not only at the end",
	  .parse = opt_seconds, .offset = F(interval_ns), .min = NS_PER_MS },
	{ .name = "duration", .arg = "SEC", .group = OTHER,
	  .help = "stop after SEC seconds (or 500ms, 2m)",
	  .parse = opt_seconds, .offset = F(duration_ns) },
	{ .name = "ringbuf-size", .arg = "SIZE", .group = OTHER,
	  .help = "BPF ring buffer for the stream (default 16M)",
	  .parse = opt_ringbuf, .offset = F(ringbuf_size) },
	{ 0 },
};

static void defaults(void *opts)
{
	struct kmalloc_opts *o = opts;

	o->max_size = UINT64_MAX;
	o->ringbuf_size = 16 << 20;
}

static int check(void *opts, const struct mt_opt_seen *seen, char **rest,
		 int nrest)
{
	struct kmalloc_opts *o = opts;

	(void)rest, (void)nrest;
	if (o->min_size > o->max_size)
		return log_usage("-s (%llu) is larger than --max-size (%llu)",
				 (unsigned long long)o->min_size,
				 (unsigned long long)o->max_size);
	if (o->interval_ns && !o->top && !o->hist)
		return log_usage("-i applies to the --top and --hist reports");
	if (mt_opt_given(seen, "by") && !o->top)
		return log_usage("--by chooses the rows of --top: give --top N too");
	if (mt_opt_given(seen, "sort") && !o->top)
		return log_usage("--sort orders the rows of --top: give --top N too");
	return 0;
}

#define STR(x) #x
#define STR_OF(x) STR(x)
#define ROWS STR_OF(KMALLOC_MAX_KEYS)

#define EXAMPLES \
	"  memtrace kmalloc -p 1234 -s 4K       one process's allocations of 4 KiB or more\n" \
	"  memtrace kmalloc --top 10 -i 5       the busiest call sites every 5 s\n" \
	"  memtrace kmalloc --top 10 --by comm --sort waste\n"

static const struct mt_man_section man[] = {
	{ "HOOKS",
	  "kmem:kmalloc, attached as tp_btf where the kernel's BTF describes it. Its "
	  "arguments changed twice, and the program that matches this kernel's is "
	  "loaded: 6.1 and later (call_site, ptr, bytes_req, bytes_alloc, gfp_flags, "
	  "node); 6.0, which inserted the struct kmem_cache pointer as the third "
	  "argument; 5.x, without either. Without BTF for it, the classic tracepoint, "
	  "whose record is read through CO-RE (tracefs is mounted at "
	  "/sys/kernel/tracing if nobody has).\n"
	  "\n"
	  "Before 6.1, allocations that ask for a NUMA node fire kmem:kmalloc_node "
	  "instead; it is attached too, by the same method. 6.1 folded it into "
	  "kmem:kmalloc.\n"
	  "\n"
	  "-v names the method used, and with tp_btf the arguments' version." },
	{ "LOSSES",
	  "The stream: an event that finds the ring buffer full is counted; the "
	  "summary gives the count, and a warning on stderr. --ringbuf-size makes "
	  "room.\n"
	  "\n"
	  "--top: the kernel's table holds " ROWS " rows; an allocation whose key finds "
	  "it full is counted in the totals but in no row, and the summary says how "
	  "many (lost_rows_map_full in JSON). --hist and the totals are per-CPU "
	  "counters and lose nothing." },
	{ "EXIT STATUS",
	  "0 on success (Ctrl-C, --duration, or the process of -p or thread of --tid "
	  "gone), 1 on a runtime failure, 2 on a usage error (a --gfp flag this "
	  "kernel does not have, too). A closed pipe ends it quietly with 0." },
	{ "EXAMPLES", EXAMPLES },
	{ NULL, NULL },
};

const struct mt_cli kmalloc_cli = {
	.name = "kmalloc",
	.summary = "kernel kmalloc calls: stream, or aggregate by call site, process, size",
	.synopsis = "kmalloc [options]",
	.description =
		"Every kernel kmalloc, system-wide: one line per allocation (the default), or\n"
		"counted in the kernel and shown as a table (--top) or histograms (--hist).\n"
		"memtrace's own allocations are left out.\n",
	.opts = options,
	.common_group = OTHER,
	.json_help = "one JSON object per event or report",
	.positional = MT_POS_NONE,
	.help_tail =
		"Columns: REQ bytes requested, ALLOC bytes the slab gave (its size class);\n"
		"WASTED = ALLOC - REQ (internal fragmentation); NODE the NUMA node asked for\n"
		"(any: none), CPU_NODE the node of the CPU that allocated; CALLSITE the\n"
		"caller of kmalloc.\n"
		"\n"
		"Examples:\n" EXAMPLES,
	.man = man,
	.opts_size = sizeof(struct kmalloc_opts),
	.defaults = defaults,
	.check = check,
};
