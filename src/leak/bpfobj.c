// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "core/hooks.h"
#include "core/log.h"
#include "leak/bpfobj.h"
#include "leak.skel.h"
/* Only its bytes are used: its functions would be unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "leak_hash.skel.h"
#pragma GCC diagnostic pop

/* Task storage and bpf_get_current_task_btf() in uprobe programs: 5.11. */
static bool task_storage_ok(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE,
				       BPF_FUNC_task_storage_get, NULL) > 0 &&
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE,
				       BPF_FUNC_get_current_task_btf, NULL) > 0;
}

struct leak_bpf *leak_bpf_open(const struct bpf_object_open_opts *opts)
{
	struct leak_bpf *obj;
	int err;

	if (!hook_is_disabled(HOOK_TASK_STORAGE) && task_storage_ok()) {
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
