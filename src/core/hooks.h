/* SPDX-License-Identifier: GPL-2.0 */
/* What this host and kernel support, and which hook each command uses. */
#ifndef MEMTRACE_PROBE_H
#define MEMTRACE_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

/* Ways to attach a program, in the names MEMTRACE_DISABLE takes. */
enum hook {
	HOOK_TP_BTF,		/* BTF-typed raw tracepoint (5.5+) */
	HOOK_TRACEPOINT,	/* classic tracepoint: needs tracefs */
	HOOK_RAW_TP,		/* raw tracepoint (4.17+) */
	HOOK_FENTRY,		/* BPF trampoline (5.5+) */
	HOOK_KPROBE,
	HOOK_TEST_RUN,		/* BPF_PROG_TEST_RUN: no hook at all (5.10+) */
	/* Not hooks: where leak keeps each thread's call state. */
	HOOK_TASK_STORAGE,	/* task-local storage (5.11+) */
	HOOK_HASH,		/* a hash map by thread id */
	/* Uprobes: one link for many (6.6+), or a perf event each. */
	HOOK_UPROBE_MULTI,
	HOOK_UPROBE,
	HOOK_NR,
};

#define HOOK_UNAVAILABLE 1	/* try() result: cannot work on this kernel */

const char *hook_name(enum hook h);

/* "tp_btf,fentry" -> bit mask of (1 << enum hook). Returns 0, or -EINVAL
 * with the first unknown name copied to bad. */
int hook_parse_list(const char *s, unsigned *mask, char *bad, size_t badlen);

/* MEMTRACE_DISABLE as a bit mask of (1 << enum hook). Returns 0, or -1
 * after an error naming an unknown method. */
int hook_disabled(unsigned *mask);
/* Whether MEMTRACE_DISABLE names h (an unknown name is hook_disabled()'s
 * to report). */
bool hook_is_disabled(enum hook h);

/*
 * Walks a fallback chain: calls try(ctx, h) for each method in order that
 * MEMTRACE_DISABLE does not turn off, until one returns 0 (loaded and
 * attached). try() returns HOOK_UNAVAILABLE when the method cannot work here,
 * or a negative errno when loading or attaching failed; either way the next
 * method is tried. Returns the method used, or -1 after printing an error
 * that names what could not be hooked.
 */
int hook_attach(const char *what, const enum hook *chain, int n,
		int (*try)(void *ctx, enum hook h), void *ctx);

/* What this process may do: CAP_SYS_ADMIN (root), CAP_BPF with
 * CAP_PERFMON, or neither (no BPF). */
enum host_priv { PRIV_NONE, PRIV_BPF_PERFMON, PRIV_SYS_ADMIN };
enum host_priv host_privileges(void);

/*
 * Privileges, kernel BTF, and the BPF ring buffer when the command streams
 * through one. Prints a one-line reason and returns -1 when the host
 * cannot run it.
 */
int host_check(bool ringbuf);

/* The kernel BTF used for CO-RE: MEMTRACE_BTF, else /sys/kernel/btf/vmlinux
 * (NULL for libbpf's default). */
const char *btf_custom_path(void);
/* Parsed once; NULL if unreadable. */
const struct btf *vmlinux_btf(void);
struct kbtf;
/* The same, as util/kbtf reads it (function ids, struct members). */
const struct kbtf *vmlinux_kbtf(void);
/* The kernel has BTF for tracepoint "event" and can attach tp_btf to it. */
bool tp_btf_available(const char *event);

/*
 * A tracepoint's arguments as tp_btf programs see them, from the kernel's
 * btf_trace_<event> typedef (a pointer to a FUNC_PROTO whose first
 * parameter, the context, is not counted): how many (-1 when the event has
 * no BTF), and whether argument i is a pointer to "struct name".
 */
int tp_btf_nargs(const char *event);
bool tp_btf_arg_is_struct_ptr(const char *event, int i, const char *name);
#define tp_btf_has_arg(event, i) (tp_btf_nargs(event) > (i))

/*
 * Cheap answers to "would this hook work here?", before a skeleton is
 * opened (libbpf parses the kernel's BTF for each one): a two-instruction
 * fentry program for func loads (0, or -errno: EPERM where the kernel
 * refuses trampolines); the kernel has kprobes (a kprobe PMU, or the
 * kprobe_events of a tracefs already mounted, for libbpf's legacy path).
 */
int probe_fentry(const struct kbtf *vmlinux, const char *func);
bool probe_kprobes(void);

/* Classic tracepoints need tracefs: mount it at /sys/kernel/tracing when
 * neither it nor debugfs's tracing directory is there. 0 or -errno (the
 * reason is shown with -v). */
int tracefs_ensure(void);
/* Where tracefs is mounted (its events there), or NULL with errno
 * (EACCES: mounted, but not for us to read); nothing is mounted. */
const char *tracefs_mounted(void);
/* tracefs_ensure() could mount it: the kernel has it, and we may. */
bool tracefs_mountable(void);
bool tracefs_has_event(const char *category, const char *event);

/* Frees what the probes cached. */
void probe_cleanup(void);

#endif /* MEMTRACE_PROBE_H */
