// SPDX-License-Identifier: GPL-2.0
/*
 * filecache --watch: the folios entering and leaving the page cache
 * (filemap:mm_filemap_add_to_page_cache, mm_filemap_delete_from_page_cache),
 * counted in the kernel per file and per process that added them. A file's
 * name is taken once, when it is first seen, from its inode's dentry up
 * d_parent, and sent through the ring buffer; the counts stay in maps that
 * user space reads.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memtrace/filecache.h"
#include "lib/core_fixes.bpf.h"
#include "lib/fdfile.bpf.h"
#include "lib/maps.bpf.h"
#include "lib/task.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The filters, set by user space before load. */
const volatile __u32 targ_tgid = 0;		/* --pid */
const volatile bool filter_comm = false;	/* --comm */
const volatile char targ_comm[MT_COMM_LEN] = {};
const volatile bool filter_cgroup = false;	/* --cgroup: cgroups[0] */
const volatile bool filter_paths = false;	/* PATH...: roots */
const volatile __u64 wakeup_bytes = 0;		/* see RINGBUF_SUBMIT */

/*
 * The struct page of pfn 0, for the classic tracepoint, whose record has
 * a pfn and no pointer: with SPARSEMEM_VMEMMAP (x86-64) the struct pages
 * are one array. calibrate() finds it; 0 until then.
 */
__u64 vmemmap_base = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);		/* --max-files */
	__type(key, struct fcw_key);
	__type(value, struct fcw_file);
} files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);		/* 4 * --max-files */
	__type(key, struct fcw_task_key);
	__type(value, struct fcw_task);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);			/* the PATHs and mounts */
	__type(key, struct fcw_root);
	__type(value, __u8);
} roots SEC(".maps");

/* Files not under the PATHs, so that their next events need no walk. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fcw_key);
	__type(value, __u8);
} skipped SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);		/* --ringbuf-size */
} events SEC(".maps");

/* A name is built here: it is too large for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fcw_path_event);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FCW_S_NR);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

DEFINE_LOSS_MAP(FCW_LOST_NR)

/* include/uapi/linux/stat.h */
#define S_IFMT	00170000
#define S_IFBLK	0060000

static __always_inline void count(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);

	if (v)
		*v += n;
}

static __always_inline bool task_filtered(void)
{
	return targ_tgid || filter_comm || filter_cgroup;
}

/* The current task is one --pid, --comm and --cgroup let through. */
static __always_inline bool task_wanted(void)
{
	char comm[MT_COMM_LEN];

	if (targ_tgid && bpf_get_current_pid_tgid() >> 32 != targ_tgid)
		return false;
	if (filter_comm) {
		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_eq(comm, targ_comm))
			return false;
	}
	/* 1: in the cgroup or below it. */
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroups, 0) != 1)
		return false;
	return true;
}

static __always_inline bool is_root(__u32 dev, __u64 ino)
{
	struct fcw_root r = { .ino = ino, .dev = dev };

	return bpf_map_lookup_elem(&roots, &r);
}

/*
 * The name of inode, leaf first, into ev: its first dentry, then d_parent
 * up to the root of its filesystem (a dentry that is its own parent),
 * FCW_DEPTH components at most. Components past FCW_PATH_MAX bytes are
 * walked but not copied. Returns whether the file is one of the PATHs of
 * --watch or under one of them (true without PATHs).
 */
static __always_inline bool name_of(struct inode *inode,
				    struct fcw_path_event *ev)
{
	struct hlist_node *alias = BPF_CORE_READ(inode, i_dentry.first);
	bool under = !filter_paths || is_root(ev->key.dev, ev->key.ino);
	bool whole = true;
	struct dentry *d, *parent;
	__u32 off = 0;

	if (!alias) {
		ev->flags |= FCW_P_NO_DENTRY;
		return under;
	}
	d = (void *)alias - bpf_core_field_offset(struct dentry, d_u.d_alias);
	for (int i = 0; i < FCW_DEPTH; i++) {
		const unsigned char *name;
		long n;

		parent = BPF_CORE_READ(d, d_parent);
		if (!under && i)
			under = is_root(ev->key.dev, BPF_CORE_READ(d, d_inode, i_ino));
		if (!parent || parent == d) {
			if (whole)
				ev->flags |= FCW_P_ROOT;
			break;
		}
		if (whole && off <= FCW_PATH_MAX - FCW_NAME_MAX) {
			/* Masked where clang cannot drop it as implied by
			 * the test above: the verifier needs the bound. */
			__u32 at = off;

			barrier_var(at);
			at &= FCW_PATH_MAX - 1;
			name = BPF_CORE_READ(d, d_name.name);
			n = bpf_probe_read_kernel_str(&ev->names[at],
						      FCW_NAME_MAX, name);
			if (n > 0) {
				off += n;
				ev->depth++;
			} else {
				whole = false;
			}
		} else {
			whole = false;
		}
		d = parent;
	}
	ev->len = off;
	return under;
}

