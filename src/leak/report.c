// SPDX-License-Identifier: GPL-2.0
/* leak: the report of outstanding allocations by stack, text, JSON or folded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "memtrace/leak.h"
#include "leak.skel.h"
#include "leak/run.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/losses.h"
#include "util/ksyms.h"
#include "usyms/usyms.h"

#define BATCH 4096

/* One outstanding allocation or mapping. */
struct item {
	uint64_t addr, size, ts_ns;
	uint64_t count;			/* allocations: 1; a mapping's later
					 * pieces 0; with -C, the stack's */
	uint64_t cache;			/* kernel mode: leak_alloc's */
	int32_t stackid;
	uint16_t kind, flags;
};

/* The allocations of one stack. */
struct group {
	int32_t stackid;
	uint64_t caller;		/* C++ new's caller: frame 0 */
	uint64_t bytes, count;
	size_t first, n;		/* its items (none with -C) */
};

struct snapshot {
	struct item *items;
	size_t nr_items, cap;
	struct group *groups;
	size_t nr_groups;
	uint64_t bytes, count;
	bool oom;
};

static const char *const kind_names[LEAK_KIND_NR] = {
	[LEAK_MALLOC] = "malloc",
	[LEAK_CALLOC] = "calloc",
	[LEAK_REALLOC] = "realloc",
	[LEAK_REALLOCARRAY] = "reallocarray",
	[LEAK_POSIX_MEMALIGN] = "posix_memalign",
	[LEAK_ALIGNED_ALLOC] = "aligned_alloc",
	[LEAK_MEMALIGN] = "memalign",
	[LEAK_VALLOC] = "valloc",
	[LEAK_PVALLOC] = "pvalloc",
	[LEAK_NEW] = "new",
	[LEAK_MMAP] = "mmap",
	[LEAK_MREMAP] = "mremap",
	[LEAK_MUNMAP] = "munmap",
	[LEAK_FREE] = "free",
	[LEAK_KMALLOC] = "kmalloc",
	[LEAK_KMEM_CACHE] = "kmem_cache_alloc",
	[LEAK_PAGES] = "page_alloc",
	[LEAK_PERCPU] = "percpu_alloc",
};

static struct item *add_item(struct snapshot *s, uint64_t addr,
			     uint64_t size, uint64_t ts_ns, uint64_t count,
			     int32_t stackid)
{
	if (s->nr_items == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct item *v = realloc(s->items, cap * sizeof(*v));

		if (!v) {
			s->oom = true;
			return NULL;
		}
		s->items = v;
		s->cap = cap;
	}
	s->items[s->nr_items] = (struct item){
		.addr = addr, .size = size, .ts_ns = ts_ns, .count = count,
		.stackid = stackid,
	};
	return &s->items[s->nr_items++];
}

static bool old_enough(const struct leak_run *r, bool all, uint64_t now,
		       uint64_t ts)
{
	return all || !r->o->older_ns || (now > ts && now - ts >= r->o->older_ns);
}

/* The image of the process now: what earlier ones allocated went with
 * their address space at exec (leak_forget_images() deletes it). */
static uint16_t current_gen(const struct leak_run *r)
{
	return r->skel->bss->exec_gen;
}

/* Every outstanding allocation, in batches of BATCH map entries. */
static int read_allocs(struct leak_run *r, struct snapshot *s, bool all,
		       uint64_t now)
{
	int fd = bpf_map__fd(r->skel->maps.allocs);
	static uint64_t keys[BATCH];
	static struct leak_alloc vals[BATCH];
	uint64_t out_batch = 0;
	bool first = true;

	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, bo);
		__u32 n = BATCH;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &out_batch,
					       &out_batch, keys, vals, &n, &bo);

		if (err && errno != ENOENT)
			return -errno;
		for (__u32 i = 0; i < n; i++) {
			const struct leak_alloc *a = &vals[i];
			struct item *it;

			if (!old_enough(r, all, now, a->ts_ns) ||
			    a->gen != current_gen(r))
				continue;
			it = add_item(s, keys[i], a->size, a->ts_ns, 1, a->stackid);
			if (it) {
				it->cache = a->cache;
				it->kind = a->kind;
				it->flags = a->flags;
			}
		}
		if (err)	/* ENOENT: that was the last batch */
			return 0;
		first = false;
	}
}

