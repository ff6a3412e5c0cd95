/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version shims. Tracepoint records and kernel structs change between
 * releases; each change is handled here with a "___x" flavour that names only
 * the fields we use, so that libbpf matches it against the running kernel's
 * BTF by name, and with bpf_core_field_exists() where a field comes and goes.
 * Never use the raw vmlinux.h layout of these structs.
 */
#ifndef MEMTRACE_SHIMS_BPF_H
#define MEMTRACE_SHIMS_BPF_H

#include <bpf/bpf_core_read.h>

/* sched_process_exec record: unchanged since 3.4. */
struct trace_event_raw_sched_process_exec___x {
	__u32 __data_loc_filename;
	pid_t old_pid;
} __attribute__((preserve_access_index));

/*
 * sched_process_exit: until 6.15 it was an instance of the shared
 * sched_process_template class (comm, pid, prio), fired after exit_mm().
 * 6.16 ("exit: move and extend sched_process_exit() tracepoint") gave it its
 * own class with "bool group_dead" and moved it before exit_mm(). The struct
 * name below only exists from 6.16.
 */
struct trace_event_raw_sched_process_exit___x {
	bool group_dead;
} __attribute__((preserve_access_index));

#define HAVE_EXIT_GROUP_DEAD \
	bpf_core_field_exists(struct trace_event_raw_sched_process_exit___x, group_dead)

/* sched_process_fork record: child_pid is the new task's pid (a tid). */
struct trace_event_raw_sched_process_fork___x {
	pid_t child_pid;
} __attribute__((preserve_access_index));

/*
 * kmem:kmalloc and kmem:kmalloc_node records (include/trace/events/kmem.h).
 * Up to 6.0 kmalloc and kmalloc_node were instances of the kmem_alloc and
 * kmem_alloc_node classes; 6.1 ("mm/slab_common: unify NUMA and UMA version
 * of tracepoints") gave kmalloc a class of its own with a node field and
 * removed kmalloc_node. gfp_flags was gfp_t (4 bytes) until 5.18 and is
 * unsigned long from 5.19: it is declared unsigned long here and read with
 * a direct load, whose size libbpf adjusts to the running kernel's field.
 */
#define KMEM_ALLOC_FIELDS		\
	unsigned long call_site;	\
	const void *ptr;		\
	size_t bytes_req;		\
	size_t bytes_alloc;		\
	unsigned long gfp_flags;

