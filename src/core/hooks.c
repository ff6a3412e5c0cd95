// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "util/kbtf.h"
#include "core/log.h"
#include "core/hooks.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define SYSFS_BTF "/sys/kernel/btf/vmlinux"
#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

static const char *const hook_names[HOOK_NR] = {
	[HOOK_TP_BTF] = "tp_btf",
	[HOOK_TRACEPOINT] = "tracepoint",
	[HOOK_RAW_TP] = "raw_tp",
	[HOOK_FENTRY] = "fentry",
	[HOOK_KPROBE] = "kprobe",
	[HOOK_TEST_RUN] = "test_run",
	[HOOK_TASK_STORAGE] = "task_storage",
	[HOOK_HASH] = "hash",
	[HOOK_UPROBE_MULTI] = "uprobe_multi",
	[HOOK_UPROBE] = "uprobe",
};

const char *hook_name(enum hook h)
{
	return h < HOOK_NR ? hook_names[h] : "?";
}

int hook_parse_list(const char *s, unsigned *mask, char *bad, size_t badlen)
{
	*mask = 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		int h;

		for (h = 0; h < HOOK_NR; h++)
			if (strlen(hook_names[h]) == len &&
			    !strncmp(s, hook_names[h], len))
				break;
		if (h == HOOK_NR && len) {
			snprintf(bad, badlen, "%.*s", (int)len, s);
			return -EINVAL;
		}
		if (h < HOOK_NR)
			*mask |= 1u << h;
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

bool hook_is_disabled(enum hook h)
{
	const char *env = getenv("MEMTRACE_DISABLE");
	unsigned disabled = 0;
	char bad[32];

	return env && !hook_parse_list(env, &disabled, bad, sizeof(bad)) &&
	       (disabled & (1u << h));
}

int hook_disabled(unsigned *mask)
{
	const char *env = getenv("MEMTRACE_DISABLE");
	char bad[32];

	*mask = 0;
	if (env && hook_parse_list(env, mask, bad, sizeof(bad))) {
		log_err("MEMTRACE_DISABLE: unknown hook method '%s' (known: tp_btf, tracepoint, raw_tp, fentry, kprobe, test_run, task_storage, hash, uprobe_multi, uprobe)",
			bad);
		return -1;
	}
	return 0;
}

int hook_attach(const char *what, const enum hook *chain, int n,
		int (*try)(void *ctx, enum hook h), void *ctx)
{
	unsigned disabled;
	int i, err, last_err = 0, tried = 0;

	if (hook_disabled(&disabled))
		return -1;
	for (i = 0; i < n; i++) {
		if (disabled & (1u << chain[i])) {
			log_info("%s: %s disabled by MEMTRACE_DISABLE", what,
				 hook_name(chain[i]));
			continue;
		}
		tried++;
		err = try(ctx, chain[i]);
		if (!err)
			return chain[i];
		if (err < 0) {
			last_err = err;
			log_info("%s: %s failed: %s", what, hook_name(chain[i]),
				 strerror(-err));
		}
	}
	if (!tried)
		log_err("cannot attach to %s: every hook method it can use is disabled by MEMTRACE_DISABLE",
			what);
	else if (last_err)
		log_err("cannot attach to %s: %s%s", what, strerror(-last_err),
			log_verbose() ? "" : " (-v shows why)");
	else
		log_err("cannot attach to %s: no hook method available on this kernel%s",
			what, log_verbose() ? "" : " (-v shows why)");
	return -1;
}

enum host_priv host_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

#define HAS_CAP(c) (data[(c) / 32].effective & (1u << ((c) % 32)))
	if (syscall(SYS_capget, &hdr, data))
		return PRIV_NONE;
	if (HAS_CAP(CAP_SYS_ADMIN))
		return PRIV_SYS_ADMIN;
	if (HAS_CAP(CAP_BPF) && HAS_CAP(CAP_PERFMON))
		return PRIV_BPF_PERFMON;
#undef HAS_CAP
	return PRIV_NONE;
}

static int check_privileges(void)
{
	if (host_privileges() != PRIV_NONE)
		return 0;
	log_err("needs root or CAP_BPF and CAP_PERFMON");
	return -1;
}

const char *btf_custom_path(void)
{
	const char *p = getenv("MEMTRACE_BTF");

	return p && *p ? p : NULL;
}

static struct btf *btf_cache;

const struct btf *vmlinux_btf(void)
{
	const char *path = btf_custom_path();

	if (!btf_cache) {
		btf_cache = btf__parse(path ? path : SYSFS_BTF, NULL);
		if (!btf_cache)
			return NULL;
	}
	return btf_cache;
}

static struct kbtf *kbtf_cache;

const struct kbtf *vmlinux_kbtf(void)
{
	const char *path = btf_custom_path();

	if (!kbtf_cache)
		kbtf_cache = kbtf_open(path ? path : SYSFS_BTF, NULL);
	return kbtf_cache;
}

/* Only whether it is there: parsing it costs milliseconds, and is done
 * where a command needs it. */