static int read_combined(struct leak_run *r, struct snapshot *s)
{
	int fd = bpf_map__fd(r->skel->maps.combined_totals);
	uint64_t key, next, *prev = NULL;
	struct leak_combined c;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if ((uint16_t)(key >> 32) != current_gen(r) ||
		    bpf_map_lookup_elem(fd, &key, &c) || !c.count)
			continue;
		add_item(s, 0, c.bytes, 0, c.count, (int32_t)key);
	}
	return 0;
}

/* Whether an entry of image g belongs to an image before gen (gen wraps
 * at 16 bits). */
static bool older_image(uint16_t g, uint16_t gen)
{
	return (int16_t)(g - gen) < 0;
}

/* Deletes the allocations, or -C totals, of the images before gen:
 * nothing can free them now. The keys are collected first: a hash map's
 * walk restarts when the key it stands on is deleted. */
static void forget_older(int fd, uint16_t gen, bool combined)
{
	uint64_t key, next, *prev = NULL, *stale = NULL, *v;
	size_t n = 0, cap = 0;
	struct leak_alloc a;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (combined ? !older_image(key >> 32, gen) :
			       bpf_map_lookup_elem(fd, &key, &a) ||
				       !older_image(a.gen, gen))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(stale, cap * sizeof(*stale));
			if (!v)
				break;
			stale = v;
		}
		stale[n++] = key;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	free(stale);
}

void leak_forget_images(struct leak_run *r, uint16_t gen)
{
	forget_older(bpf_map__fd(r->skel->maps.allocs), gen, false);
	forget_older(bpf_map__fd(r->skel->maps.combined_totals), gen, true);
}

/* User mode: the stack of new's block is completed by its caller. */
static uint64_t item_caller(const struct leak_run *r, const struct item *it)
{
	return r->o->kernel ? 0 : it->cache;
}

static const struct leak_run *sort_run;

