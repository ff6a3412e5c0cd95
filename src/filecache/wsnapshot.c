// SPDX-License-Identifier: GPL-2.0
/* filecache --watch's collector: the kernel's tables into snapshots, and
 * what changed between two. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "filecache_watch.skel.h"
#include "core/loop.h"
#include "core/losses.h"
#include "core/mapread.h"
#include "filecache/wcollector.h"
#include "filecache/wcollector_int.h"

static int cmp_key(const struct fcw_key *a, const struct fcw_key *b)
{
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	if (a->gen != b->gen)
		return a->gen < b->gen ? -1 : 1;
	return 0;
}

/* Files and their values, sorted together by key. */
struct file_entry {
	struct fcw_key key;
	struct fcw_file f;
};

static int cmp_file(const void *a, const void *b)
{
	return cmp_key(&((const struct file_entry *)a)->key,
		       &((const struct file_entry *)b)->key);
}

struct task_entry {
	struct fcw_task_key key;
	struct fcw_task t;
};

static int cmp_task(const void *a, const void *b)
{
	const struct fcw_task_key *x = &((const struct task_entry *)a)->key;
	const struct fcw_task_key *y = &((const struct task_entry *)b)->key;
	int c = cmp_key(&x->file, &y->file);

	return c ? c : x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

/* read_entries()'s array, grown batch by batch. */
struct entries {
	size_t key_size, value_size, entry;
	char *e;
	size_t n, cap;
};

static int add_entries(void *ctx, const void *keys, const void *values,
		       uint32_t n)
{
	struct entries *t = ctx;

	if (t->n + n > t->cap) {
		size_t cap = t->cap ? t->cap : 1024;
		char *e;

		while (cap < t->n + n)
			cap *= 2;
		e = realloc(t->e, cap * t->entry);
		if (!e)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	for (uint32_t i = 0; i < n; i++) {
		char *to = t->e + (t->n + i) * t->entry;

		memset(to, 0, t->entry);
		memcpy(to, (const char *)keys + i * t->key_size, t->key_size);
		memcpy(to + t->entry - t->value_size,
		       (const char *)values + i * t->value_size, t->value_size);
	}
	t->n += n;
	return 0;
}

/* A map's entries as an array of { key, value } of entry bytes each. */
static int read_entries(int fd, size_t key_size, size_t value_size,
			size_t entry, void **out, size_t *n)
{
	struct entries t = { key_size, value_size, entry, NULL, 0, 0 };
	int err = map_read_batches(fd, key_size, value_size, add_entries, &t);

	if (!err && !t.e && !(t.e = calloc(1, entry)))	/* never NULL: qsort() */
		err = -ENOMEM;
	if (err) {
		free(t.e);
		t.e = NULL;
		t.n = 0;
	}
	*out = t.e;
	*n = t.n;
	return err;
}

/* The processes of one file: tasks[*at...] while they are its. */
static int attach_tasks(struct fcw_file_row *row, const struct task_entry *t,
			size_t nt, size_t *at)
{
	size_t from;

	while (*at < nt && cmp_key(&t[*at].key.file, &row->key) < 0)
		(*at)++;
	from = *at;
	while (*at < nt && !cmp_key(&t[*at].key.file, &row->key))
		(*at)++;
	if (*at == from)
		return 0;
	row->tasks = calloc(*at - from, sizeof(*row->tasks));
	if (!row->tasks)
		return -ENOMEM;
	for (size_t i = from; i < *at; i++) {
		struct fcw_task_row *r = &row->tasks[row->ntasks++];

		r->pid = t[i].key.tgid;
		memcpy(r->comm, t[i].t.comm, sizeof(r->comm));
		r->pages = t[i].t.pages;
	}
	return 0;
}

static void fill_row(struct fcw_collector *c, struct fcw_file_row *row,
		     const struct file_entry *e)
{
	const struct fcw_name *name = fcw_names_find(&c->names, &e->key);

	row->key = e->key;
	row->added = e->f.added;
	row->removed = e->f.removed;
	row->cached = e->f.cached;
	row->size = e->f.size;
	if (name) {
		row->path = name->path;
		row->flags = name->flags;
	} else {
		row->flags = FCW_NAME_LOST;
	}
	/* Deleted since its name was taken. */
	if (!e->f.nlink)
		row->flags |= FCW_NAME_DELETED;
}

static int read_rows(struct fcw_collector *c, struct fcw_snapshot *s)
{
	struct file_entry *files = NULL;
	struct task_entry *tasks = NULL;
	size_t nf = 0, nt = 0, at = 0;
	int err;

	err = read_entries(bpf_map__fd(c->skel->maps.files), sizeof(struct fcw_key),
			   sizeof(struct fcw_file), sizeof(*files), (void **)&files, &nf);
	if (!err)
		err = read_entries(bpf_map__fd(c->skel->maps.tasks),
				   sizeof(struct fcw_task_key), sizeof(struct fcw_task),
				   sizeof(*tasks), (void **)&tasks, &nt);
	if (!err) {
		qsort(files, nf, sizeof(*files), cmp_file);
		qsort(tasks, nt, sizeof(*tasks), cmp_task);
		s->files = calloc(nf ? nf : 1, sizeof(*s->files));
		if (!s->files)
			err = -ENOMEM;
	}
	for (size_t i = 0; !err && i < nf; i++) {
		fill_row(c, &s->files[i], &files[i]);
		s->nfiles++;
		err = attach_tasks(&s->files[i], tasks, nt, &at);
	}
	free(files);
	free(tasks);
	return err;
}

static void read_counters(struct fcw_collector *c, struct fcw_snapshot *s)
{
	uint64_t st[FCW_S_NR], lost[FCW_LOST_NR];

	percpu_u64_sum(bpf_map__fd(c->skel->maps.stats), st, FCW_S_NR, 1);
	losses_read(bpf_map__fd(c->skel->maps.lost), lost, FCW_LOST_NR);
	s->t = (struct fcw_totals){
		.added = st[FCW_S_ADDED], .removed = st[FCW_S_REMOVED],
		.all_added = st[FCW_S_ALL_ADDED],
		.all_removed = st[FCW_S_ALL_REMOVED],
		.ovf_added = st[FCW_S_OVF_ADDED],
		.ovf_removed = st[FCW_S_OVF_REMOVED],
		.task_ovf = st[FCW_S_TASK_OVF],
		.unresolved = st[FCW_S_UNRESOLVED],
	};
	s->l = (struct fcw_losses){
		.names = lost[MT_LOST_RINGBUF],
		.files_full = lost[MT_LOST_MAP_FULL],
		.tasks_full = lost[FCW_LOST_TASKS],
		.unresolved = lost[FCW_LOST_UNRESOLVED],
	};
}

int fcw_collector_snapshot(struct fcw_collector *c, struct fcw_snapshot *s)
{
	int err;

	*s = (struct fcw_snapshot){ .mono_ns = mono_ns() };
	/* Cached pages as they are now, where the kernel can say. */
	if (c->refresh) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		bpf_prog_test_run_opts(bpf_program__fd(c->skel->progs.refresh),
				       &opts);
	}
	/* The rows first: the totals, read after, are never below them. */
	err = read_rows(c, s);
	read_counters(c, s);
	return err;
}

void fcw_snapshot_free(struct fcw_snapshot *s)
{
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i].tasks);
	free(s->files);
	*s = (struct fcw_snapshot){ 0 };
}