/*
 * A file not in the table yet: its row, and its name to user space.
 * Returns 0 (*out: its row), 1 when the file is not under the PATHs, -1
 * when the table is full.
 */
static __always_inline int new_file(const struct fcw_key *key,
				    struct inode *inode, struct fcw_file **out)
{
	struct fcw_file init = { .inode = (__u64)inode };
	struct fcw_path_event *ev;
	__u32 zero = 0, len;
	__u8 one = 1;
	long err;

	if (filter_paths && bpf_map_lookup_elem(&skipped, key))
		return 1;
	ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return 1;
	ev->key = *key;
	ev->flags = 0;
	ev->rdev = 0;
	ev->len = 0;
	ev->depth = 0;
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) == S_IFBLK) {
		ev->flags |= FCW_P_BLOCKDEV;
		ev->rdev = BPF_CORE_READ(inode, i_rdev);
	}
	if (!BPF_CORE_READ(inode, i_nlink))
		ev->flags |= FCW_P_DELETED;
	if (!name_of(inode, ev)) {
		bpf_map_update_elem(&skipped, key, &one, BPF_ANY);
		return 1;
	}
	err = bpf_map_update_elem(&files, key, &init, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return -1;
	/* -EEXIST: another CPU made the row and sent the name. */
	if (!err) {
		len = ev->len;
		if (len > FCW_PATH_MAX)
			len = FCW_PATH_MAX;
		if (bpf_ringbuf_output(&events, ev, FCW_PATH_EVENT_HDR + len,
				       ringbuf_wakeup(&events, wakeup_bytes)))
			count_loss(MT_LOST_RINGBUF);
	}
	*out = bpf_map_lookup_elem(&files, key);
	return *out ? 0 : -1;
}

/* What the file is now: its cached pages (after this removal of nr),
 * size and links. */
static __always_inline void update_file(struct fcw_file *f, struct inode *inode,
					struct address_space *mapping,
					__u64 removing)
{
	__u64 cached = BPF_CORE_READ(mapping, nrpages);

	/* The delete tracepoint fires before nrpages goes down; the add
	 * tracepoint after it went up. */
	f->cached = cached > removing ? cached - removing : 0;
	f->size = BPF_CORE_READ(inode, i_size);
	f->nlink = BPF_CORE_READ(inode, i_nlink);
	f->inode = (__u64)inode;
	f->flags &= ~FCW_F_GONE;
}

static __always_inline void count_task(const struct fcw_key *file, __u64 nr)
{
	struct fcw_task_key k = {};
	struct fcw_task init = { .pages = nr }, *t;
	long err;

	k.file = *file;
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	t = bpf_map_lookup_elem(&tasks, &k);
	if (!t) {
		bpf_get_current_comm(init.comm, sizeof(init.comm));
		err = bpf_map_update_elem(&tasks, &k, &init, BPF_NOEXIST);
		if (!err)
			return;
		t = err == -EEXIST ? bpf_map_lookup_elem(&tasks, &k) : NULL;
		if (!t) {
			count_loss(FCW_LOST_TASKS);
			count(FCW_S_TASK_OVF, nr);
			return;
		}
	}
	__sync_fetch_and_add(&t->pages, nr);
}

/* An event for a file the table has no room for: counted, in no row. */
static __always_inline void overflow(bool add, __u64 nr)
{
	count(add ? FCW_S_OVF_ADDED : FCW_S_OVF_REMOVED, nr);
	count(add ? FCW_S_ADDED : FCW_S_REMOVED, nr);
	count(FCW_S_OVF_EVENTS, 1);
	count_loss(MT_LOST_MAP_FULL);
}

/*
 * A folio (head: its first struct page) of 2^order pages added to or
 * removed from a file's cache. A file enters the table with an addition
 * by a process the filters let through, or, without process filters, with
 * any event; its removals are counted whoever removes (mostly kswapd, or
 * whoever truncates or evicts). Every event of a file in the table keeps
 * its cached pages current.
 */
static __always_inline int on_folio(struct page *head, unsigned int order,
				    bool add)
{
	struct address_space *mapping = BPF_CORE_READ(head, mapping);
	__u64 nr = 1ULL << (order & 31);
	struct fcw_file *f;
	struct inode *inode;
	struct fcw_key key;
	bool wanted;
	int err;

	count(add ? FCW_S_ALL_ADDED : FCW_S_ALL_REMOVED, nr);
	inode = BPF_CORE_READ(mapping, host);
	if (!mapping || !inode)
		return 0;
	key.ino = BPF_CORE_READ(inode, i_ino);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.gen = BPF_CORE_READ(inode, i_generation);
	wanted = !add || task_wanted();
	f = bpf_map_lookup_elem(&files, &key);
	if (!f) {
		if (!wanted || (!add && task_filtered()))
			return 0;
		err = new_file(&key, inode, &f);
		if (err > 0)
			return 0;
		if (err < 0 || !f) {
			overflow(add, nr);
			return 0;
		}
	}
	update_file(f, inode, mapping, add ? 0 : nr);
	if (!wanted)
		return 0;
	if (add) {
		__sync_fetch_and_add(&f->added, nr);
		count(FCW_S_ADDED, nr);
		count_task(&key, nr);
	} else {
		__sync_fetch_and_add(&f->removed, nr);
		count(FCW_S_REMOVED, nr);
	}
	return 0;
}

