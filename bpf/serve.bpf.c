// SPDX-License-Identifier: GPL-2.0
/*
 * serve: pages added to and removed from the page cache, system-wide,
 * from the filemap tracepoints. Only the two totals: the per-file watch
 * is filecache's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memtrace/serve.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SERVE_PC_NR);
	__type(key, __u32);
	__type(value, __u64);
} pagecache SEC(".maps");

static __always_inline void count(__u32 slot, __u64 pages)
{
	__u64 *v = bpf_map_lookup_elem(&pagecache, &slot);

	if (v)
		*v += pages;
}

/*
 * A folio's base pages (folio_nr_pages()): one, unless PG_head says it
 * is large; then 2^order, the order in the low byte of _flags_1 (6.5+;
 * _folio_order before). The flags are the first word of the folio (and
 * of a struct page, the argument before 5.17) on every version.
 */
struct folio___x {
	unsigned long _flags_1;
} __attribute__((preserve_access_index));

struct folio___old {
	unsigned char _folio_order;
} __attribute__((preserve_access_index));

static __always_inline __u64 folio_pages(void *folio)
{
	unsigned long flags = 0;
	__u64 order = 0;
	int head;

	if (!bpf_core_enum_value_exists(enum pageflags, PG_head))
		return 1;
	head = bpf_core_enum_value(enum pageflags, PG_head);
	bpf_probe_read_kernel(&flags, sizeof(flags), folio);
	if (!(flags >> (head & 63) & 1))
		return 1;
	if (bpf_core_field_exists(((struct folio___x *)folio)->_flags_1))
		order = BPF_CORE_READ((struct folio___x *)folio, _flags_1) & 0xff;
	else if (bpf_core_field_exists(((struct folio___old *)folio)->_folio_order))
		order = BPF_CORE_READ((struct folio___old *)folio, _folio_order);
	return 1ULL << (order & 31);
}

SEC("tp_btf/mm_filemap_add_to_page_cache")
int add_btf(unsigned long long *ctx)
{
	__u64 folio = 0;

	bpf_probe_read_kernel(&folio, sizeof(folio), ctx);
	count(SERVE_PC_ADDED, folio_pages((void *)folio));
	return 0;
}

SEC("tp_btf/mm_filemap_delete_from_page_cache")
int delete_btf(unsigned long long *ctx)
{
	__u64 folio = 0;

	bpf_probe_read_kernel(&folio, sizeof(folio), ctx);
	count(SERVE_PC_REMOVED, folio_pages((void *)folio));
	return 0;
}

/* Classic tracepoints: the record's order (since about 6.1; before it,
 * large folios were not in the page cache of common filesystems). */
struct trace_event_raw_mm_filemap_op_page_cache___x {
	unsigned char order;
} __attribute__((preserve_access_index));

static __always_inline __u64 record_pages(void *ctx)
{
	struct trace_event_raw_mm_filemap_op_page_cache___x *r = ctx;

	if (!bpf_core_field_exists(r->order))
		return 1;
	return 1ULL << (BPF_CORE_READ(r, order) & 31);
}

SEC("tracepoint/filemap/mm_filemap_add_to_page_cache")
int add_tp(void *ctx)
{
	count(SERVE_PC_ADDED, record_pages(ctx));
	return 0;
}

SEC("tracepoint/filemap/mm_filemap_delete_from_page_cache")
int delete_tp(void *ctx)
{
	count(SERVE_PC_REMOVED, record_pages(ctx));
	return 0;
}
