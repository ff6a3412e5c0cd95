// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/hookcheck.h"

#define ENOTSUPP 524	/* the kernel's own, for "no such operation" */

int hook_unavailable(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return HOOK_UNAVAILABLE;
}

int hook_probed(int err, char *why, size_t len, const char *ok,
		const char *missing, const char *what)
{
	if (err == -ENOENT || err == -EOPNOTSUPP)
		return hook_unavailable(why, len, "%s", missing);
	if (err)
		return hook_unavailable(why, len, "%s refused: %s", what,
					strerror(-err));
	snprintf(why, len, "%s", ok);
	return 0;
}

int hook_desc_check(const struct hook_desc *d, unsigned disabled,
		    struct hook_verdict *v, int *nv)
{
	bool fixed = !d->chain_len;
	int n = fixed ? 1 : d->chain_len;

	for (*nv = 0; *nv < n; (*nv)++) {
		struct hook_verdict *r = &v[*nv];
		enum hook h = fixed ? HOOK_NR : d->chain[*nv];

		memset(r, 0, sizeof(*r));
		r->method = fixed ? d->fixed : hook_name(h);
		r->disabled = !fixed && (disabled & (1u << h));
		if (r->disabled)
			continue;
		r->err = d->check(h, r->why, sizeof(r->why));
		if (!r->err) {
			int chosen = (*nv)++;

			return chosen;
		}
	}
	return -1;
}

int hook_set_check(const struct hook_set *s, char *why, size_t len)
{
	char reason[HOOK_WHY_LEN];

	for (int i = 0; i < s->n; i++) {
		const struct hook_desc *d = &s->hooks[i];

		if (!d->chain_len && d->check(HOOK_NR, reason, sizeof(reason)))
			return hook_unavailable(why, len, "%s: %s", d->what,
						reason);
	}
	return 0;
}

int tp_btf_check(const char *const *events, int n, char *why, size_t len)
{
	for (int i = 0; i < n; i++)
		if (!tp_btf_available(events[i]))
			return hook_unavailable(why, len,
						"no BTF for tracepoint %s",
						events[i]);
	snprintf(why, len, "typed arguments, no tracefs");
	return 0;
}

int tracepoint_check(const char *category, const char *const *events, int n,
		     char *why, size_t len)
{
	const char *at = tracefs_mounted();

	if (!at && errno == EACCES)
		return hook_unavailable(why, len, "tracefs cannot be read: %s",
					strerror(EACCES));
	if (!at && !tracefs_mountable())
		return hook_unavailable(why, len,
					"tracefs is not mounted, and cannot be mounted here (needs CAP_SYS_ADMIN)");
	if (!at) {
		/* Its events cannot be listed before it is mounted. */
		snprintf(why, len,
			 "tracefs not mounted: mounted at /sys/kernel/tracing when run");
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (!tracefs_has_event(category, events[i]))
			return hook_unavailable(why, len,
						"no tracepoint %s:%s in %s",
						category, events[i], at);
	snprintf(why, len, "tracefs at %s", at);
	return 0;
}

/* The n instructions loaded as a program of type: its fd, or -errno. */
static int load_insns(enum bpf_prog_type type, const struct bpf_insn *insns,
		      size_t n, const struct bpf_prog_load_opts *opts)
{
	int fd = bpf_prog_load(type, NULL, "GPL", insns, n, opts);

	return fd < 0 ? -errno : fd;
}

int probe_prog_load(enum bpf_prog_type type,
		    const struct bpf_prog_load_opts *opts)
{
	/* r0 = 0; exit */
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return load_insns(type, insns, 2, opts);
}

/* A compare-and-exchange on the stack, as leak's table of blocks claims
 * its slots (BPF atomics: 5.12). */
static int atomics(void)
{
	static const struct bpf_insn insns[] = {
		/* *(u64 *)(r10 - 8) = 0; r0 = 0; r1 = 1 */
		{ .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10,
		  .off = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1,
		  .imm = 1 },
		/* r0 = cmpxchg(r10 - 8, r0, r1) */
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_10,
		  .src_reg = BPF_REG_1, .off = -8, .imm = BPF_CMPXCHG },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = load_insns(BPF_PROG_TYPE_KPROBE, insns,
			    sizeof(insns) / sizeof(insns[0]), NULL);

	if (fd < 0)
		return fd == -EPERM ? -EPERM : -EOPNOTSUPP;
	close(fd);
	return 0;
}

int probe_atomics(void)
{
	static int asked = 1;	/* the kernel's answer does not change */

	if (asked > 0)
		asked = atomics();
	return asked;
}

static int test_run(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd = probe_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL), err;

	if (fd < 0)
		return fd;
	err = bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
	close(fd);
	/* Before 5.10 raw_tp programs had no test_run. */
	return err == -ENOTSUPP ? -EOPNOTSUPP : err;
}

int probe_test_run(void)
{
	static int asked = 1;	/* the kernel's answer does not change */

	if (asked > 0)
		asked = test_run();
	return asked;
}

static int task_storage(void)
{
	int ret = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL);

	/* 0: refused (errno says why when it was a permission), or no such
	 * map type (5.10 and older). */
	if (ret < 0)
		return ret;
	if (!ret)
		return errno == EPERM ? -EPERM : -EOPNOTSUPP;
	/* The map type came in 5.11 with its helper for tracing programs
	 * (uprobes are kprobe-type programs); ask for the helper too. */
	ret = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE,
				      BPF_FUNC_task_storage_get, NULL);
	return ret > 0 ? 0 : ret < 0 ? ret : -EOPNOTSUPP;
}

int probe_task_storage(void)
{
	static int asked = 1;	/* the kernel's answer does not change */

	if (asked > 0)
		asked = task_storage();
	return asked;
}