/* -- What changed ------------------------------------------------------- */

/* cur's processes less prev's, those with pages added. */
static int task_delta(const struct fcw_file_row *prev,
		      const struct fcw_file_row *cur, struct fcw_file_row *out)
{
	size_t j = 0;

	out->tasks = calloc(cur->ntasks ? cur->ntasks : 1, sizeof(*out->tasks));
	if (!out->tasks)
		return -ENOMEM;
	for (size_t i = 0; i < cur->ntasks; i++) {
		struct fcw_task_row t = cur->tasks[i];

		while (prev && j < prev->ntasks && prev->tasks[j].pid < t.pid)
			j++;
		if (prev && j < prev->ntasks && prev->tasks[j].pid == t.pid)
			t.pages -= prev->tasks[j].pages;
		if (t.pages)
			out->tasks[out->ntasks++] = t;
	}
	return 0;
}

static void totals_delta(const struct fcw_snapshot *p,
			 const struct fcw_snapshot *c, struct fcw_snapshot *o)
{
	o->t = (struct fcw_totals){
		.added = c->t.added - p->t.added,
		.removed = c->t.removed - p->t.removed,
		.all_added = c->t.all_added - p->t.all_added,
		.all_removed = c->t.all_removed - p->t.all_removed,
		.ovf_added = c->t.ovf_added - p->t.ovf_added,
		.ovf_removed = c->t.ovf_removed - p->t.ovf_removed,
		.task_ovf = c->t.task_ovf - p->t.task_ovf,
		.unresolved = c->t.unresolved - p->t.unresolved,
	};
	o->l = (struct fcw_losses){
		.names = c->l.names - p->l.names,
		.files_full = c->l.files_full - p->l.files_full,
		.tasks_full = c->l.tasks_full - p->l.tasks_full,
		.unresolved = c->l.unresolved - p->l.unresolved,
	};
}

int fcw_snapshot_delta(const struct fcw_snapshot *prev,
		       const struct fcw_snapshot *cur, struct fcw_snapshot *out)
{
	size_t j = 0;
	int err = 0;

	*out = (struct fcw_snapshot){ .mono_ns = cur->mono_ns };
	totals_delta(prev, cur, out);
	out->files = calloc(cur->nfiles ? cur->nfiles : 1, sizeof(*out->files));
	if (!out->files)
		return -ENOMEM;
	for (size_t i = 0; i < cur->nfiles && !err; i++) {
		const struct fcw_file_row *c = &cur->files[i], *p = NULL;
		struct fcw_file_row r = *c;

		while (j < prev->nfiles && cmp_key(&prev->files[j].key, &c->key) < 0)
			j++;
		if (j < prev->nfiles && !cmp_key(&prev->files[j].key, &c->key))
			p = &prev->files[j];
		if (p) {
			r.added -= p->added;
			r.removed -= p->removed;
		}
		if (!r.added && !r.removed)
			continue;
		r.tasks = NULL;
		r.ntasks = 0;
		err = task_delta(p, c, &r);
		out->files[out->nfiles++] = r;
	}
	if (err)
		fcw_snapshot_free(out);
	return err;
}
