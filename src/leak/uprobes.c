// SPDX-License-Identifier: GPL-2.0
/* leak's collector for a process: its allocator's entry points, where each
 * probe goes, and attaching them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "leak.skel.h"
#include "core/links.h"
#include "core/log.h"
#include "core/uprobe_multi.h"
#include "leak/collector_priv.h"
#include "leak/hooks.h"
#include "leak/target.h"
#include "uprobe/uelf.h"
#include "uprobe/x86insn.h"
#include "util/path.h"

/* Where each entry point lives and what it does. */
enum lib { LIB_ALLOC, LIB_LIBC, LIB_CXX };

struct entry {
	const char *name;
	enum leak_kind kind;
	enum lib lib;
	bool ret;			/* has a return probe */
	bool required;
};

static const struct entry entries[] = {
	{ "malloc", LEAK_MALLOC, LIB_ALLOC, true, true },
	{ "free", LEAK_FREE, LIB_ALLOC, false, true },
	{ "calloc", LEAK_CALLOC, LIB_ALLOC, true, false },
	{ "realloc", LEAK_REALLOC, LIB_ALLOC, true, false },
	{ "reallocarray", LEAK_REALLOCARRAY, LIB_ALLOC, true, false },
	{ "posix_memalign", LEAK_POSIX_MEMALIGN, LIB_ALLOC, true, false },
	{ "aligned_alloc", LEAK_ALIGNED_ALLOC, LIB_ALLOC, true, false },
	{ "memalign", LEAK_MEMALIGN, LIB_ALLOC, true, false },
	{ "valloc", LEAK_VALLOC, LIB_ALLOC, true, false },
	{ "pvalloc", LEAK_PVALLOC, LIB_ALLOC, true, false },
	{ "mmap", LEAK_MMAP, LIB_LIBC, true, false },
	{ "mremap", LEAK_MREMAP, LIB_LIBC, true, false },
	{ "munmap", LEAK_MUNMAP, LIB_LIBC, false, false },
	/* operator new and new[], plain, nothrow, aligned (C++17): entry
	 * probes only (leak.bpf.c says why); the malloc they call records
	 * the block, with new's caller as its first frame. operator delete
	 * calls free, which is enough. */
	{ "_Znwm", LEAK_NEW, LIB_CXX, false, false },
	{ "_Znam", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnwmRKSt9nothrow_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnamRKSt9nothrow_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnwmSt11align_val_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnamSt11align_val_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnwmSt11align_val_tRKSt9nothrow_t", LEAK_NEW, LIB_CXX, false, false },
	{ "_ZnamSt11align_val_tRKSt9nothrow_t", LEAK_NEW, LIB_CXX, false, false },
};

#define NR_ENTRIES (sizeof(entries) / sizeof(entries[0]))

struct site {
	const struct entry *en;
	const char *path;
	struct ufunc fn;
	struct x86_probe_site where;
	bool found;
};

struct leak_probes {
	struct site sites[NR_ENTRIES];
	struct link_set links;
};

/*
 * Which entry points --kind wants: mmap's for mappings; the malloc
 * family's for blocks, and also for mappings alone, so that an mmap glibc
 * makes inside malloc stays malloc's (nothing of it is recorded then);
 * free and operator new only for blocks.
 */
static bool wanted(const struct entry *en, const struct leak_config *cfg)
{
	switch (en->kind) {
	case LEAK_MMAP:
	case LEAK_MREMAP:
	case LEAK_MUNMAP:
		return cfg->mmap;
	case LEAK_FREE:
	case LEAK_NEW:
		return cfg->heap;
	default:
		return true;
	}
}

static struct bpf_program *entry_prog(struct leak_bpf *s, enum leak_kind k)
{
	switch (k) {
	case LEAK_MALLOC: return s->progs.malloc_enter;
	case LEAK_CALLOC: return s->progs.calloc_enter;
	case LEAK_REALLOC: return s->progs.realloc_enter;
	case LEAK_REALLOCARRAY: return s->progs.reallocarray_enter;
	case LEAK_POSIX_MEMALIGN: return s->progs.posix_memalign_enter;
	case LEAK_ALIGNED_ALLOC: return s->progs.aligned_alloc_enter;
	case LEAK_MEMALIGN: return s->progs.memalign_enter;
	case LEAK_VALLOC: return s->progs.valloc_enter;
	case LEAK_PVALLOC: return s->progs.pvalloc_enter;
	case LEAK_NEW: return s->progs.new_enter_prog;
	case LEAK_MMAP: return s->progs.mmap_enter;
	case LEAK_MREMAP: return s->progs.mremap_enter;
	case LEAK_MUNMAP: return s->progs.munmap_enter_prog;
	case LEAK_FREE: return s->progs.free_enter_prog;
	default: return NULL;
	}
}

/*
 * One entry point in its file: 0 when found (or not needed), -1 after an
 * error for a required one. glibc's memalign and aligned_alloc are one
 * function: one probe, or each call would be seen twice.
 */
static int find_site(struct leak_probes *p, size_t i, struct uelf *elf,
		     const char *prefix)
{
	const struct entry *en = &entries[i];
	struct site *s = &p->sites[i];
	char name[128];
	int e;

	snprintf(name, sizeof(name), "%s%s", en->lib == LIB_ALLOC ? prefix : "",
		 en->name);
	e = uelf_func(elf, name, &s->fn);
	if (e) {
		if (en->required) {
			log_err("%s: no function %s%s", path_base(s->path), name,
				e == -ENOTSUP ? " (only an indirect one)" : "");
			return -1;
		}
		if (en->lib != LIB_CXX)
			log_info("%s: not in %s, not traced", name, path_base(s->path));
		return 0;
	}
	for (size_t k = 0; k < i; k++) {
		if (p->sites[k].found && p->sites[k].path == s->path &&
		    p->sites[k].fn.file_off == s->fn.file_off) {
			log_info("%s: the same function as %s", name,
				 p->sites[k].en->name);
			return 0;
		}
	}
	s->found = true;
	x86_cheap_probe_site(s->fn.code, s->fn.code_len, &s->where);
	return 0;
}

/* Finds every entry point, and where its probe is cheapest. */
static int find_sites(struct leak_probes *p, const struct leak_libs *libs,
		      const struct leak_config *cfg)
{
	const char *paths[] = { libs->alloc, libs->libc, libs->cxx };
	struct uelf *elfs[3] = {};
	int err = 0;

	for (int l = 0; l < 3; l++) {
		if (!paths[l][0])
			continue;
		elfs[l] = uelf_open(paths[l]);
		if (!elfs[l] && l != LIB_CXX) {
			log_err("cannot read %s: %s", paths[l], strerror(errno));
			err = -1;
			goto out;
		}
	}
	for (size_t i = 0; i < NR_ENTRIES && !err; i++) {
		p->sites[i].en = &entries[i];
		p->sites[i].path = paths[entries[i].lib];
		if (elfs[entries[i].lib] && wanted(&entries[i], cfg))
			err = find_site(p, i, elfs[entries[i].lib], cfg->prefix);
	}
out:
	for (int l = 0; l < 3; l++)
		uelf_close(elfs[l]);
	return err;
}

static const char *placement(const struct x86_probe_site *w)
{
	static char buf[96];

	if (!w->insn)
		return "the symbol's address (its first instruction is single-stepped)";
	if (!w->skipped)
		snprintf(buf, sizeof(buf), "the symbol's address (%s, emulated)", w->insn);
	else
		snprintf(buf, sizeof(buf), "%s, emulated, after %d instruction%s that change no argument",
			 w->insn, w->skipped, w->skipped > 1 ? "s" : "");
	return buf;
}

static void log_sites(const struct leak_probes *p)
{
	for (size_t i = 0; i < NR_ENTRIES; i++) {
		const struct site *s = &p->sites[i];

		if (s->found)
			log_info("%s: %s+0x%llx: uprobe%s at +%zu: %s",
				 s->en->name, path_base(s->path),
				 (unsigned long long)s->fn.file_off,
				 s->en->ret ? " and uretprobe" : "",
				 s->where.offset, placement(&s->where));
	}
}

static int attach_site(struct leak_collector *c, struct site *s, bool ret)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = ret);
	struct bpf_program *prog = ret ? c->skel->progs.alloc_return :
					 entry_prog(c->skel, s->en->kind);
	uint64_t off = s->fn.file_off + s->where.offset;
	struct bpf_link *link;

	link = bpf_program__attach_uprobe_opts(prog, c->cfg.pid, s->path, off, &uo);
	if (!link) {
		int err = -errno;

		if (s->en->required) {
			log_info("cannot attach a uprobe to %s in %s: %s",
				 s->en->name, s->path, strerror(-err));
			return err;
		}
		log_warn("%s in %s not traced: %s", s->en->name,
			 path_base(s->path), strerror(-err));
		s->found = false;
		return 0;
	}
	return link_set_add(&c->probes->links, link);
}

