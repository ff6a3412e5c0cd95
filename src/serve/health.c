// SPDX-License-Identifier: GPL-2.0
/* serve: memtrace's own health, as metrics. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/loop.h"
#include "filecache/wcollector.h"
#include "kmalloc/collector.h"
#include "procs/collector.h"
#include "serve/leaks.h"
#include "serve/metrics.h"
#include "serve/pagecache.h"
#include "serve/serve.h"
#include "serve/serve_priv.h"
#include "util/procfs.h"
#include "version.h"

static void lost(struct metrics *m, const char *collector, const char *reason,
		 uint64_t v)
{
	metrics_u64(m, "memtrace_events_lost_total",
		    (struct mlabel[]){ { "collector", collector }, { "reason", reason } },
		    2, v);
}

static void losses(struct serve *s, struct metrics *m)
{
	struct kmalloc_losses kl;
	struct procs_losses pl;
	struct leak_losses ll;
	struct fcw_losses fl;

	kmalloc_collector_losses(s->km, &kl);
	procs_collector_losses(s->pr, &pl);
	leaks_losses(s->leaks, &ll);
	pagecache_losses(s->pc, &fl);
	metrics_family(m, "memtrace_events_lost_total", METRIC_COUNTER,
		       "Events memtrace could not count, or not in full, by collector and reason.");
	lost(m, "kmalloc", "map_full", kl.map_full);
	lost(m, "procs", "ringbuf_full", pl.ringbuf);
	lost(m, "procs", "map_full", pl.map_full);
	lost(m, "leak", "map_full", ll.map_full);
	lost(m, "leak", "ringbuf_full", ll.ringbuf);
	lost(m, "leak", "no_thread_state", ll.thread_state);
	lost(m, "leak", "stack_full", ll.stack_full);
	lost(m, "leak", "stack_collision", ll.stack_collision);
	lost(m, "leak", "stack_missing", ll.stack_missing);
	/* Names the ring buffer had no room for, classic tracepoint events
	 * whose folio was not found. Not losses here: events of files past
	 * the table, counted in "other" (memtrace_map_entries says it is
	 * full), and process rows, which serve does not export. */
	lost(m, "pagecache", "ringbuf_full", fl.names);
	lost(m, "pagecache", "folio_not_found", fl.unresolved);
}

static void maps(struct serve *s, struct metrics *m)
{
	static const char *const names[] = { "kmalloc_callsites", "kmalloc_comms",
					     "procs_comms", "leak_allocs",
					     "pagecache_files" };
	enum { NR = sizeof(names) / sizeof(names[0]) };
	uint64_t used[NR], cap[NR];
	size_t kcap[2];

	kmalloc_collector_capacity(s->km, kcap);
	used[0] = s->km_used[0];
	used[1] = s->km_used[1];
	cap[0] = kcap[0];
	cap[1] = kcap[1];
	used[2] = s->exits.n - 1;
	cap[2] = EXITS_MAX_COMMS;
	leaks_fill(s->leaks, &used[3], &cap[3]);
	pagecache_table(s->pc, &used[4], &cap[4]);
	metrics_family(m, "memtrace_map_entries", METRIC_GAUGE,
		       "Entries in memtrace's bounded tables (BPF maps, and procs_comms in memtrace).");
	for (int i = 0; i < NR; i++)
		metrics_u64(m, "memtrace_map_entries",
			    &(struct mlabel){ "map", names[i] }, 1, used[i]);
	metrics_family(m, "memtrace_map_capacity", METRIC_GAUGE,
		       "How many entries each of those tables can hold.");
	for (int i = 0; i < NR; i++)
		metrics_u64(m, "memtrace_map_capacity",
			    &(struct mlabel){ "map", names[i] }, 1, cap[i]);
}

/* The run time and count the kernel keeps of every program, when
 * kernel.bpf_stats_enabled is 1 (Linux 5.1+), summed by name. */
static void bpf_runs(struct serve *s, struct metrics *m)
{
	struct bpf_object *objs[3 + 64];
	struct { char name[64]; uint64_t ns, runs; } p[64];
	size_t nobj = 3, np = 0;
	struct bpf_program *prog;
	long on = 0;

	if (sysctl_long("kernel/bpf_stats_enabled", &on) || !on)
		return;
	objs[0] = kmalloc_collector_object(s->km);
	objs[1] = procs_collector_object(s->pr);
	objs[2] = pagecache_object(s->pc);
	nobj += leaks_objects(s->leaks, objs + 3, 64);
	for (size_t o = 0; o < nobj; o++) {
		bpf_object__for_each_program(prog, objs[o]) {
			struct bpf_prog_info info = {};
			__u32 len = sizeof(info);
			char name[64];
			size_t i;

			if (bpf_program__fd(prog) < 0 ||
			    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
				continue;
			snprintf(name, sizeof(name), "%s/%s", bpf_object__name(objs[o]),
				 bpf_program__name(prog));
			for (i = 0; i < np && strcmp(p[i].name, name); i++)
				;
			if (i == np && np == 64)
				continue;
			if (i == np) {
				memset(&p[np], 0, sizeof(p[np]));
				strcpy(p[np++].name, name);
			}
			p[i].ns += info.run_time_ns;
			p[i].runs += info.run_cnt;
		}
	}
	metrics_family(m, "memtrace_bpf_run_seconds_total", METRIC_COUNTER,
		       "Time memtrace's BPF programs ran (kernel.bpf_stats_enabled=1).");
	for (size_t i = 0; i < np; i++)
		metrics_f64(m, "memtrace_bpf_run_seconds_total",
			    &(struct mlabel){ "program", p[i].name }, 1, p[i].ns / 1e9);
	metrics_family(m, "memtrace_bpf_runs_total", METRIC_COUNTER,
		       "Times memtrace's BPF programs ran (kernel.bpf_stats_enabled=1).");
	for (size_t i = 0; i < np; i++)
		metrics_u64(m, "memtrace_bpf_runs_total",
			    &(struct mlabel){ "program", p[i].name }, 1, p[i].runs);
}

void health_write(struct serve *s, struct metrics *m, uint64_t started)
{
	struct utsname u;

	losses(s, m);
	maps(s, m);
	bpf_runs(s, m);
	uname(&u);
	metrics_family(m, "memtrace_build_info", METRIC_INFO,
		       "memtrace's version and commit, the kernel it runs on, the libbpf it uses.");
	metrics_u64(m, "memtrace_build_info", (struct mlabel[]){
		{ "version", MEMTRACE_VERSION }, { "commit", MEMTRACE_COMMIT },
		{ "kernel", u.release }, { "libbpf", libbpf_version_string() } },
		4, 1);
	/* Last: the time this scrape took to collect all of the above. */
	metrics_family(m, "memtrace_scrape_duration_seconds", METRIC_GAUGE,
		       "How long memtrace took to collect this scrape's metrics.");
	metrics_f64(m, "memtrace_scrape_duration_seconds", NULL, 0,
		    (mono_ns() - started) / 1e9);
}
