// SPDX-License-Identifier: GPL-2.0
/* leak's collector for the kernel's allocations: the kmem (and percpu)
 * tracepoints, through the hook chain tp_btf, then classic tracepoints. */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "leak.skel.h"
#include "core/hooks.h"
#include "core/log.h"
#include "leak/collector_priv.h"
#include "leak/hooks.h"

/* The tracepoint category of the events leak's kernel mode uses. */
static const char *event_category(const char *event)
{
	return strncmp(event, "percpu_", 7) ? "kmem" : "percpu";
}

/* Whether a run loads program p with hook h: the kernel events the
 * options ask for and this kernel has. */
static bool wanted(const struct leak_config *o, struct bpf_program *p,
		   enum hook h)
{
	const char *sec = bpf_program__section_name(p);
	const char *event = strrchr(sec, '/');

	if (leak_prog_is_process(p) || !event ||
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

static void log_events(struct leak_bpf *skel, enum hook h)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj) {
		const char *sec = bpf_program__section_name(p);
		const char *event = strrchr(sec, '/');

		if (bpf_program__autoload(p) && event)
			log_info("%s:%s via %s", event_category(event + 1),
				 event + 1, hook_name(h));
	}
}

static int try_attach(void *ctx, enum hook h)
{
	struct leak_collector *c = ctx;
	struct bpf_program *p;
	int err;

	char why[HOOK_WHY_LEN];

	/* The check `memtrace probe` shows. */
	if (leak_kernel_hooks.hooks[0].check(h, why, sizeof(why))) {
		log_info("kmem: %s", why);
		return HOOK_UNAVAILABLE;
	}
	if (h == HOOK_TRACEPOINT && (err = tracefs_ensure()))
		return err;
	c->skel = leak_bpf_open(c);
	if (!c->skel)
		return -errno;
	c->skel->rodata->percpu_519 = tp_btf_nargs("percpu_alloc_percpu") >= 10;
	bpf_object__for_each_program(p, c->skel->obj)
		bpf_program__set_autoload(p, wanted(&c->cfg, p, h));
	err = leak_bpf__load(c->skel);
	if (!err)
		err = leak_bpf__attach(c->skel);
	if (err) {
		leak_bpf__destroy(c->skel);
		c->skel = NULL;
		return err;
	}
	log_events(c->skel, h);
	return 0;
}

int leak_kmem_attach(struct leak_collector *c)
{
	const struct hook_desc *d = &leak_kernel_hooks.hooks[0];

	return hook_attach(d->what, d->chain, d->chain_len, try_attach, c) < 0 ?
		       -1 : 0;
}
