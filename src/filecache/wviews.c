// SPDX-License-Identifier: GPL-2.0
/* filecache --watch's reports, in text and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/loop.h"
#include "filecache/views.h"
#include "filecache/wviews.h"
#include "util/fmt.h"
#include "util/table.h"
#include "util/text.h"

void fcw_view_init(struct fcw_view *v, const struct fc_opts *o,
		   uint64_t start_ns)
{
	*v = (struct fcw_view){ .o = o, .page_size = getpagesize(),
				.start_ns = start_ns };
}

void fcw_view_free(struct fcw_view *v)
{
	json_free(&v->json);
}

/* -- Order -------------------------------------------------------------- */

static enum fc_sort sort_key;

static uint64_t sort_value(const struct fcw_file_row *r)
{
	switch (sort_key) {
	case FC_SORT_REMOVED:
		return r->removed;
	case FC_SORT_CACHED:
		return r->cached;
	default:
		return r->added;
	}
}

/* Largest first; then by device and inode, for a stable order. */
static int cmp_rows(const void *a, const void *b)
{
	const struct fcw_file_row *x = a, *y = b;
	uint64_t vx = sort_value(x), vy = sort_value(y);

	if (vx != vy)
		return vx < vy ? 1 : -1;
	if (x->key.dev != y->key.dev)
		return x->key.dev < y->key.dev ? -1 : 1;
	return x->key.ino < y->key.ino ? -1 : x->key.ino > y->key.ino;
}

