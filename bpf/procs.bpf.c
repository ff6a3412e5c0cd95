// SPDX-License-Identifier: GPL-2.0
/* procs: process exec and exit events, with lifetime and memory use. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memtrace/procs.h"
#include "lib/core_fixes.bpf.h"
#include "lib/maps.bpf.h"
#include "lib/task.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load. */
const volatile __u32 targ_tgid = 0;		/* -p: 0 = every process */
const volatile bool filter_comm = false;	/* -c */
const volatile char targ_comm[MT_COMM_LEN] = {};
const volatile __u64 min_lifetime_ns = 0;	/* -d */
const volatile bool want_exec = true;
const volatile bool want_exit = true;
const volatile __u64 wakeup_bytes = 0;		/* see RINGBUF_SUBMIT */

DEFINE_EVENTS_RINGBUF(1 << 20);

/* With -p: the traced process and its descendants, by tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROCS_MAX_TRACED);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/*
 * Before 6.16 the exit tracepoint does not say which thread ends the
 * process; see last_thread(). A process is identified by tgid and start time
 * so that a reused pid is a new key; LRU evicts old entries.
 */
struct exit_key {
	__u32 tgid;
	__u32 pad;
	__u64 start_time;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct exit_key);
	__type(value, __u8);
} exit_reported SEC(".maps");

DEFINE_LOSS_MAP(MT_LOST_NR)

static __always_inline bool comm_matches(const char *comm)
{
	return !filter_comm || comm_eq(comm, targ_comm);
}

static __always_inline bool tgid_traced(__u32 tgid)
{
	return !targ_tgid || bpf_map_lookup_elem(&traced, &tgid);
}

static __always_inline int handle_fork(__u32 parent_tgid, __u32 child_pid)
{
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&traced, &parent_tgid))
		return 0;
	if (bpf_map_update_elem(&traced, &child_pid, &one, BPF_ANY))
		count_loss(MT_LOST_MAP_FULL);
	return 0;
}

static __always_inline int handle_exec(struct task_struct *task,
				       const char *filename, __u32 old_pid)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	/*
	 * A thread other than the leader exec'd: de_thread() gave it the
	 * leader's pid and released the old tid without an exit event.
	 */
	if (targ_tgid && old_pid != tgid)
		bpf_map_delete_elem(&traced, &old_pid);
	struct procs_exec_event *e;
	unsigned long arg_start, arg_end, len;
	struct mm_struct *mm;
	char comm[MT_COMM_LEN];

	if (!want_exec || !tgid_traced(tgid))
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	if (!comm_matches(comm))
		return 0;

	e = RINGBUF_RESERVE(events, sizeof(*e));
	if (!e)
		return 0;
	e->type = PROCS_EXEC;
	e->pid = tgid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ts_ns = bpf_ktime_get_ns();
	__builtin_memcpy(e->comm, comm, sizeof(comm));
	e->filename_truncated = 0;
	if (bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
				      filename) == sizeof(e->filename)) {
		char next = 0;

		bpf_probe_read_kernel(&next, 1, filename + sizeof(e->filename) - 1);
		e->filename_truncated = next != 0;
	}

	/* The new image's argv strings sit between arg_start and arg_end. */
	mm = BPF_CORE_READ(task, mm);
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	len = arg_end - arg_start;
	e->args_truncated = len > PROCS_ARGS_LEN;
	if (len > PROCS_ARGS_LEN)
		len = PROCS_ARGS_LEN;
	if (bpf_probe_read_user(e->args, len, (void *)arg_start))
		len = 0;
	e->args_len = len;
	RINGBUF_SUBMIT(events, e, wakeup_bytes);
	return 0;
}

/*
 * Decide whether this exiting thread is the last of its process. From 6.16
 * the tracepoint says so (group_dead). Before, signal->live has already been
 * decremented when it fires, so live == 0 means "last or racing with the
 * last"; two threads leaving together can both see 0, so the first to get
 * here reports and the second is suppressed by exit_reported.
 */
static __always_inline bool last_thread(struct task_struct *task,
					struct signal_struct *sig,
					int group_dead)
{
	struct exit_key key = {};
	__u8 one = 1;

	if (group_dead >= 0)
		return group_dead;
	if (BPF_CORE_READ(sig, live.counter) != 0)
		return false;
	key.tgid = BPF_CORE_READ(task, tgid);
	key.start_time = BPF_CORE_READ(task, group_leader, start_time);
	/* Any failure but "already there" reports: better twice than never. */
	return bpf_map_update_elem(&exit_reported, &key, &one, BPF_NOEXIST) !=
	       -EEXIST;
}

/*
 * Faults of the whole process, as wait4() would count them for this process
 * alone: threads already reaped were folded into signal->min_flt by
 * __exit_signal(); those still on the thread list (this one, a zombie leader,
 * threads racing through exit) hold their own counts.
 */
static __always_inline void sum_faults(struct signal_struct *sig,
				       struct procs_exit_event *e)
{
	struct list_head *head = &sig->thread_head;
	struct list_head *pos = BPF_CORE_READ(sig, thread_head.next);
	__u64 off = bpf_core_field_offset(struct task_struct, thread_node);
	__u64 min_flt = BPF_CORE_READ(sig, min_flt);
	__u64 maj_flt = BPF_CORE_READ(sig, maj_flt);

