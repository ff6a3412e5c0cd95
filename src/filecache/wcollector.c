// SPDX-License-Identifier: GPL-2.0
/* filecache --watch's collector: what it keeps to (PATHs, cgroup), the
 * hook chain, the classic tracepoint's calibration, the names. The
 * snapshots are read in wsnapshot.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "filecache_watch.skel.h"
#include "core/hooks.h"
#include "core/log.h"
#include "core/loop.h"
#include "filecache/hooks.h"
#include "filecache/wcollector.h"
#include "filecache/wcollector_int.h"
#include "util/mountid.h"
#include "util/procfs.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

/* -- What it keeps to --------------------------------------------------- */

static int add_root(struct fcw_collector *c, uint32_t dev, uint64_t ino)
{
	struct fcw_root *r;

	for (size_t i = 0; i < c->nroots; i++)
		if (c->roots[i].dev == dev && c->roots[i].ino == ino)
			return 0;
	r = realloc(c->roots, (c->nroots + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	c->roots = r;
	c->roots[c->nroots++] = (struct fcw_root){ .ino = ino, .dev = dev };
	return 0;
}

/* The superblock's device of the mount holding path, as the kernel's
 * events give it: st_dev differs from it on btrfs subvolumes. */
static uint32_t kernel_dev(struct fcw_collector *c, const char *path,
			   const struct stat *st)
{
	const struct mountinfo *mi = fcw_names_mounts(&c->names);
	const struct mt_mount *m = NULL;
	int id = mi ? mount_id_of(path) : -1;

	if (id >= 0)
		m = mountinfo_by_id(mi, id);
	if (m)
		return m->major << 20 | m->minor;
	return major(st->st_dev) << 20 | minor(st->st_dev);
}

/* dir's own filesystems below it: each mount under it, by its root. */
static int add_mounts_under(struct fcw_collector *c, const char *dir)
{
	const struct mountinfo *mi = fcw_names_mounts(&c->names);
	char *real = realpath(dir, NULL);
	size_t n = real ? strlen(real) : 0;
	struct stat st;
	int err = 0;

	if (!real)
		return -errno;
	for (size_t i = 0; mi && i < mi->n && !err; i++) {
		const struct mt_mount *m = &mi->m[i];

		if (strcmp(real, "/") && (strncmp(m->point, real, n) ||
					  (m->point[n] && m->point[n] != '/')))
			continue;
		if (!stat(m->point, &st))
			err = add_root(c, m->major << 20 | m->minor, st.st_ino);
	}
	free(real);
	return err;
}

/* Each PATH of --watch: a file, or a directory with its tree (the
 * filesystems mounted in it too, as they are mounted now). */
static int find_roots(struct fcw_collector *c)
{
	struct stat st;
	int err;

	for (int i = 0; i < c->cfg.npaths; i++) {
		const char *p = c->cfg.paths[i];

		if (stat(p, &st)) {
			log_err("%s: %s", p, strerror(errno));
			return -errno;
		}
		err = add_root(c, kernel_dev(c, p, &st), st.st_ino);
		if (!err && S_ISDIR(st.st_mode))
			err = add_mounts_under(c, p);
		if (err) {
			log_err("%s: %s", p, strerror(-err));
			return err;
		}
	}
	return 0;
}

static int open_cgroup(struct fcw_collector *c)
{
	struct statfs sf;

	if (!c->cfg.cgroup)
		return 0;
	c->cgroup_fd = open(c->cfg.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->cgroup_fd < 0) {
		log_err("--cgroup %s: %s", c->cfg.cgroup, strerror(errno));
		return -errno;
	}
	if (fstatfs(c->cgroup_fd, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC) {
		log_err("--cgroup %s: not a directory of the cgroup v2 hierarchy",
			c->cfg.cgroup);
		return -EINVAL;
	}
	return 0;
}

/* -- The classic tracepoint's struct pages ------------------------------ */

/*
 * A page of memtrace's own in the page cache, of a memfd (shmem: a page
 * of memory, nothing written anywhere), at index 0 alone, where the
 * xarray holds it in its head; its frame number from /proc/self/pagemap.
 * The program finds the memfd in memtrace's file table: the page's
 * address less pfn struct pages is the vmemmap.
 */
static int calibrate(struct fcw_collector *c)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = memfd_create("memtrace-vmemmap", MFD_CLOEXEC), err;
	uint64_t pfn = 0;
	char *p = MAP_FAILED;

	if (fd >= 0 && !ftruncate(fd, page))
		p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
	} else {
		/* One small page, even where tmpfs makes huge ones. */
		madvise(p, page, MADV_NOHUGEPAGE);
		*(volatile char *)p = 1;
		err = proc_self_pfn(p, &pfn);
	}
	if (!err) {
		__u64 args[2] = { (__u64)fd, pfn };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args,
			    .ctx_size_in = sizeof(args));

		err = bpf_prog_test_run_opts(bpf_program__fd(c->skel->progs.calibrate),
					     &opts) ? -errno : 0;
		if (!err && opts.retval)
			err = -ENOENT;
	}
	if (p != MAP_FAILED)
		munmap(p, page);
	if (fd >= 0)
		close(fd);
	if (err)
		log_info("page cache: cannot find struct pages from pfns: %s",
			 strerror(-err));
	return err;
}

/* -- Loading ------------------------------------------------------------ */

