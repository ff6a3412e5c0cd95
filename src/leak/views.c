// SPDX-License-Identifier: GPL-2.0
/* leak's views: the report of outstanding allocations by stack, in text,
 * JSON or folded stacks, and the lines of -t. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/loop.h"
#include "leak/caches.h"
#include "leak/frames.h"
#include "leak/views.h"
#include "util/ksyms.h"
#include "util/parse.h"
#include "usyms/usyms.h"
#include "util/fmt.h"
#include "util/json.h"
#include "util/table.h"
#include "util/text.h"
#include "util/path.h"

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

int leak_view_init(struct leak_view *v, const struct leak_opts *o)
{
	memset(v, 0, sizeof(*v));
	v->o = o;
	v->frames = calloc(o->stack_depth, sizeof(*v->frames));
	return v->frames ? 0 : -ENOMEM;
}

void leak_view_free(struct leak_view *v)
{
	json_free(&v->json);
	free(v->frames);
	v->frames = NULL;
}

/* ---- Frames ---- */

/* Why a group has no frames: its allocations are counted, their stack
 * was not kept. */
static const char *stack_lost(const struct leak_group *g)
{
	switch (g->stack) {
	case LEAK_STACK_FULL:
		return "not kept (capacity)";
	case LEAK_STACK_COLLIDED:
		return "not kept (hash collision)";
	case LEAK_STACK_MISSING:
		return "not kept (not readable)";
	}
	return "not kept (gone from the stacks map)";
}

/* The stack's frames into v->frames: how many (0 if the id is gone). */
static int read_stack(struct leak_view *v, const struct leak_group *g)
{
	return leak_frames_read(v->col, v->o->kernel ? v->ksyms : NULL,
				v->o->kernel, g, v->frames);
}

/*
 * Every frame is a return address: the line wanted is the call's, the
 * instruction before it, so look up addr - 1 (same function) and give the
 * offset of addr itself.
 */
static void resolve_frame(struct leak_view *v, uint64_t addr, struct usym *sym)
{
	memset(sym, 0, sizeof(*sym));
	if (v->o->kernel) {
		/* Kernel stacks: return addresses too, but no lines. */
		if (v->ksyms && addr)
			sym->func = ksyms_find(v->ksyms, addr, &sym->offset,
					       &sym->module);
		if (!sym->func)
			sym->module = NULL;
		return;
	}
	if (v->usyms && addr && !usyms_resolve(v->usyms, addr - 1, sym) &&
	    sym->func)
		sym->offset++;
}

/* A frame for a terminal: its names come from the traced process's files
 * (or a module's symbols), and a newline or ESC in one must neither split
 * the report's lines nor reach the terminal. */
static void format_frame(struct leak_view *v, uint64_t addr, char *buf,
			 size_t len)
{
	char raw[1024];
	struct usym sym;

	if (v->o->kernel) {
		if (v->ksyms)
			ksyms_format(v->ksyms, addr, raw, sizeof(raw));
		else
			snprintf(raw, sizeof(raw), "0x%llx", (unsigned long long)addr);
	} else {
		resolve_frame(v, addr, &sym);
		usym_format(&sym, addr, raw, sizeof(raw));
	}
	text_escape(buf, len, raw, sizeof(raw));
}

/* ---- Text ---- */

static const struct col cache_cols[] = {
	{ "CACHE", 32, false },
	{ "OBJECTS", 10, true },
	{ "BYTES", 12, true },
};

static void print_caches_text(struct leak_view *v, const struct leak_snapshot *s)
{
	size_t n, shown;
	struct leak_cache_row *rows = leak_cache_rows(s, &n);

	shown = n < v->o->top ? n : v->o->top;
	printf("Outstanding by cache (top %zu of %zu):\n", shown, n);
	table_header(stdout, cache_cols, 3);
	for (size_t i = 0; i < shown; i++) {
		char name[64], objs[24], bytes[24];
		const char *cells[] = { name, objs, bytes };

		leak_cache_name(v->col, &rows[i], name, sizeof(name));
		fmt_u64(objs, rows[i].objects);
		fmt_u64(bytes, rows[i].bytes);
		table_row(stdout, cache_cols, 3, cells);
	}
	free(rows);
}

static void print_losses_text(const struct leak_losses *l, bool kernel)
{
	printf("Not counted: %llu allocations (map full), %llu events (ring buffer full), "
	       "%llu calls (no thread state)%s\n",
	       (unsigned long long)l->map_full, (unsigned long long)l->ringbuf,
	       (unsigned long long)l->thread_state,
	       l->regions_oom ? ", and mappings (out of memory)" : "");
	printf("Counted without their stack: stacks not kept: %llu (capacity), %llu (not readable)",
	       (unsigned long long)l->stack_full,
	       (unsigned long long)l->stack_missing);
	if (l->stack_collision)
		printf(", %llu (hash collision)",
		       (unsigned long long)l->stack_collision);
	printf("\n");
	/* The kernel frees what it allocated before the trace all the time. */
	if (!kernel)
		printf("Frees of blocks not tracked (made before the trace, filtered, "
		       "or freed again by glibc's thread cache at thread exit): %llu\n",
		       (unsigned long long)l->untracked_frees);
}