	for (int i = 0; i < PROCS_MAX_THREADS; i++) {
		struct task_struct *t;

		if (pos == head)
			break;
		t = (void *)pos - off;
		min_flt += BPF_CORE_READ(t, min_flt);
		maj_flt += BPF_CORE_READ(t, maj_flt);
		pos = BPF_CORE_READ(pos, next);
	}
	e->threads_truncated = pos != head;
	e->min_flt = min_flt;
	e->maj_flt = maj_flt;
}

static __always_inline void report_exit(struct task_struct *task,
					struct signal_struct *sig, __u32 pid,
					__u32 tgid)
{
	struct task_struct *leader;
	struct procs_exit_event *e;
	char comm[MT_COMM_LEN];
	__u64 lifetime, maxrss, cmaxrss;

	leader = BPF_CORE_READ(task, group_leader);
	lifetime = bpf_ktime_get_ns() - BPF_CORE_READ(leader, start_time);
	if (lifetime < min_lifetime_ns)
		return;
	BPF_CORE_READ_STR_INTO(&comm, leader, comm);
	if (!comm_matches(comm))
		return;

	e = RINGBUF_RESERVE(events, sizeof(*e));
	if (!e)
		return;
	e->type = PROCS_EXIT;
	e->pid = tgid;
	e->tid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->ts_ns = bpf_ktime_get_ns();
	e->lifetime_ns = lifetime;
	__builtin_memcpy(e->comm, comm, sizeof(comm));

	/*
	 * wait4() reports the zombie's group_exit_code after a group exit
	 * (exit_group, fatal signal), else the leader's own exit_code.
	 */
	if (BPF_CORE_READ(sig, flags) & SIGNAL_GROUP_EXIT)
		e->status = BPF_CORE_READ(sig, group_exit_code);
	else
		e->status = BPF_CORE_READ(leader, exit_code);

	/*
	 * The last thread folds the mm's high-water RSS into signal->maxrss
	 * before the tracepoint on every kernel (before 6.16 the mm is already
	 * gone here). wait4() reports max(maxrss, cmaxrss): the largest of the
	 * process and of the children it reaped, as time(1) shows it.
	 */
	maxrss = BPF_CORE_READ(sig, maxrss);
	cmaxrss = BPF_CORE_READ(sig, cmaxrss);
	e->peak_rss_pages = maxrss > cmaxrss ? maxrss : cmaxrss;
	e->self_peak_rss_pages = maxrss;
	sum_faults(sig, e);
	RINGBUF_SUBMIT(events, e, wakeup_bytes);
}

static __always_inline int handle_exit(struct task_struct *task, int group_dead)
{
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	__u32 pid = BPF_CORE_READ(task, pid);
	__u32 tgid = BPF_CORE_READ(task, tgid);

	if (!last_thread(task, sig, group_dead)) {
		/* A thread the classic fork hook may have added with -p. */
		if (targ_tgid && pid != tgid)
			bpf_map_delete_elem(&traced, &pid);
		return 0;
	}
	if (!targ_tgid) {
		if (want_exit)
			report_exit(task, sig, pid, tgid);
		return 0;
	}
	if (!bpf_map_lookup_elem(&traced, &tgid))
		return 0;
	if (want_exit)
		report_exit(task, sig, pid, tgid);
	/*
	 * Only now that the event is in the ring buffer: user space stops
	 * when this map is empty. The last thread need not be the leader.
	 */
	bpf_map_delete_elem(&traced, &tgid);
	if (pid != tgid)
		bpf_map_delete_elem(&traced, &pid);
	return 0;
}

/* tp_btf: typed arguments, no tracefs. */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return handle_exec(p, BPF_CORE_READ(bprm, filename), old_pid);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_btf, struct task_struct *p)
{
	int group_dead = -1;

	/* 6.16+: TP_PROTO(struct task_struct *p, bool group_dead) */
	if (HAVE_EXIT_GROUP_DEAD)
		group_dead = (bool)ctx[1];
	return handle_exit(p, group_dead);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_btf, struct task_struct *parent, struct task_struct *child)
{
	/* A new thread joins an already traced group: nothing to add. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	return handle_fork(BPF_CORE_READ(parent, tgid),
			   BPF_CORE_READ(child, tgid));
}

/* Classic tracepoints: need tracefs for the event id. */

SEC("tracepoint/sched/sched_process_exec")
int exec_tp(struct trace_event_raw_sched_process_exec___x *ctx)
{
	unsigned int off = ctx->__data_loc_filename & 0xFFFF;

	return handle_exec((struct task_struct *)bpf_get_current_task(),
			   (const char *)ctx + off, ctx->old_pid);
}

SEC("tracepoint/sched/sched_process_exit")
int exit_tp(struct trace_event_raw_sched_process_exit___x *ctx)
{
	int group_dead = -1;

	if (HAVE_EXIT_GROUP_DEAD)
		group_dead = ctx->group_dead;
	return handle_exit((struct task_struct *)bpf_get_current_task(),
			   group_dead);
}

SEC("tracepoint/sched/sched_process_fork")
int fork_tp(struct trace_event_raw_sched_process_fork___x *ctx)
{
	/*
	 * The record gives only the child's pid, which for a new thread is a
	 * tid; it is added too and removed again when that thread exits.
	 */
	return handle_fork(bpf_get_current_pid_tgid() >> 32, ctx->child_pid);
}