struct trace_event_raw_kmalloc___x {
	KMEM_ALLOC_FIELDS
	int node;
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_alloc___x {
	KMEM_ALLOC_FIELDS
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_alloc_node___x {
	KMEM_ALLOC_FIELDS
	int node;
} __attribute__((preserve_access_index));

/* 6.1+: struct trace_event_raw_kmalloc exists; before, kmem_alloc. */
#define HAVE_KMALLOC_CLASS \
	bpf_core_type_exists(struct trace_event_raw_kmalloc___x)

/*
 * The other kmem records leak reads. kmem_cache_alloc got a class of its
 * own in 6.1 (before, kmem_alloc, as kmalloc), and a __data_loc name in
 * 6.18. 5.12 ("record slab name for kmem_cache_free()") split the
 * kmem_free class of kfree and kmem_cache_free into kfree and
 * kmem_cache_free (with the name). percpu_alloc_percpu gained
 * bytes_alloc in 5.19.
 */
struct trace_event_raw_kmem_cache_alloc___x {
	unsigned long call_site;
	const void *ptr;
	__u32 __data_loc_name;
	size_t bytes_req;
	size_t bytes_alloc;
	unsigned long gfp_flags;
} __attribute__((preserve_access_index));

#define HAVE_KMEM_CACHE_ALLOC_CLASS \
	bpf_core_type_exists(struct trace_event_raw_kmem_cache_alloc___x)
#define HAVE_KMEM_CACHE_ALLOC_NAME \
	bpf_core_field_exists(struct trace_event_raw_kmem_cache_alloc___x, \
			      __data_loc_name)

struct trace_event_raw_kfree___x {
	unsigned long call_site;
	const void *ptr;
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_cache_free___x {
	unsigned long call_site;
	const void *ptr;
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_free___x {
	unsigned long call_site;
	const void *ptr;
} __attribute__((preserve_access_index));

/* 5.12+: kfree and kmem_cache_free have classes of their own. */
#define HAVE_KFREE_CLASS \
	bpf_core_type_exists(struct trace_event_raw_kfree___x)

struct trace_event_raw_mm_page_alloc___x {
	unsigned long pfn;
	unsigned int order;
} __attribute__((preserve_access_index));

struct trace_event_raw_mm_page_free___x {
	unsigned long pfn;
	unsigned int order;
} __attribute__((preserve_access_index));

struct trace_event_raw_mm_page_free_batched___x {
	unsigned long pfn;
} __attribute__((preserve_access_index));

struct trace_event_raw_percpu_alloc_percpu___x {
	void *ptr;
	size_t size;
	size_t bytes_alloc;
} __attribute__((preserve_access_index));

struct trace_event_raw_percpu_free_percpu___x {
	void *ptr;
} __attribute__((preserve_access_index));

/*
 * tp_btf arguments, copied with bpf_probe_read_kernel() rather than read
 * from ctx: until about 6.2 the verifier lets a tp_btf program read a
 * pointer argument only when it points to a struct, and refuses kmem's
 * "const void *ptr" ("arg1 type UNKNOWN is not a struct"; seen on 6.1).
 */
#define TP_BTF_ARGS(n)							\
	__u64 a[n] = {};						\
	bpf_probe_read_kernel(a, sizeof(a), ctx)

/*
 * filemap:mm_filemap_add_to_page_cache and mm_filemap_delete_from_page_cache
 * (class mm_filemap_op_page_cache). The record has held pfn, i_ino, index
 * and s_dev since pfn replaced the struct page pointer (4.x); the folio
 * conversion added "unsigned char order" (absent on 5.10, present on 6.1;
 * first release unconfirmed). tp_btf passes a struct page * up to the
 * folio conversion and a struct folio * after: both start with the
 * struct page of the head, whose flags and mapping are read as such.
 */
struct trace_event_raw_mm_filemap_op_page_cache___x {
	unsigned long pfn;
	unsigned long i_ino;
	unsigned long index;
	unsigned int s_dev;
	unsigned char order;
} __attribute__((preserve_access_index));

#define HAVE_FILEMAP_ORDER \
	bpf_core_field_exists(struct trace_event_raw_mm_filemap_op_page_cache___x, order)

/*
 * A large folio's order, where each kernel keeps it (PG_head set in the
 * head's flags): 6.6+ in the low byte of _flags_1 (the first tail page's
 * flags); 6.1 to 6.5 in folio->_folio_order; before folios, in the first
 * tail page's compound_order.
 */
struct folio___x {
	unsigned char _folio_order;
	unsigned long _flags_1;
} __attribute__((preserve_access_index));

struct page___x {
	unsigned char compound_order;
} __attribute__((preserve_access_index));

static __always_inline unsigned int folio_order_of(void *head)
{
	unsigned long flags = 0;
	unsigned char order = 0;
	void *tail = head + bpf_core_type_size(struct page);

	/* flags is the first member of struct page on every version (6.18
	 * wraps it in memdesc_flags_t, which CO-RE cannot read as a long). */
	bpf_probe_read_kernel(&flags, sizeof(flags), head);
	if (!(flags & (1UL << bpf_core_enum_value(enum pageflags, PG_head))))
		return 0;
	if (bpf_core_field_exists(struct folio___x, _folio_order)) {
		order = BPF_CORE_READ((struct folio___x *)head, _folio_order);
	} else if (bpf_core_field_exists(struct folio___x, _flags_1)) {
		order = BPF_CORE_READ((struct folio___x *)head, _flags_1) & 0xff;
	} else if (bpf_core_field_exists(struct page___x, compound_order)) {
		order = BPF_CORE_READ((struct page___x *)tail, compound_order);
	}
	return order;
}

/*
 * include/linux/sched/signal.h: set in signal->flags by do_group_exit() and
 * by fatal signals; the value has been 0x4 since 2.6.
 */
#define SIGNAL_GROUP_EXIT 0x00000004

#endif /* MEMTRACE_SHIMS_BPF_H */