static void print_group_text(struct leak_view *v, const struct leak_snapshot *s,
			     const struct leak_group *g)
{
	char buf[1024];
	int n = read_stack(v, g);

	printf("\t%llu bytes in %llu allocations from stack%s\n",
	       (unsigned long long)g->bytes, (unsigned long long)g->count,
	       g->cls == LEAK_CLASS_MMAP ? " (mmap)" : "");
	for (int k = 0; k < n; k++) {
		format_frame(v, v->frames[k], buf, sizeof(buf));
		printf("\t\t%s\n", buf);
	}
	if (!n)
		printf("\t\t[stack %s]\n", stack_lost(g));
	for (size_t k = 0; v->o->show_allocs && k < g->n; k++) {
		const struct leak_item *it = &s->items[g->first + k];

		printf("\t\t\taddr = 0x%llx size = %llu\n",
		       (unsigned long long)it->addr, (unsigned long long)it->size);
	}
}

static void print_text(struct leak_view *v, const struct leak_snapshot *s,
		       bool all, const struct leak_losses *l)
{
	const struct leak_opts *o = v->o;
	size_t shown = s->nr_groups < o->top ? s->nr_groups : o->top;
	char when[16];

	fmt_clock(when, sizeof(when), loop_wall_ns(mono_ns()));
	printf("[%s] Top %zu stacks with outstanding allocations:\n", when, shown);
	for (size_t i = 0; i < shown; i++)
		print_group_text(v, s, &s->groups[i]);
	printf("Outstanding: %llu bytes in %llu allocations from %zu stacks",
	       (unsigned long long)s->bytes, (unsigned long long)s->count,
	       s->nr_groups);
	if (!all && o->older_ns && !o->combined)
		printf(" (older than %llu ms)",
		       (unsigned long long)(o->older_ns / NS_PER_MS));
	printf("\n");
	if (!o->kernel)
		printf("  heap: %llu bytes in %llu allocations\n"
		       "  mmap: %llu bytes in %llu mappings\n",
		       (unsigned long long)s->heap_bytes,
		       (unsigned long long)s->heap_count,
		       (unsigned long long)s->mmap_bytes,
		       (unsigned long long)s->mmap_count);
	if (o->by_cache)
		print_caches_text(v, s);
	print_losses_text(l, o->kernel);
	printf("\n");
}

/* ---- JSON ---- */

