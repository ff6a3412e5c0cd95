// SPDX-License-Identifier: GPL-2.0
/* serve's page cache totals (see serve/pagecache.h). */
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "serve.skel.h"
#include "core/hooks.h"
#include "core/log.h"
#include "core/losses.h"
#include "memtrace/serve.h"
#include "serve/hooks.h"
#include "serve/metrics.h"
#include "serve/pagecache.h"

struct serve_pagecache {
	struct serve_bpf *skel;
};

static int try_attach(void *ctx, enum hook h)
{
	struct serve_pagecache *p = ctx;
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = btf_custom_path());
	bool btf = h == HOOK_TP_BTF;
	char why[HOOK_WHY_LEN];
	struct serve_bpf *skel;
	int err;

	/* What `memtrace probe` says of this kernel, before loading. */
	if (serve_hooks.hooks[0].check(h, why, sizeof(why))) {
		log_info("%s: %s: %s", serve_hooks.hooks[0].what, hook_name(h), why);
		return HOOK_UNAVAILABLE;
	}
	if (!btf && (err = tracefs_ensure()))
		return err;
	skel = serve_bpf__open_opts(&open_opts);
	if (!skel)
		return -errno;
	bpf_program__set_autoload(skel->progs.add_btf, btf);
	bpf_program__set_autoload(skel->progs.delete_btf, btf);
	bpf_program__set_autoload(skel->progs.add_tp, !btf);
	bpf_program__set_autoload(skel->progs.delete_tp, !btf);
	err = serve_bpf__load(skel);
	if (!err)
		err = serve_bpf__attach(skel);
	if (err) {
		serve_bpf__destroy(skel);
		return err;
	}
	p->skel = skel;
	log_info("%s via %s", serve_hooks.hooks[0].what, hook_name(h));
	return 0;
}

struct serve_pagecache *pagecache_open(void)
{
	const struct hook_desc *hook = &serve_hooks.hooks[0];
	struct serve_pagecache *p = calloc(1, sizeof(*p));

	if (!p) {
		log_err("out of memory");
		return NULL;
	}
	if (hook_attach(hook->what, hook->chain, hook->chain_len, try_attach, p) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

void pagecache_close(struct serve_pagecache *p)
{
	if (!p)
		return;
	serve_bpf__destroy(p->skel);
	free(p);
}

void pagecache_metrics(struct serve_pagecache *p, struct metrics *m)
{
	uint64_t v[SERVE_PC_NR] = {};

	percpu_u64_sum(bpf_map__fd(p->skel->maps.pagecache), v, SERVE_PC_NR, 1);
	metrics_family(m, "memtrace_pagecache_added_pages_total", METRIC_COUNTER,
		       "Pages added to files' page cache, system-wide (base pages).");
	metrics_u64(m, "memtrace_pagecache_added_pages_total", NULL, 0,
		    v[SERVE_PC_ADDED]);
	metrics_family(m, "memtrace_pagecache_removed_pages_total", METRIC_COUNTER,
		       "Pages removed from files' page cache, system-wide (base pages).");
	metrics_u64(m, "memtrace_pagecache_removed_pages_total", NULL, 0,
		    v[SERVE_PC_REMOVED]);
}

struct bpf_object *pagecache_object(const struct serve_pagecache *p)
{
	return p->skel->obj;
}
