// SPDX-License-Identifier: GPL-2.0
/* The host: its kernel, what memtrace may do on it, what BPF offers. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/hookcheck.h"
#include "core/uprobe_multi.h"
#include "probe/host.h"
#include "util/procfs.h"

#define SYSFS_BTF "/sys/kernel/btf/vmlinux"
#define LOCKDOWN "/sys/kernel/security/lockdown"
#define PMU(name) "/sys/bus/event_source/devices/" name

static void say(struct host_fact *f, const char *fmt, ...) PRINTF(2, 3);

static void say(struct host_fact *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

/* A feature asked with a probe: 0, -EOPNOTSUPP (too old: needs), else
 * refused. */
static void feature(struct host_fact *f, int err, const char *yes,
		    const char *needs)
{
	f->yes = !err;
	if (!err)
		say(f, "%s", yes);
	else if (err == -EOPNOTSUPP)
		say(f, "needs %s", needs);
	else
		say(f, "refused: %s", strerror(-err));
}

static void get_kernel(struct host_fact *f)
{
	struct utsname u;

	f->known = !uname(&u);
	say(f, "%s", f->known ? u.release : strerror(errno));
}

static void get_privileges(struct host_fact *f)
{
	f->known = true;
	switch (host_privileges()) {
	case PRIV_SYS_ADMIN:
		f->id = geteuid() ? "cap_sys_admin" : "root";
		say(f, "%s", geteuid() ? "CAP_SYS_ADMIN" : "root");
		break;
	case PRIV_BPF_PERFMON:
		f->id = "cap_bpf_perfmon";
		say(f, "CAP_BPF and CAP_PERFMON");
		break;
	default:
		f->id = "missing";
		say(f, "missing: needs root or CAP_BPF and CAP_PERFMON");
	}
}

static void get_btf(struct host_fact *f)
{
	const char *custom = btf_custom_path();

	f->yes = !access(custom ? custom : SYSFS_BTF, R_OK);
	if (custom)
		say(f, "MEMTRACE_BTF=%s%s%s", custom, f->yes ? "" : ": ",
		    f->yes ? "" : strerror(errno));
	else if (f->yes)
		say(f, "%s", SYSFS_BTF);
	else
		say(f, "no %s: the kernel needs CONFIG_DEBUG_INFO_BTF=y (or set MEMTRACE_BTF)",
		    SYSFS_BTF);
}

/* libbpf's probes say 1 or 0; errno tells a refusal from an old kernel. */
static int map_type(enum bpf_map_type type)
{
	int ret = libbpf_probe_bpf_map_type(type, NULL);

	if (ret < 0)
		return ret;
	return ret ? 0 : errno == EPERM ? -EPERM : -EOPNOTSUPP;
}

static void get_ringbuf(struct host_fact *f)
{
	feature(f, map_type(BPF_MAP_TYPE_RINGBUF), "", "Linux 5.8");
}

static void get_task_storage(struct host_fact *f)
{
	feature(f, probe_task_storage(), "for tracing programs",
		"Linux 5.11 (for tracing programs)");
}

static void get_uprobe_multi(struct host_fact *f)
{
	feature(f, probe_uprobe_multi(), "", "Linux 6.6");
}

static void get_tracefs(struct host_fact *f)
{
	const char *at = tracefs_mounted();
	int err = at ? 0 : errno;

	f->yes = at || (err != EACCES && tracefs_mountable());
	if (at)
		say(f, "mounted at %s", at);
	else if (err == EACCES)
		say(f, "cannot be read here: %s", strerror(err));
	else if (f->yes)
		say(f, "not mounted; commands mount it at /sys/kernel/tracing");
	else
		say(f, "not mounted, and cannot be mounted here (needs CAP_SYS_ADMIN)");
}

static void get_kprobes(struct host_fact *f)
{
	f->yes = probe_kprobes();
	if (!access(PMU("kprobe"), F_OK))
		say(f, "kprobe PMU");
	else
		say(f, f->yes ? "kprobe_events in tracefs" :
				"no kprobe PMU, no kprobe_events in tracefs");
}