static void json_frames(struct leak_view *v, int n)
{
	struct json *j = &v->json;

	json_key_array(j, "frames");
	for (int k = 0; k < n; k++) {
		struct usym sym;

		resolve_frame(v, v->frames[k], &sym);
		json_object(j);
		json_key_u64(j, "addr", v->frames[k]);
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

static void json_caches(struct leak_view *v, const struct leak_snapshot *s)
{
	struct json *j = &v->json;
	size_t n;
	struct leak_cache_row *rows = leak_cache_rows(s, &n);

	json_key_array(j, "caches");
	for (size_t i = 0; i < n && i < v->o->top; i++) {
		char name[64];

		leak_cache_name(v->col, &rows[i], name, sizeof(name));
		json_object(j);
		json_key_str(j, "cache", name);
		json_key_u64(j, "objects", rows[i].objects);
		json_key_u64(j, "bytes", rows[i].bytes);
		json_close(j);
	}
	json_close(j);
	free(rows);
}

static void json_group(struct leak_view *v, const struct leak_snapshot *s,
		       const struct leak_group *g)
{
	struct json *j = &v->json;
	int n;

	json_object(j);
	json_key_str(j, "kind", leak_class_name(g->cls));
	json_key_u64(j, "bytes", g->bytes);
	json_key_u64(j, "allocs", g->count);
	n = read_stack(v, g);
	if (!n)
		json_key_str(j, "stack", stack_lost(g));
	json_frames(v, n);
	if (v->o->show_allocs) {
		json_key_array(j, "allocations");
		for (size_t k = 0; k < g->n; k++) {
			const struct leak_item *it = &s->items[g->first + k];

			json_object(j);
			json_key_u64(j, "addr", it->addr);
			json_key_u64(j, "size", it->size);
			json_close(j);
		}
		json_close(j);
	}
	json_close(j);
}

static void json_losses(struct json *j, const struct leak_losses *l)
{
	json_key_object(j, "lost");
	json_key_u64(j, "map_full", l->map_full);
	json_key_u64(j, "stack_full", l->stack_full);
	json_key_u64(j, "stack_missing", l->stack_missing);
	json_key_u64(j, "stack_collision", l->stack_collision);
	json_key_u64(j, "ringbuf", l->ringbuf);
	json_key_u64(j, "thread_state", l->thread_state);
	json_close(j);
	json_key_u64(j, "untracked_frees", l->untracked_frees);
}

static int print_json(struct leak_view *v, const struct leak_snapshot *s,
		      bool all, bool final, const struct leak_losses *l)
{
	const struct leak_opts *o = v->o;
	struct json *j = &v->json;
	size_t shown = s->nr_groups < o->top ? s->nr_groups : o->top;
	char when[16];

	fmt_clock(when, sizeof(when), loop_wall_ns(mono_ns()));
	json_begin(j);
	json_key_str(j, "type", "report");
	json_key_str(j, "time", when);
	json_key_bool(j, "final", final);
	json_key_u64(j, "pid", v->pid);
	json_key_u64(j, "older_ms", all || o->combined ? 0 : o->older_ns / NS_PER_MS);
	json_key_u64(j, "outstanding_bytes", s->bytes);
	json_key_u64(j, "outstanding_allocs", s->count);
	if (!o->kernel) {
		json_key_u64(j, "heap_bytes", s->heap_bytes);
		json_key_u64(j, "heap_allocs", s->heap_count);
		json_key_u64(j, "mmap_bytes", s->mmap_bytes);
		json_key_u64(j, "mmap_allocs", s->mmap_count);
	}
	json_key_u64(j, "stacks_total", s->nr_groups);
	json_key_array(j, "stacks");
	for (size_t i = 0; i < shown; i++)
		json_group(v, s, &s->groups[i]);
	json_close(j);
	if (o->by_cache)
		json_caches(v, s);
	json_losses(j, l);
	return json_end(j, stdout);
}

/* ---- Folded ---- */

/* One folded frame: the function, else module+offset, else the address;
 * ';' separates frames, so it cannot appear in one. */
static void folded_frame(struct leak_view *v, uint64_t addr)
{
	struct usym sym;
	char buf[512], out[2048];

	resolve_frame(v, addr, &sym);
	if (sym.func)
		snprintf(buf, sizeof(buf), "%s", sym.func);
	else if (sym.module)
		snprintf(buf, sizeof(buf), "[%s]", path_base(sym.module));
	else
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
	for (char *p = buf; *p; p++)
		if (*p == ';')
			*p = ':';
	text_escape(out, sizeof(out), buf, sizeof(buf));
	fputs(out, stdout);
}

/* Every stack, not only -T of them: a flame graph shows the small ones
 * small. Root first: a process's kind ("heap;main;..."), as a profile's
 * root is its process. */
static void print_folded(struct leak_view *v, const struct leak_snapshot *s)
{
	for (size_t i = 0; i < s->nr_groups; i++) {
		const struct leak_group *g = &s->groups[i];
		int n = read_stack(v, g);

		if (!v->o->kernel)
			printf("%s;", leak_class_name(g->cls));
		if (!n)
			printf("[stack %s]", stack_lost(g));
		for (int k = n - 1; k >= 0; k--) {
			folded_frame(v, v->frames[k]);
			if (k)
				putchar(';');
		}
		printf(" %llu\n", (unsigned long long)g->bytes);
	}
}

int leak_view_report(struct leak_view *v, const struct leak_snapshot *s,
		     const struct leak_losses *l, bool all, bool final)
{
	if (v->usyms)
		usyms_begin(v->usyms);
	switch (v->o->format) {
	case LEAK_TEXT:
		print_text(v, s, all, l);
		return 0;
	case LEAK_JSON:
		return print_json(v, s, all, final, l);
	case LEAK_FOLDED:
		print_folded(v, s);
	}
	return 0;
}

/* ---- -t ---- */

static void trace_json(struct leak_view *v, const struct leak_event *e,
		       const char *type, const char *kind, const char *when)
{
	struct json *j = &v->json;

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
}

void leak_view_trace(struct leak_view *v, const struct leak_event *e)
{
	static const char *const types[] = {
		[LEAK_EV_ALLOC] = "alloc", [LEAK_EV_FREE] = "free",
		[LEAK_EV_MMAP] = "mmap", [LEAK_EV_MUNMAP] = "munmap",
		[LEAK_EV_MREMAP] = "mremap",
	};
	const char *type = e->type < 5 ? types[e->type] : "?";
	const char *kind = e->kind < LEAK_KIND_NR ? kind_names[e->kind] : "?";
	char when[32];

	if (v->o->format == LEAK_FOLDED)
		return;
	fmt_clock_ms(when, sizeof(when), loop_wall_ns(e->ts_ns));
	if (v->o->format == LEAK_JSON)
		trace_json(v, e, type, kind, when);
	else if (e->type == LEAK_EV_MREMAP)
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