/* A probe each: return probes first (below). */
static int attach_each(struct leak_collector *c)
{
	struct leak_probes *p = c->probes;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < NR_ENTRIES; i++) {
			struct site *s = &p->sites[i];

			if (!s->found || (pass == 0 && !s->en->ret))
				continue;
			if (attach_site(c, s, pass == 0))
				return -1;
		}
	}
	return 0;
}

/* The sites in path, return probes (ret) or entry probes: their offsets
 * and kinds. How many. */
static uint32_t sites_in(const struct leak_probes *p, const char *path,
			 bool ret, uint64_t *offs, uint64_t *kinds)
{
	uint32_t n = 0;

	for (size_t i = 0; i < NR_ENTRIES; i++) {
		const struct site *s = &p->sites[i];

		if (!s->found || strcmp(s->path, path) || (ret && !s->en->ret))
			continue;
		offs[n] = s->fn.file_off + s->where.offset;
		kinds[n++] = s->en->kind;
	}
	return n;
}

/*
 * One link for the entry probes of each file, one for its return probes
 * (first, as below); each offset's cookie is its kind, which the one entry
 * program switches on. A failure is the method's: the chain then tries a
 * probe each.
 */
static int attach_multi(struct leak_collector *c, const struct leak_libs *libs)
{
	const char *paths[] = { libs->alloc, libs->libc, libs->cxx };
	struct leak_probes *p = c->probes;
	uint64_t offs[NR_ENTRIES], kinds[NR_ENTRIES];

	for (int ret = 1; ret >= 0; ret--) {
		struct bpf_program *prog = ret ? c->skel->progs.alloc_return :
						 c->skel->progs.entry_multi;

		for (int l = 0; l < 3; l++) {
			uint32_t n;
			int fd;

			/* libc is the allocator too, usually: once. */
			if (!paths[l][0] || (l && !strcmp(paths[l], paths[0])))
				continue;
			n = sites_in(p, paths[l], ret, offs, kinds);
			if (!n)
				continue;
			fd = uprobe_multi_link(bpf_program__fd(prog), paths[l],
					       offs, kinds, n, ret, c->cfg.pid);
			if (fd < 0) {
				log_info("cannot make a multi-uprobe link on %s: %s",
					 paths[l], strerror(-fd));
				return fd;
			}
			if (link_set_add_fd(&p->links, fd))
				return -E2BIG;
		}
	}
	return 0;
}