static void get_fentry(struct host_fact *f)
{
	int err = probe_fentry(vmlinux_kbtf(), "vfs_getattr_nosec");

	f->yes = !err;
	if (err == -ENOENT)
		say(f, "no BTF for vfs_getattr_nosec to try it on");
	else if (err)
		say(f, "refused on vfs_getattr_nosec: %s", strerror(-err));
	else
		say(f, "on vfs_getattr_nosec");
}

static void get_uprobe_pmu(struct host_fact *f)
{
	f->yes = !access(PMU("uprobe"), F_OK);
	say(f, "%s", f->yes ? "" : "no " PMU("uprobe"));
}

static void get_test_run(struct host_fact *f)
{
	feature(f, probe_test_run(), "", "Linux 5.10");
}

static void get_lockdown(struct host_fact *f)
{
	char buf[128], *lb = NULL, *rb = NULL;
	FILE *file = fopen(LOCKDOWN, "re");

	if (!file) {
		if (errno == ENOENT)
			say(f, "no %s", LOCKDOWN);
		else
			say(f, "%s: %s", LOCKDOWN, strerror(errno));
		return;
	}
	/* "none [integrity] confidentiality": the one in brackets. */
	f->known = fgets(buf, sizeof(buf), file) &&
		   (lb = strchr(buf, '[')) && (rb = strchr(lb, ']'));
	fclose(file);
	if (f->known)
		say(f, "%.*s", (int)(rb - lb - 1), lb + 1);
	else
		say(f, "%s: no mode in brackets", LOCKDOWN);
}

static void get_libbpf(struct host_fact *f)
{
	f->known = true;
	say(f, "%s", libbpf_version_string());
}

static const struct fact_def {
	const char *key, *label;
	enum fact_kind kind;
	void (*get)(struct host_fact *f);
	const char *sysctl;		/* FACT_INT: its name */
} defs[HOST_NR_FACTS] = {
#define FACT(k, l, t, fn) { .key = k, .label = l, .kind = t, .get = fn }
#define SYSCTL(k) { .key = #k, .label = #k, .kind = FACT_INT, \
		    .sysctl = "kernel/" #k }
	FACT("kernel", "kernel", FACT_STR, get_kernel),
	FACT("privileges", "privileges", FACT_STR, get_privileges),
	FACT("btf", "kernel BTF", FACT_BOOL, get_btf),
	FACT("ringbuf", "BPF ring buffer", FACT_BOOL, get_ringbuf),
	FACT("task_storage", "task storage", FACT_BOOL, get_task_storage),
	FACT("uprobe_multi", "multi-uprobe links", FACT_BOOL, get_uprobe_multi),
	FACT("tracefs", "tracefs", FACT_BOOL, get_tracefs),
	FACT("kprobes", "kprobes", FACT_BOOL, get_kprobes),
	FACT("fentry", "fentry", FACT_BOOL, get_fentry),
	FACT("uprobe_pmu", "uprobe PMU", FACT_BOOL, get_uprobe_pmu),
	FACT("test_run", "test_run on raw_tp", FACT_BOOL, get_test_run),
	SYSCTL(kptr_restrict),
	SYSCTL(perf_event_paranoid),
	SYSCTL(unprivileged_bpf_disabled),
	FACT("lockdown", "lockdown", FACT_STR, get_lockdown),
	SYSCTL(bpf_stats_enabled),
	FACT("libbpf", "libbpf", FACT_STR, get_libbpf),
#undef FACT
#undef SYSCTL
};

void host_probe(struct host_fact facts[HOST_NR_FACTS])
{
	for (int i = 0; i < HOST_NR_FACTS; i++) {
		const struct fact_def *d = &defs[i];
		struct host_fact *f = &facts[i];
		int err;

		memset(f, 0, sizeof(*f));
		f->key = d->key;
		f->label = d->label;
		f->kind = d->kind;
		f->known = d->kind == FACT_BOOL;
		if (d->get) {
			d->get(f);
			continue;
		}
		err = sysctl_long(d->sysctl, &f->num);
		f->known = !err;
		if (err)
			say(f, "cannot read /proc/sys/%s: %s", d->sysctl,
			    strerror(-err));
	}
}
