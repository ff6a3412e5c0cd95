// SPDX-License-Identifier: GPL-2.0
/* leak's collector: opening the BPF side, and the events of its ring buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "leak.skel.h"
#include "core/hooks.h"
#include "core/log.h"
#include "leak/bpfobj.h"
#include "leak/collector_priv.h"
#include "leak/slots.h"

struct leak_bpf *leak_bpf_open(const struct leak_collector *c)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = btf_custom_path());
	const struct leak_config *o = &c->cfg;
	struct leak_bpf *skel;
	bool atomics;

	skel = leak_bpf_open_best(&open_opts, &atomics);
	if (!skel)
		return NULL;
	/* Kernel mode's blocks stay in the hash map: the slot table is for
	 * a process's, freed by the threads that made them. */
	leak_slots_size(skel, atomics && !o->kernel ? o->max_allocs : 0);
	skel->rodata->targ_tgid = o->pid;
	skel->rodata->self_tgid = getpid();
	skel->rodata->alloc_tgid = o->kernel ? o->pid : 0;
	skel->rodata->wa_missing_free = o->wa_missing_free;
	skel->rodata->min_size = o->min_size;
	skel->rodata->max_size = o->max_size;
	skel->rodata->sample_rate = o->sample_rate;
	skel->rodata->page_size = sysconf(_SC_PAGESIZE);
	skel->rodata->combined = o->combined;
	skel->rodata->trace = o->trace;
	skel->rodata->trace_heap = o->kernel || o->heap;
	skel->rodata->trace_mmap = !o->kernel && o->mmap;
	skel->rodata->stack_depth = o->stack_depth;
	skel->rodata->cumulative = o->cumulative;
	bpf_map__set_max_entries(skel->maps.allocs, skel->rodata->use_slots ?
				 1 : o->max_allocs);
	bpf_map__set_max_entries(skel->maps.stacks, o->max_stacks);
	bpf_map__set_max_entries(skel->maps.combined_totals, o->max_stacks);
	/* A row per kept stack and kind (a stack allocates through one
	 * entry point but for a function pointer's call), and the stacks
	 * not kept, a row per reason and kind. */
	bpf_map__set_max_entries(skel->maps.alloc_totals, o->cumulative ?
				 2 * o->max_stacks + 3 * LEAK_KIND_NR : 1);
	bpf_map__set_value_size(skel->maps.stacks,
				(1 + o->stack_depth) * sizeof(__u64));
	bpf_map__set_max_entries(skel->maps.events, o->ringbuf_size);
	return skel;
}

bool leak_prog_is_process(struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	return !strncmp(sec, "uprobe", 6) || !strncmp(sec, "uretprobe", 9) ||
	       !strncmp(sec, "raw_tp/", 7);
}

struct leak_collector *leak_collector_open(const struct leak_config *cfg,
					   const struct leak_libs *libs)
{
	struct leak_collector *c = log_calloc(1, sizeof(*c));
	int err;

	if (!c)
		return NULL;
	c->cfg = *cfg;
	c->stack_buf = log_calloc(1 + cfg->stack_depth, sizeof(*c->stack_buf));
	if (!c->stack_buf) {
		free(c);
		return NULL;
	}
	regions_init(&c->regions, sysconf(_SC_PAGESIZE));
	err = cfg->kernel ? leak_kmem_attach(c) : leak_uprobes_attach(c, libs);
	if (err) {
		leak_collector_close(c);
		return NULL;
	}
	return c;
}

void leak_collector_close(struct leak_collector *c)
{
	if (!c)
		return;
	leak_uprobes_detach(c);
	leak_slots_unmap(&c->slots);
	leak_bpf__destroy(c->skel);
	regions_free(&c->regions);
	free(c->stack_buf);
	leak_totals_free(c);
	free(c);
}

int leak_collector_events_fd(const struct leak_collector *c)
{
	return bpf_map__fd(c->skel->maps.events);
}

/*
 * The process exec'ed (the kernel's exec event, for -p and -- CMD alike):
 * what the old image allocated went with its address space. Its mappings
 * come from ring-buffer events that precede this one, so the regions are
 * reset here; the kernel's maps keep the image each block was made in.
 */
static void on_exec(struct leak_collector *c, uint16_t gen)
{
	leak_forget_images(c, gen);
	regions_free(&c->regions);
	regions_init(&c->regions, sysconf(_SC_PAGESIZE));
}

const struct leak_event *leak_collector_event(struct leak_collector *c,
					      const void *data, size_t size)
{
	const struct leak_event *e = data;

	if (size < sizeof(*e))
		return NULL;
	switch (e->type) {
	case LEAK_EV_EXEC:
		on_exec(c, e->new_size);
		break;
	case LEAK_EV_MMAP:
		regions_map(&c->regions, e->addr, e->size, e->stack, e->ts_ns);
		leak_totals_map(c, e);
		break;
	case LEAK_EV_MUNMAP:
		regions_unmap(&c->regions, e->addr, e->size);
		break;
	case LEAK_EV_MREMAP:
		regions_remap(&c->regions, e->addr, e->size, e->new_addr,
			      e->new_size, e->stack, e->ts_ns);
		leak_totals_map(c, e);
		break;
	}
	return e;
}

struct bpf_object *leak_collector_object(const struct leak_collector *c)
{
	return c->skel->obj;
}