static int cmp_stackid(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	uint64_t cx = item_caller(sort_run, x), cy = item_caller(sort_run, y);

	if (x->stackid != y->stackid)
		return x->stackid < y->stackid ? -1 : 1;
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return x->size < y->size ? 1 : x->size > y->size ? -1 :
	       x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_bytes(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->stackid < y->stackid ? -1 : x->stackid > y->stackid;
}

static int take_snapshot(struct leak_run *r, struct snapshot *s, bool all)
{
	uint64_t now = mono_ns();
	int err;

	memset(s, 0, sizeof(*s));
	err = r->o->combined ? read_combined(r, s) : read_allocs(r, s, all, now);
	if (err)
		return err;
	/* Regions are sorted by address: the pieces a munmap left of one
	 * mapping are next to each other, and count as one allocation. */
	for (size_t i = 0; i < r->regions.n; i++) {
		const struct region *g = &r->regions.v[i];

		if (r->o->combined || old_enough(r, all, now, g->ts_ns))
			add_item(s, g->start, g->end - g->start, g->ts_ns,
				 !i || g[-1].id != g->id, g->stackid);
	}
	if (s->oom)
		return -ENOMEM;
	sort_run = r;
	qsort(s->items, s->nr_items, sizeof(*s->items), cmp_stackid);
	s->groups = calloc(s->nr_items ? s->nr_items : 1, sizeof(*s->groups));
	if (!s->groups)
		return -ENOMEM;
	for (size_t i = 0; i < s->nr_items; i++) {
		const struct item *it = &s->items[i];
		struct group *g = s->nr_groups ? &s->groups[s->nr_groups - 1] : NULL;
		if (!g || g->stackid != it->stackid ||
		    g->caller != item_caller(r, it)) {
			g = &s->groups[s->nr_groups++];
			*g = (struct group){ .stackid = it->stackid,
					     .caller = item_caller(r, it),
					     .first = i };
		}
		g->bytes += it->size;
		g->count += it->count;
		g->n++;
		s->bytes += it->size;
		s->count += it->count;
	}
	qsort(s->groups, s->nr_groups, sizeof(*s->groups), cmp_bytes);
	return 0;
}

static void free_snapshot(struct snapshot *s)
{
	free(s->items);
	free(s->groups);
}

/*
 * A kernel stack taken in a tracepoint starts in the tracing machinery:
 * the BPF program, bpf_trace_run*, perf_trace_* and the like, which
 * differ between hook methods and kernel versions. The report starts at
 * the allocator.
 */
static bool tracing_frame(struct leak_run *r, uint64_t addr)
{
	static const char *const prefixes[] = {
		"bpf_trace_run", "__bpf_trace_", "bpf_prog_", "perf_trace",
		"perf_tp_event", "trace_call_bpf",
		"__traceiter_", "trace_event_raw_event_", "__tracepoint",
	};
	uint64_t off;
	const char *mod, *f = r->ksyms ? ksyms_find(r->ksyms, addr, &off, &mod) :
					 NULL;

	if (!f)
		return addr >= 0xffffffffc0000000ULL;	/* JIT'ed BPF, modules' area */
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(f, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* Why a group has no frames: its allocations are counted, their stack
 * was not kept. */
static const char *stack_lost(const struct group *g)
{
	if (g->stackid == LEAK_STACK_TAKEN)
		return "lost (bucket taken)";
	if (g->stackid < 0)
		return "lost (not readable)";
	return "lost (gone from the stack map)";
}

/*
 * A frame-pointer walk through code without frame pointers reads data as
 * return addresses: it stops at the first that cannot be one. x86-64
 * user addresses lie below 2^56 (2^47 with 4-level page tables; the
 * first page is never mapped), kernel ones from 0xff00... up (5-level).
 */
static bool frame_plausible(const struct leak_run *r, uint64_t addr)
{
	if (r->o->kernel)
		return addr >= 0xff00000000000000ULL;
	return addr >= 4096 && addr < (1ULL << 56);
}

/* The stack's frames into r->frames: how many (0 if the id is gone). */
static int read_stack(struct leak_run *r, const struct group *g)
{
	int32_t stackid = g->stackid;
	int n = 0, skip = 0;

	if (stackid < 0 ||
	    bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.stacks), &stackid,
				r->frames))
		return 0;
	while ((uint64_t)n < r->o->stack_depth && frame_plausible(r, r->frames[n]))
		n++;
	/* Frame 0 is in operator new, which keeps no frame pointer: its
	 * caller comes next, from the return address new had at entry. */
	if (g->caller && n)
		r->frames[0] = g->caller;
	if (!r->o->kernel)
		return n;
	while (skip < n - 1 && tracing_frame(r, r->frames[skip]))
		skip++;
	memmove(r->frames, r->frames + skip, (n - skip) * sizeof(*r->frames));
	return n - skip;
}

/*
 * Every frame is a return address: the line wanted is the call's, the
 * instruction before it, so look up addr - 1 (same function) and give the
 * offset of addr itself.
 */
static void resolve_frame(struct leak_run *r, uint64_t addr, struct usym *sym)
{
	memset(sym, 0, sizeof(*sym));
	if (r->o->kernel) {
		/* Kernel stacks: return addresses too, but no lines. */
		if (r->ksyms && addr)
			sym->func = ksyms_find(r->ksyms, addr, &sym->offset,
					       &sym->module);
		if (!sym->func)
			sym->module = NULL;
		return;
	}
	if (r->usyms && addr && !usyms_resolve(r->usyms, addr - 1, sym) &&
	    sym->func)
		sym->offset++;
}

/* A frame for a terminal: its names come from the traced process's files
 * (or a module's symbols), and a newline or ESC in one must neither split
 * the report's lines nor reach the terminal. */
static void format_frame(struct leak_run *r, uint64_t addr, char *buf,
			 size_t len)
{
	char raw[1024];
	struct usym sym;

	if (r->o->kernel) {
		if (r->ksyms)
			ksyms_format(r->ksyms, addr, raw, sizeof(raw));
		else
			snprintf(raw, sizeof(raw), "0x%llx", (unsigned long long)addr);
	} else {
		resolve_frame(r, addr, &sym);
		usym_format(&sym, addr, raw, sizeof(raw));
	}
	text_escape(buf, len, raw, sizeof(raw));
}

/* --by-cache: outstanding objects and bytes per slab cache. */
struct cache_row {
	uint64_t key;
	uint64_t objects, bytes;
	uint64_t size;			/* of the first item: names unnamed ones */
	uint16_t kind, flags;
	uint64_t cache;
};

/* Groups: a cache's key (a pointer or a name's hash: bit 63 set), else
 * kmalloc by class and size, pages, per-CPU, unnamed caches by size. */
static uint64_t cache_group(const struct item *it)
{
	switch (it->kind) {
	case LEAK_KMEM_CACHE:
		return it->cache ? it->cache : (1ULL << 60) | it->size;
	case LEAK_KMALLOC:
		return (2ULL << 60) | ((uint64_t)it->flags << 40) |
		       (it->size > 8192 ? 0 : it->size);
	case LEAK_PAGES:
		return 3ULL << 60;
	default:
		return 4ULL << 60;
	}
}

static int cmp_row_key(const void *a, const void *b)
{
	const struct cache_row *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static int cmp_row_bytes(const void *a, const void *b)
{
	const struct cache_row *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* SLUB's names: kmalloc-96, kmalloc-1k; kmalloc-cg-*, -rcl-*, dma-*. */
static void cache_name(struct leak_run *r, const struct cache_row *c,
		       char *buf, size_t len)
{
	char size[24];

	switch (c->kind) {
	case LEAK_KMEM_CACHE:
		if (!c->cache ||
		    bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.cache_names),
					&c->cache, buf))
			snprintf(buf, len, "(a cache of %llu-byte objects)",
				 (unsigned long long)c->size);
		buf[len < LEAK_CACHE_NAME_LEN ? len - 1 : LEAK_CACHE_NAME_LEN - 1] = '\0';
		return;
	case LEAK_KMALLOC:
		if (c->size > 8192) {
			snprintf(buf, len, "kmalloc (pages)");
			return;
		}
		if (c->size >= 1024 && !(c->size % 1024))
			snprintf(size, sizeof(size), "%lluk",
				 (unsigned long long)c->size / 1024);
		else
			snprintf(size, sizeof(size), "%llu",
				 (unsigned long long)c->size);
		snprintf(buf, len, "%skmalloc-%s%s",
			 c->flags & LEAK_KMALLOC_DMA ? "dma-" : "",
			 c->flags & LEAK_KMALLOC_CG ? "cg-" :
			 c->flags & LEAK_KMALLOC_RCL ? "rcl-" : "", size);
		return;
	case LEAK_PAGES:
		snprintf(buf, len, "pages");
		return;
	default:
		snprintf(buf, len, "percpu");
	}
}

/* The rows, largest first; *n of them. NULL if none or no memory. */
static struct cache_row *cache_rows(const struct snapshot *s, size_t *n)
{
	struct cache_row *rows = calloc(s->nr_items ? s->nr_items : 1,
					sizeof(*rows));
	size_t m = 0;

	*n = 0;
	if (!rows)
		return NULL;
	for (size_t i = 0; i < s->nr_items; i++) {
		const struct item *it = &s->items[i];

		rows[i] = (struct cache_row){
			.key = cache_group(it), .objects = it->count,
			.bytes = it->size, .size = it->size, .kind = it->kind,
			.flags = it->flags, .cache = it->cache,
		};
	}
	qsort(rows, s->nr_items, sizeof(*rows), cmp_row_key);
	for (size_t i = 0; i < s->nr_items; i++) {
		if (m && rows[m - 1].key == rows[i].key) {
			rows[m - 1].objects += rows[i].objects;
			rows[m - 1].bytes += rows[i].bytes;
		} else {
			rows[m++] = rows[i];
		}
	}
	qsort(rows, m, sizeof(*rows), cmp_row_bytes);
	*n = m;
	return rows;
}

static const struct col cache_cols[] = {
	{ "CACHE", 32, false },
	{ "OBJECTS", 10, true },
	{ "BYTES", 12, true },
};

static void print_caches_text(struct leak_run *r, const struct snapshot *s)
{
	size_t n, shown;
	struct cache_row *rows = cache_rows(s, &n);

	shown = n < r->o->top ? n : r->o->top;
	printf("Outstanding by cache (top %zu of %zu):\n", shown, n);
	table_header(stdout, cache_cols, 3);
	for (size_t i = 0; i < shown; i++) {
		char name[64], objs[24], bytes[24];
		const char *cells[] = { name, objs, bytes };

		cache_name(r, &rows[i], name, sizeof(name));
		fmt_u64(objs, rows[i].objects);
		fmt_u64(bytes, rows[i].bytes);
		table_row(stdout, cache_cols, 3, cells);
	}
	free(rows);
}

static void json_caches(struct leak_run *r, const struct snapshot *s)
{
	struct json *j = &r->json;
	size_t n;
	struct cache_row *rows = cache_rows(s, &n);

	json_key_array(j, "caches");
	for (size_t i = 0; i < n && i < r->o->top; i++) {
		char name[64];

		cache_name(r, &rows[i], name, sizeof(name));
		json_object(j);
		json_key_str(j, "cache", name);
		json_key_u64(j, "objects", rows[i].objects);
		json_key_u64(j, "bytes", rows[i].bytes);
		json_close(j);
	}
	json_close(j);
	free(rows);
}

struct losses {
	uint64_t v[LEAK_LOST_NR];
};

static void read_losses(struct leak_run *r, struct losses *l)
{
	memset(l, 0, sizeof(*l));
	losses_read(bpf_map__fd(r->skel->maps.lost), l->v, LEAK_LOST_NR);
}

static void print_losses_text(const struct losses *l, bool regions_oom,
			      bool kernel)
{
	printf("Not counted: %llu allocations (map full), %llu events (ring buffer full), "
	       "%llu calls (no thread state)%s\n",
	       (unsigned long long)l->v[MT_LOST_MAP_FULL],
	       (unsigned long long)l->v[MT_LOST_RINGBUF],
	       (unsigned long long)l->v[LEAK_LOST_STATE],
	       regions_oom ? ", and mappings (out of memory)" : "");
	printf("Counted without their stack: %llu allocations (stack map bucket taken; "
	       "--max-stacks), %llu (stack not readable)\n",
	       (unsigned long long)l->v[LEAK_LOST_STACK_COLLISION],
	       (unsigned long long)l->v[LEAK_LOST_STACK_MISSING]);
	/* The kernel frees what it allocated before the trace all the time. */
	if (!kernel)
		printf("Frees of blocks not tracked (made before the trace, filtered, "
		       "or freed again by glibc's thread cache at thread exit): %llu\n",
		       (unsigned long long)l->v[LEAK_UNTRACKED_FREE]);
}

static void print_text(struct leak_run *r, struct snapshot *s, bool all,
		       const struct losses *l)
{
	char when[16], buf[1024];
	size_t shown = s->nr_groups < r->o->top ? s->nr_groups : r->o->top;

	fmt_clock(when, sizeof(when), loop_wall_ns(mono_ns()));
	printf("[%s] Top %zu stacks with outstanding allocations:\n", when, shown);
	for (size_t i = 0; i < shown; i++) {
		const struct group *g = &s->groups[i];
		int n = read_stack(r, g);

		printf("\t%llu bytes in %llu allocations from stack\n",
		       (unsigned long long)g->bytes, (unsigned long long)g->count);
		for (int k = 0; k < n; k++) {
			format_frame(r, r->frames[k], buf, sizeof(buf));
			printf("\t\t%s\n", buf);
		}
		if (!n)
			printf("\t\t[stack %s]\n", stack_lost(g));
		for (size_t k = 0; r->o->show_allocs && k < g->n; k++) {
			const struct item *it = &s->items[g->first + k];

			printf("\t\t\taddr = 0x%llx size = %llu\n",
			       (unsigned long long)it->addr,
			       (unsigned long long)it->size);
		}
	}
	printf("Outstanding: %llu bytes in %llu allocations from %zu stacks",
	       (unsigned long long)s->bytes, (unsigned long long)s->count,
	       s->nr_groups);
	if (!all && r->o->older_ns && !r->o->combined)
		printf(" (older than %llu ms)",
		       (unsigned long long)(r->o->older_ns / NS_PER_MS));
	printf("\n");
	if (r->o->by_cache)
		print_caches_text(r, s);
	print_losses_text(l, r->regions.oom, r->o->kernel);
	printf("\n");
}

static void json_frames(struct leak_run *r, int n)
{
	struct json *j = &r->json;

	json_key_array(j, "frames");
	for (int k = 0; k < n; k++) {
		struct usym sym;

		resolve_frame(r, r->frames[k], &sym);
		json_object(j);
		json_key_u64(j, "addr", r->frames[k]);
		if (sym.func) {
			json_key_str(j, "function", sym.func);
			json_key_u64(j, "offset", sym.offset);
		}
		if (sym.file) {
			json_key_str(j, "file", sym.file);
			json_key_u64(j, "line", sym.line);
		}
		if (sym.module)
			json_key_str(j, "module", sym.module);
		json_close(j);
	}
	json_close(j);
}

static int print_json(struct leak_run *r, struct snapshot *s, bool all,
		      bool final, const struct losses *l)
{
	struct json *j = &r->json;
	size_t shown = s->nr_groups < r->o->top ? s->nr_groups : r->o->top;
	char when[16];

	fmt_clock(when, sizeof(when), loop_wall_ns(mono_ns()));
	json_begin(j);
	json_key_str(j, "type", "report");
	json_key_str(j, "time", when);
	json_key_bool(j, "final", final);
	json_key_u64(j, "pid", r->pid);
	json_key_u64(j, "older_ms", all || r->o->combined ? 0 :
				    r->o->older_ns / NS_PER_MS);
	json_key_u64(j, "outstanding_bytes", s->bytes);
	json_key_u64(j, "outstanding_allocs", s->count);
	json_key_u64(j, "stacks_total", s->nr_groups);
	json_key_array(j, "stacks");
	for (size_t i = 0; i < shown; i++) {
		const struct group *g = &s->groups[i];
		int n;

		json_object(j);
		json_key_u64(j, "bytes", g->bytes);
		json_key_u64(j, "allocs", g->count);
		n = read_stack(r, g);
		if (!n)
			json_key_str(j, "stack", stack_lost(g));
		json_frames(r, n);
		if (r->o->show_allocs) {
			json_key_array(j, "allocations");
			for (size_t k = 0; k < g->n; k++) {
				const struct item *it = &s->items[g->first + k];

				json_object(j);
				json_key_u64(j, "addr", it->addr);
				json_key_u64(j, "size", it->size);
				json_close(j);
			}
			json_close(j);
		}
		json_close(j);
	}
	json_close(j);
	if (r->o->by_cache)
		json_caches(r, s);
	json_key_object(j, "lost");
	json_key_u64(j, "map_full", l->v[MT_LOST_MAP_FULL]);
	json_key_u64(j, "stack_collision", l->v[LEAK_LOST_STACK_COLLISION]);
	json_key_u64(j, "stack_missing", l->v[LEAK_LOST_STACK_MISSING]);
	json_key_u64(j, "ringbuf", l->v[MT_LOST_RINGBUF]);
	json_key_u64(j, "thread_state", l->v[LEAK_LOST_STATE]);
	json_close(j);
	json_key_u64(j, "untracked_frees", l->v[LEAK_UNTRACKED_FREE]);
	return json_end(j, stdout);
}

/* One folded frame: the function, else module+offset, else the address;
 * ';' separates frames, so it cannot appear in one. */
static void folded_frame(struct leak_run *r, uint64_t addr)
{
	struct usym sym;
	char buf[512], out[2048];

	resolve_frame(r, addr, &sym);
	if (sym.func)
		snprintf(buf, sizeof(buf), "%s", sym.func);
	else if (sym.module)
		snprintf(buf, sizeof(buf), "[%s]", basename(sym.module));
	else
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
	for (char *p = buf; *p; p++)
		if (*p == ';')
			*p = ':';
	text_escape(out, sizeof(out), buf, sizeof(buf));
	fputs(out, stdout);
}

/* Every stack, not only -T of them: a flame graph shows the small ones
 * small. Root first. */
static void print_folded(struct leak_run *r, struct snapshot *s)
{
	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct group *g = &s->groups[i];
		int n = read_stack(r, g);

		if (!n)
			printf("[stack %s]", stack_lost(g));
		for (int k = n - 1; k >= 0; k--) {
			folded_frame(r, r->frames[k]);
			if (k)
				putchar(';');
		}
		printf(" %llu\n", (unsigned long long)g->bytes);
	}
}