/*
 * For entry_multi: the low 12 bits of kind's probe offset, with 0x1000
 * set, if no other entry probe's offset (in any file) has them; else 0,
 * and the program reads the probe's cookie.
 */
static uint32_t multi_at(const struct leak_probes *p, enum leak_kind kind)
{
	const struct site *k = NULL;
	uint64_t lo;

	for (size_t i = 0; i < NR_ENTRIES; i++)
		if (p->sites[i].found && p->sites[i].en->kind == kind)
			k = &p->sites[i];
	if (!k)
		return 0;
	lo = (k->fn.file_off + k->where.offset) & 0xfff;
	for (size_t i = 0; i < NR_ENTRIES; i++) {
		const struct site *s = &p->sites[i];

		if (s != k && s->found &&
		    ((s->fn.file_off + s->where.offset) & 0xfff) == lo)
			return 0;
	}
	return 0x1000 | lo;
}

/*
 * Whether a multi-uprobe link made with a pid runs its program only in
 * that process's threads: since 6.12 uprobe_prog_run() checks
 * same_thread_group(current, link->task); before, it compared the mm,
 * which a CLONE_VM child (vfork, posix_spawn) shares.
 */
static bool multi_filters_tgid(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 12);
}

/* Opens and loads the programs of method h: an entry program per entry
 * point (perf-event links), or one for all of them (multi-uprobe links). */