/* tp_btf: the folio (before folios, the page) itself. */

SEC("tp_btf/mm_filemap_add_to_page_cache")
int BPF_PROG(add_btf, struct page *head)
{
	return on_folio(head, folio_order_of(head), true);
}

SEC("tp_btf/mm_filemap_delete_from_page_cache")
int BPF_PROG(delete_btf, struct page *head)
{
	return on_folio(head, folio_order_of(head), false);
}

/*
 * Classic tracepoints: the record's pfn, through the vmemmap, to the head
 * page; it must be the record's inode's, or the event is counted as not
 * found (a wrong calibration never gives wrong rows). The order is the
 * record's where it has one.
 */
static __always_inline int on_record(struct trace_event_raw_mm_filemap_op_page_cache___x *ctx,
				     bool add)
{
	unsigned long pfn = ctx->pfn;
	struct page *head = NULL;
	unsigned int order = 0;

	/* A helper's read, never a load the compiler could hoist out of
	 * the check: the field is missing on older kernels. */
	if (HAVE_FILEMAP_ORDER)
		order = BPF_CORE_READ(ctx, order);
	if (vmemmap_base)
		head = (void *)(vmemmap_base + pfn * bpf_core_type_size(struct page));
	if (!head || BPF_CORE_READ(head, mapping, host, i_ino) != ctx->i_ino) {
		count(add ? FCW_S_ALL_ADDED : FCW_S_ALL_REMOVED, 1ULL << (order & 31));
		count(FCW_S_UNRESOLVED, 1ULL << (order & 31));
		count_loss(FCW_LOST_UNRESOLVED);
		return 0;
	}
	if (!HAVE_FILEMAP_ORDER)
		order = folio_order_of(head);
	return on_folio(head, order, add);
}

SEC("tracepoint/filemap/mm_filemap_add_to_page_cache")
int add_tp(struct trace_event_raw_mm_filemap_op_page_cache___x *ctx)
{
	return on_record(ctx, true);
}

SEC("tracepoint/filemap/mm_filemap_delete_from_page_cache")
int delete_tp(struct trace_event_raw_mm_filemap_op_page_cache___x *ctx)
{
	return on_record(ctx, false);
}

/*
 * Run with BPF_PROG_TEST_RUN, args = { fd, pfn }: fd a file of memtrace's
 * with one page, at index 0, whose pfn user space read from
 * /proc/self/pagemap. That page is the xarray's head itself (a node or a
 * value entry has one of the low bits set); its address less pfn struct
 * pages is the vmemmap.
 */
SEC("raw_tp")
int calibrate(unsigned long long *args)
{
	struct file___fc *file = fd_file(args[0]);
	struct address_space___fc *mapping;
	void *entry;

	if (!file)
		return -1;
	mapping = BPF_CORE_READ(file, f_mapping);
	entry = BPF_CORE_READ(mapping, i_pages.xa_head);
	if (!entry || ((unsigned long)entry & 3))
		return -2;
	if ((void *)BPF_CORE_READ((struct page *)entry, mapping) != mapping)
		return -3;
	vmemmap_base = (unsigned long)entry - args[1] * bpf_core_type_size(struct page);
	return 0;
}

/*
 * Run with BPF_PROG_TEST_RUN before each report: every file's cached
 * pages, size and links as they are now, read from its inode. An inode
 * that is no longer the file's (freed, its memory reused) has nothing
 * cached: it was evicted after its last page.
 */
static long refresh_one(struct bpf_map *map, struct fcw_key *key,
			struct fcw_file *f, void *ctx)
{
	struct inode *inode = (void *)f->inode;

	if (!inode || (f->flags & FCW_F_GONE))
		return 0;
	if (BPF_CORE_READ(inode, i_ino) != key->ino ||
	    BPF_CORE_READ(inode, i_generation) != key->gen ||
	    BPF_CORE_READ(inode, i_sb, s_dev) != key->dev) {
		f->flags |= FCW_F_GONE;
		f->cached = 0;
		return 0;
	}
	f->cached = BPF_CORE_READ(inode, i_mapping, nrpages);
	f->size = BPF_CORE_READ(inode, i_size);
	f->nlink = BPF_CORE_READ(inode, i_nlink);
	return 0;
}

SEC("raw_tp")
int refresh(void *ctx)
{
	bpf_for_each_map_elem(&files, refresh_one, NULL, 0);
	return 0;
}