static void configure(struct fcw_collector *c, struct filecache_watch_bpf *skel,
		      bool btf)
{
	const struct fcw_config *o = &c->cfg;

	skel->rodata->targ_tgid = o->pid;
	skel->rodata->filter_comm = o->comm[0] != '\0';
	memcpy((char *)skel->rodata->targ_comm, o->comm, sizeof(o->comm));
	skel->rodata->filter_cgroup = o->cgroup != NULL;
	skel->rodata->filter_paths = c->nroots > 0;
	skel->rodata->wakeup_bytes = loop_wakeup_bytes(o->ringbuf_size);
	bpf_map__set_max_entries(skel->maps.files, o->max_files);
	bpf_map__set_max_entries(skel->maps.tasks, 4 * o->max_files);
	bpf_map__set_max_entries(skel->maps.roots, c->nroots ? c->nroots : 1);
	if (!c->nroots)
		bpf_map__set_max_entries(skel->maps.skipped, 1);
	bpf_map__set_max_entries(skel->maps.events, o->ringbuf_size);
	bpf_program__set_autoload(skel->progs.add_btf, btf);
	bpf_program__set_autoload(skel->progs.delete_btf, btf);
	bpf_program__set_autoload(skel->progs.add_tp, !btf);
	bpf_program__set_autoload(skel->progs.delete_tp, !btf);
	bpf_program__set_autoload(skel->progs.calibrate, !btf);
	bpf_program__set_autoload(skel->progs.refresh, c->refresh);
	/* Run, never attached. */
	bpf_program__set_autoattach(skel->progs.calibrate, false);
	bpf_program__set_autoattach(skel->progs.refresh, false);
}

/* The PATHs' roots and the cgroup into their maps. */
static int fill_maps(struct fcw_collector *c, struct filecache_watch_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.roots);
	__u32 zero = 0;
	__u8 one = 1;

	for (size_t i = 0; i < c->nroots; i++)
		if (bpf_map_update_elem(fd, &c->roots[i], &one, BPF_ANY))
			return -errno;
	if (c->cgroup_fd >= 0 &&
	    bpf_map_update_elem(bpf_map__fd(skel->maps.cgroups), &zero,
				&c->cgroup_fd, BPF_ANY))
		return -errno;
	return 0;
}

static int try_attach(void *ctx, enum hook h)
{
	struct fcw_collector *c = ctx;
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = btf_custom_path());
	bool btf = h == HOOK_TP_BTF;
	struct filecache_watch_bpf *skel;
	char why[HOOK_WHY_LEN];
	int err;

	/* What `memtrace probe` says of this kernel, before loading. */
	if (filecache_watch_hooks.hooks[0].check(h, why, sizeof(why))) {
		log_info("page cache: %s: %s", hook_name(h), why);
		return HOOK_UNAVAILABLE;
	}
	if (!btf && (err = tracefs_ensure()))
		return err;
	skel = filecache_watch_bpf__open_opts(&open_opts);
	if (!skel)
		return -errno;
	configure(c, skel, btf);
	err = filecache_watch_bpf__load(skel);
	if (!err)
		err = fill_maps(c, skel);
	c->skel = skel;
	if (!err && !btf)
		err = calibrate(c);
	if (!err)
		err = filecache_watch_bpf__attach(skel);
	if (err) {
		filecache_watch_bpf__destroy(skel);
		c->skel = NULL;
		return err;
	}
	log_info("mm_filemap_add/delete_from_page_cache via %s%s",
		 hook_name(h), btf ? "" : " (pfns followed to struct pages)");
	if (!c->refresh)
		log_info("page cache: no bpf_for_each_map_elem (Linux 5.13+): files' cached pages as of their last event");
	return 0;
}

struct fcw_collector *fcw_collector_open(const struct fcw_config *cfg)
{
	const struct hook_desc *hook = &filecache_watch_hooks.hooks[0];
	struct fcw_collector *c = log_calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = *cfg;
	c->cgroup_fd = -1;
	fcw_names_init(&c->names);
	/* Files' pages are read again before each snapshot where the
	 * kernel can walk a map (5.13+) in a program run on demand. */
	c->refresh = !probe_test_run() &&
		     libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT,
					     BPF_FUNC_for_each_map_elem, NULL) > 0;
	if (find_roots(c) || open_cgroup(c) ||
	    hook_attach("page cache", hook->chain, hook->chain_len, try_attach,
			c) < 0) {
		fcw_collector_close(c);
		return NULL;
	}
	return c;
}

void fcw_collector_close(struct fcw_collector *c)
{
	if (!c)
		return;
	filecache_watch_bpf__destroy(c->skel);
	if (c->cgroup_fd >= 0)
		close(c->cgroup_fd);
	fcw_names_free(&c->names);
	free(c->roots);
	free(c);
}

int fcw_collector_events_fd(const struct fcw_collector *c)
{
	return bpf_map__fd(c->skel->maps.events);
}

struct bpf_object *fcw_collector_object(const struct fcw_collector *c)
{
	return c->skel->obj;
}

int fcw_collector_on_event(struct fcw_collector *c, const void *data,
			   size_t size)
{
	int err = fcw_names_add(&c->names, data, size);

	/* A record too short is not ours to judge: pass over it. */
	return err == -ENOMEM ? err : 0;
}
