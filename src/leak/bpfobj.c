// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/log.h"
#include "leak/bpfobj.h"
#include "leak/hooks.h"
#include "leak.skel.h"
/* Only its bytes are used: its functions would be unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "leak_hash.skel.h"
#pragma GCC diagnostic pop

/* Where each thread's call state goes: the chain `memtrace probe` shows
 * (task storage, then a hash map), through hook_attach(). */
static int try_state(void *ctx, enum hook h)
{
	const struct hook_desc *d = &leak_user_hooks.hooks[LEAK_HOOK_CALL_STATE];
	char why[HOOK_WHY_LEN];

	if (d->check(h, why, sizeof(why))) {
		log_info("per-thread call state: %s", why);
		return HOOK_UNAVAILABLE;
	}
	*(enum hook *)ctx = h;
	return 0;
}

struct leak_bpf *leak_bpf_open_best(const struct bpf_object_open_opts *opts,
				    bool *atomics)
{
	const struct hook_desc *d = &leak_user_hooks.hooks[LEAK_HOOK_CALL_STATE];
	enum hook state = HOOK_NR;
	struct leak_bpf *obj;
	int err;

	if (hook_attach(d->what, d->chain, d->chain_len, try_state, &state) < 0) {
		errno = EINVAL;
		return NULL;
	}
	*atomics = state == HOOK_TASK_STORAGE;
	if (state == HOOK_TASK_STORAGE) {
		log_info("thread state: task storage");
		return leak_bpf__open_opts(opts);
	}
	log_info("thread state: a hash map (no task storage for tracing programs before 5.11)");
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	err = leak_bpf__create_skeleton(obj);
	if (!err) {
		obj->skeleton->data =
			(void *)leak_hash_bpf__elf_bytes(&obj->skeleton->data_sz);
		err = bpf_object__open_skeleton(obj->skeleton, opts);
	}
	if (err) {
		leak_bpf__destroy(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}