static int cmp_tasks(const void *a, const void *b)
{
	const struct fcw_task_row *x = a, *y = b;

	if (x->pages != y->pages)
		return x->pages < y->pages ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static size_t shown_rows(const struct fcw_view *v, struct fcw_snapshot *s)
{
	sort_key = v->o->sort;
	qsort(s->files, s->nfiles, sizeof(*s->files), cmp_rows);
	for (size_t i = 0; i < s->nfiles; i++)
		qsort(s->files[i].tasks, s->files[i].ntasks,
		      sizeof(*s->files[i].tasks), cmp_tasks);
	return v->o->top && v->o->top < s->nfiles ? v->o->top : s->nfiles;
}

/* -- Names -------------------------------------------------------------- */

static const char *path_kind(const struct fcw_file_row *r)
{
	if (r->flags & FCW_NAME_BLOCKDEV)
		return "block_device";
	if (r->flags & FCW_NAME_NO_DENTRY)
		return "no_dentry";
	if (!r->path)
		return "lost";
	if (r->flags & FCW_NAME_CUT)
		return "cut";
	if (r->flags & FCW_NAME_NO_MOUNT)
		return "fs_root";
	return "mount";
}

char *fcw_row_name(const struct fcw_file_row *r, unsigned int how)
{
	unsigned int maj = r->key.dev >> 20, min = r->key.dev & 0xfffff;
	const char *del = (how & FCW_SHOW_DELETED) && (r->flags & FCW_NAME_DELETED) ?
			  "(deleted) " : "";
	char *q = NULL, *out = NULL;
	int n;

	if (r->path) {
		q = how & FCW_SHOW_QUOTED ? fc_quote_path(r->path) : strdup(r->path);
		if (!q)
			return NULL;
	}
	if (r->flags & FCW_NAME_BLOCKDEV)
		n = q ? asprintf(&out, "%s (block device)", q) :
			asprintf(&out, "(a block device)");
	else if (!q)
		n = asprintf(&out, "%s(%s: inode %llu on %u:%u)", del,
			     r->flags & FCW_NAME_NO_DENTRY ? "no name" : "name lost",
			     (unsigned long long)r->key.ino, maj, min);
	else if (r->flags & FCW_NAME_CUT)
		n = asprintf(&out, "%s.../%s", del, q);
	else if (r->flags & FCW_NAME_NO_MOUNT)
		n = asprintf(&out, "%s%u:%u:%s", del, maj, min, q);
	else
		n = asprintf(&out, "%s%s", del, q);
	free(q);
	return n < 0 ? NULL : out;
}

/* The process that added most, and how many others added some. */
static void who(const struct fcw_file_row *r, char *buf, size_t len)
{
	char comm[MT_COMM_LEN];
	int n;

	if (!r->ntasks) {
		snprintf(buf, len, "-");
		return;
	}
	text_sanitize(comm, sizeof(comm), r->tasks[0].comm, MT_COMM_LEN);
	n = snprintf(buf, len, "%s[%u]", comm, r->tasks[0].pid);
	if (r->ntasks > 1 && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " +%zu", r->ntasks - 1);
}

/* -- Text --------------------------------------------------------------- */

static const struct col columns[] = {
	{ "ADDED", 9, true },
	{ "REMOVED", 9, true },
	{ "CACHED", 9, true },
	{ "SIZE", 6, true },
	{ "WHO", 24, false },
	{ "PATH", 0, false },
};

#define NR_COLUMNS ((int)(sizeof(columns) / sizeof(columns[0])))

static const char *sort_name(enum fc_sort k)
{
	return k == FC_SORT_REMOVED ? "removed" : k == FC_SORT_CACHED ?
	       "cached" : "added";
}

static void text_row(const struct fcw_view *v, const struct fcw_file_row *r,
		     bool *no_mount)
{
	char a[24], rm[24], c[24], sz[16], w[64];
	char *name = fcw_row_name(r, FCW_SHOW_QUOTED | FCW_SHOW_DELETED);

	(void)v;
	fmt_u64(a, r->added);
	fmt_u64(rm, r->removed);
	fmt_u64(c, r->cached);
	fmt_size(sz, sizeof(sz), r->size);
	who(r, w, sizeof(w));
	table_row(stdout, columns, NR_COLUMNS,
		  (const char *const[]){ a, rm, c, sz, w, name ? name : "?" });
	if (r->path && (r->flags & FCW_NAME_NO_MOUNT) &&
	    !(r->flags & (FCW_NAME_CUT | FCW_NAME_BLOCKDEV)))
		*no_mount = true;
	free(name);
}

static void text_summary(const struct fcw_view *v, const struct fcw_snapshot *s)
{
	const struct fcw_totals *t = &s->t;
	const struct fcw_losses *l = &s->l;
	uint64_t lost = l->names + l->files_full + l->tasks_full + l->unresolved;
	char a[16], r[16];

	printf("Summary: %llu pages added (%s), %llu removed (%s), %zu file%s; system-wide %llu added, %llu removed; %llu lost\n",
	       (unsigned long long)t->added,
	       fmt_size(a, sizeof(a), t->added * v->page_size),
	       (unsigned long long)t->removed,
	       fmt_size(r, sizeof(r), t->removed * v->page_size), s->nfiles,
	       s->nfiles == 1 ? "" : "s", (unsigned long long)t->all_added,
	       (unsigned long long)t->all_removed, (unsigned long long)lost);
	if (t->ovf_added || t->ovf_removed || l->files_full)
		printf("         %llu added and %llu removed in files past --max-files %llu (%llu events, in no row)\n",
		       (unsigned long long)t->ovf_added,
		       (unsigned long long)t->ovf_removed,
		       (unsigned long long)v->o->max_files,
		       (unsigned long long)l->files_full);
	if (t->task_ovf)
		printf("         %llu added by processes past the table of processes (%llu rows not made)\n",
		       (unsigned long long)t->task_ovf,
		       (unsigned long long)l->tasks_full);
	if (l->names)
		printf("         %llu files' names lost: the ring buffer was full (--ringbuf-size)\n",
		       (unsigned long long)l->names);
	if (l->unresolved)
		printf("         %llu events (%llu pages) whose folio was not found from its pfn\n",
		       (unsigned long long)l->unresolved,
		       (unsigned long long)t->unresolved);
}

static void text_report(struct fcw_view *v, struct fcw_snapshot *s,
			uint64_t since_ns, bool whole)
{
	size_t shown = shown_rows(v, s);
	char when[16];
	bool no_mount = false;

	fmt_clock(when, sizeof(when), loop_wall_ns(s->mono_ns));
	printf("[%s] %s %.1f s: %zu file%s added or removed pages; the %zu with most pages %s\n",
	       when, whole ? "since the start," : "last",
	       (s->mono_ns - since_ns) / 1e9, s->nfiles, s->nfiles == 1 ? "" : "s",
	       shown, sort_name(v->o->sort));
	table_header(stdout, columns, NR_COLUMNS);
	for (size_t i = 0; i < shown; i++)
		text_row(v, &s->files[i], &no_mount);
	if (no_mount)
		printf("(MAJ:MIN:/path: from the root of a filesystem none of whose mounts memtrace sees)\n");
	text_summary(v, s);
}

/* -- JSON --------------------------------------------------------------- */

static void json_file(struct fcw_view *v, const struct fcw_file_row *r)
{
	struct json *j = &v->json;
	char dev[24];

	json_object(j);
	if (r->path)
		json_key_str(j, "path", r->path);
	else
		json_key_null(j, "path");
	json_key_str(j, "path_kind", path_kind(r));
	json_key_bool(j, "deleted", r->flags & FCW_NAME_DELETED);
	snprintf(dev, sizeof(dev), "%u:%u", r->key.dev >> 20,
		 r->key.dev & 0xfffff);
	json_key_str(j, "dev", dev);
	json_key_u64(j, "ino", r->key.ino);
	json_key_u64(j, "added_pages", r->added);
	json_key_u64(j, "removed_pages", r->removed);
	json_key_u64(j, "cached_pages", r->cached);
	json_key_u64(j, "size", r->size);
	json_key_array(j, "tasks");
	for (size_t i = 0; i < r->ntasks; i++) {
		json_object(j);
		json_key_u64(j, "pid", r->tasks[i].pid);
		json_key_strn(j, "comm", r->tasks[i].comm,
			      strnlen(r->tasks[i].comm, MT_COMM_LEN));
		json_key_u64(j, "pages", r->tasks[i].pages);
		json_close(j);
	}
	json_close(j);
	json_close(j);
}

static void json_summary(struct fcw_view *v, const struct fcw_snapshot *s)
{
	const struct fcw_totals *t = &s->t;
	const struct fcw_losses *l = &s->l;
	struct json *j = &v->json;

	json_key_object(j, "summary");
	json_key_u64(j, "files", s->nfiles);
	json_key_u64(j, "added_pages", t->added);
	json_key_u64(j, "removed_pages", t->removed);
	json_key_u64(j, "system_added_pages", t->all_added);
	json_key_u64(j, "system_removed_pages", t->all_removed);
	json_key_u64(j, "overflow_added_pages", t->ovf_added);
	json_key_u64(j, "overflow_removed_pages", t->ovf_removed);
	json_key_u64(j, "unattributed_added_pages", t->task_ovf);
	json_key_u64(j, "unresolved_pages", t->unresolved);
	json_key_u64(j, "page_size", v->page_size);
	json_key_u64(j, "lost", l->names + l->files_full + l->tasks_full +
				l->unresolved);
	json_key_u64(j, "lost_names_ringbuf_full", l->names);
	json_key_u64(j, "lost_files_map_full", l->files_full);
	json_key_u64(j, "lost_tasks_map_full", l->tasks_full);
	json_key_u64(j, "lost_unresolved", l->unresolved);
	json_close(j);
}

static int json_report(struct fcw_view *v, struct fcw_snapshot *s,
		       uint64_t since_ns, bool whole)
{
	size_t shown = shown_rows(v, s);
	struct json *j = &v->json;
	char when[16];

	fmt_clock(when, sizeof(when), loop_wall_ns(s->mono_ns));
	json_begin(j);
	json_key_str(j, "type", "report");
	json_key_str(j, "time", when);
	json_key_u64(j, "ts_ns", loop_wall_ns(s->mono_ns));
	json_key_str(j, "span", whole ? "total" : "interval");
	json_key_fixed(j, "seconds", (s->mono_ns - since_ns) / 1e9, 3);
	json_key_array(j, "files");
	for (size_t i = 0; i < shown; i++)
		json_file(v, &s->files[i]);
	json_close(j);
	json_summary(v, s);
	return json_end(j, stdout);
}

int fcw_view_report(struct fcw_view *v, struct fcw_snapshot *s,
		    uint64_t since_ns, bool whole)
{
	if (v->o->common.json)
		return json_report(v, s, since_ns, whole);
	text_report(v, s, since_ns, whole);
	return 0;
}