static int check_btf(void)
{
	const char *path = btf_custom_path();

	if (!path && access(SYSFS_BTF, R_OK)) {
		log_err("no kernel BTF at %s: the kernel needs CONFIG_DEBUG_INFO_BTF=y (or set MEMTRACE_BTF to a BTF file for it)",
			SYSFS_BTF);
		return -1;
	}
	if (path && access(path, R_OK)) {
		log_err("cannot read kernel BTF from %s (MEMTRACE_BTF): %s", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int check_ringbuf(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0,
				getpagesize(), NULL);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EPERM) {
		log_err("needs root or CAP_BPF and CAP_PERFMON (the kernel refused a BPF map: %s)",
			strerror(errno));
		return -1;
	}
	log_err("this kernel has no BPF ring buffer (needs Linux 5.8 or later): %s",
		strerror(errno));
	return -1;
}

int host_check(bool ringbuf)
{
	if (check_privileges() || check_btf() || (ringbuf && check_ringbuf()))
		return -1;
	return 0;
}

bool tp_btf_available(const char *event)
{
	const struct btf *btf = vmlinux_btf();
	char name[128];

	/* tp_btf attaches by the running kernel's own BTF ids. */
	if (!btf || access(SYSFS_BTF, R_OK))
		return false;
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) >= 0;
}

/* The FUNC_PROTO behind btf_trace_<event>, or NULL. */
static const struct btf_type *tp_proto(const char *event)
{
	const struct btf *btf = vmlinux_btf();
	const struct btf_type *t;
	char name[128];
	int id;

	if (!btf)
		return NULL;
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, id);		/* typedef */
	t = t ? btf__type_by_id(btf, t->type) : NULL;	/* pointer */
	t = t && btf_is_ptr(t) ? btf__type_by_id(btf, t->type) : NULL;
	return t && btf_is_func_proto(t) ? t : NULL;
}

int tp_btf_nargs(const char *event)
{
	const struct btf_type *proto = tp_proto(event);

	return proto ? btf_vlen(proto) - 1 : -1;
}

/* The type id refers to, past typedefs and const/volatile. */
static const struct btf_type *resolved(const struct btf *btf, __u32 id)
{
	int r = btf__resolve_type(btf, id);

	return r < 0 ? NULL : btf__type_by_id(btf, r);
}

bool tp_btf_arg_is_struct_ptr(const char *event, int i, const char *name)
{
	const struct btf_type *proto = tp_proto(event), *t;
	const struct btf *btf = vmlinux_btf();
	const char *tname;

	if (!proto || i + 1 >= btf_vlen(proto))
		return false;
	t = resolved(btf, btf_params(proto)[i + 1].type);
	if (!t || !btf_is_ptr(t))
		return false;
	t = resolved(btf, t->type);
	tname = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	return t && btf_is_struct(t) && tname && !strcmp(tname, name);
}

int probe_fentry(const struct kbtf *vmlinux, const char *func)
{
	/* r0 = 0; exit */
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = vmlinux ? kbtf_find(vmlinux, func, BTF_KIND_FUNC) : -1;
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	int fd;

	if (id < 0)
		return -ENOENT;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Every kernel with BTF in sysfs (5.4+) that has kprobes has the kprobe
 * PMU (4.17+); kprobe_events, libbpf's legacy path, is looked for only in
 * a tracefs already mounted: asking must not mount anything. */
bool probe_kprobes(void)
{
	const char *tracefs;
	char path[64];

	if (!access("/sys/bus/event_source/devices/kprobe/type", F_OK))
		return true;
	tracefs = tracefs_mounted();
	if (!tracefs)
		return false;
	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	return !access(path, F_OK);
}

const char *tracefs_mounted(void)
{
	int err;

	if (!access(TRACEFS "/events", F_OK))
		return TRACEFS;
	err = errno;
	if (!access(DEBUGFS_TRACING "/events", F_OK))
		return DEBUGFS_TRACING;
	if (err != EACCES)
		err = errno;
	errno = err;
	return NULL;
}

/* The kernel has tracefs, its mount point exists, and we may mount. */
bool tracefs_mountable(void)
{
	char line[128];
	bool known = false;
	FILE *f;

	if (access(TRACEFS, F_OK) || host_privileges() != PRIV_SYS_ADMIN)
		return false;
	f = fopen("/proc/filesystems", "re");
	if (!f)
		return false;
	while (!known && fgets(line, sizeof(line), f))
		known = !strcmp(line, "nodev\ttracefs\n");
	fclose(f);
	return known;
}

int tracefs_ensure(void)
{
	if (tracefs_mounted())
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL)) {
		int err = errno;

		log_info("cannot mount tracefs at %s (needed by classic tracepoints): %s",
			 TRACEFS, strerror(err));
		return -err;
	}
	log_info("mounted tracefs at %s", TRACEFS);
	return 0;
}

bool tracefs_has_event(const char *category, const char *event)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s", category, event);
	if (!access(path, F_OK))
		return true;
	snprintf(path, sizeof(path), DEBUGFS_TRACING "/events/%s/%s", category,
		 event);
	return !access(path, F_OK);
}

void probe_cleanup(void)
{
	btf__free(btf_cache);
	btf_cache = NULL;
	kbtf_close(kbtf_cache);
	kbtf_cache = NULL;
}