int leak_report(struct leak_run *r, bool final)
{
	bool all = final && r->gone;
	struct snapshot s;
	struct losses l;
	int err;

	err = take_snapshot(r, &s, all);
	if (err) {
		free_snapshot(&s);
		log_err("cannot read the outstanding allocations: %s",
			strerror(-err));
		return err;
	}
	read_losses(r, &l);
	if (r->usyms)
		usyms_begin(r->usyms);
	switch (r->o->format) {
	case LEAK_TEXT:
		print_text(r, &s, all, &l);
		break;
	case LEAK_JSON:
		err = print_json(r, &s, all, final, &l);
		break;
	case LEAK_FOLDED:
		print_folded(r, &s);
		break;
	}
	free_snapshot(&s);
	return err;
}

void leak_trace_event(struct leak_run *r, const void *event)
{
	static const char *const types[] = {
		[LEAK_EV_ALLOC] = "alloc", [LEAK_EV_FREE] = "free",
		[LEAK_EV_MMAP] = "mmap", [LEAK_EV_MUNMAP] = "munmap",
		[LEAK_EV_MREMAP] = "mremap",
	};
	const struct leak_event *e = event;
	const char *type = e->type < 5 ? types[e->type] : "?";
	const char *kind = e->kind < LEAK_KIND_NR ? kind_names[e->kind] : "?";
	char when[32];

	if (r->o->format == LEAK_FOLDED)
		return;
	fmt_clock_ms(when, sizeof(when), loop_wall_ns(e->ts_ns));
	if (r->o->format == LEAK_JSON) {
		struct json *j = &r->json;

		json_begin(j);
		json_key_str(j, "type", type);
		json_key_str(j, "time", when);
		json_key_u64(j, "tid", e->tid);
		json_key_str(j, "call", kind);
		json_key_u64(j, "addr", e->addr);
		json_key_u64(j, "size", e->size);
		if (e->type == LEAK_EV_MREMAP) {
			json_key_u64(j, "new_addr", e->new_addr);
			json_key_u64(j, "new_size", e->new_size);
		}
		json_end(j, stdout);
		return;
	}
	if (e->type == LEAK_EV_MREMAP)
		printf("%s %-6s tid %-7u %-14s 0x%llx %llu -> 0x%llx %llu bytes\n",
		       when, type, e->tid, kind, (unsigned long long)e->addr,
		       (unsigned long long)e->size,
		       (unsigned long long)e->new_addr,
		       (unsigned long long)e->new_size);
	else
		printf("%s %-6s tid %-7u %-14s 0x%llx %llu bytes\n", when, type,
		       e->tid, kind, (unsigned long long)e->addr,
		       (unsigned long long)e->size);
}