static int load(struct leak_collector *c, enum hook h)
{
	bool multi = h == HOOK_UPROBE_MULTI;
	struct bpf_program *prog;
	int err;

	c->skel = leak_bpf_open(c);
	if (!c->skel) {
		log_err("cannot open the BPF program: %s", strerror(errno));
		return -errno;
	}
	bpf_object__for_each_program(prog, c->skel->obj)
		bpf_program__set_autoload(prog, leak_prog_is_process(prog) &&
					  (prog == c->skel->progs.entry_multi) == multi);
	bpf_program__set_autoload(c->skel->progs.alloc_return, true);
	bpf_program__set_autoload(c->skel->progs.exec_raw_tp, true);
	if (multi) {
		c->skel->rodata->multi_malloc_at = multi_at(c->probes, LEAK_MALLOC);
		c->skel->rodata->multi_free_at = multi_at(c->probes, LEAK_FREE);
		c->skel->rodata->links_filter_tgid = c->cfg.pid > 0 &&
						     multi_filters_tgid();
		bpf_program__set_expected_attach_type(c->skel->progs.entry_multi,
						      UPROBE_MULTI_ATTACH_TYPE);
		bpf_program__set_expected_attach_type(c->skel->progs.alloc_return,
						      UPROBE_MULTI_ATTACH_TYPE);
	}
	err = leak_bpf__load(c->skel);
	if (err)
		log_info("cannot load the BPF program: %s", strerror(-err));
	else if ((err = leak_slots_map(&c->slots, c->skel)))
		log_err("cannot map the table of blocks: %s", strerror(-err));
	return err;
}

/* First: an exec from now on must end the old image's blocks. */
static int attach_exec(struct leak_collector *c)
{
	struct bpf_link *link = bpf_program__attach(c->skel->progs.exec_raw_tp);

	if (!link) {
		log_info("cannot attach to sched_process_exec: %s", strerror(errno));
		return -errno;
	}
	log_info("sched_process_exec via raw_tp");
	return link_set_add(&c->probes->links, link);
}

struct try_ctx {
	struct leak_collector *c;
	const struct leak_libs *libs;
};

/* Method h of the chain: loads and attaches everything, or leaves
 * nothing behind. */
static int try_method(void *ctx, enum hook h)
{
	const struct hook_desc *d = &leak_user_hooks.hooks[LEAK_HOOK_UPROBES];
	struct try_ctx *t = ctx;
	struct leak_collector *c = t->c;
	char why[HOOK_WHY_LEN];
	int err;

	if (d->check(h, why, sizeof(why))) {
		log_info("%s: %s", d->what, why);
		return HOOK_UNAVAILABLE;
	}
	err = load(c, h);
	if (!err)
		err = attach_exec(c);
	if (!err)
		err = h == HOOK_UPROBE_MULTI ? attach_multi(c, t->libs) :
					       attach_each(c);
	if (err) {
		link_set_close(&c->probes->links);
		leak_slots_unmap(&c->slots);
		leak_bpf__destroy(c->skel);
		c->skel = NULL;
		return err < 0 ? err : -EINVAL;
	}
	log_info("%s via %s", d->what, hook_name(h));
	return 0;
}

int leak_uprobes_attach(struct leak_collector *c, const struct leak_libs *libs)
{
	const struct hook_desc *d = &leak_user_hooks.hooks[LEAK_HOOK_UPROBES];
	struct try_ctx t = { c, libs };

	c->probes = log_calloc(1, sizeof(*c->probes));
	if (!c->probes)
		return -1;
	if (find_sites(c->probes, libs, &c->cfg))
		return -1;
	if (hook_attach(d->what, d->chain, d->chain_len, try_method, &t) < 0)
		return -1;
	log_sites(c->probes);
	return 0;
}

void leak_uprobes_detach(struct leak_collector *c)
{
	struct leak_probes *p = c->probes;

	if (!p)
		return;
	link_set_close(&p->links);
	free(p);
	c->probes = NULL;
}
