// SPDX-License-Identifier: GPL-2.0
/* filecache's collector: the hook chain, the kernel BTF subset CO-RE
 * relocates against where libbpf does it, and the kernel's answer for one
 * file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "memtrace/filecache.h"
#include "filecache.skel.h"
#include "core/log.h"
#include "filecache/collector.h"
#include "filecache/fdprog.h"
#include "filecache/hooks.h"
#include "filecache/pagecache.h"
#include "util/kbtf.h"

struct fc_collector {
	struct fc_fdprog fd;		/* test_run */
	struct filecache_bpf *skel;	/* fentry, kprobe */
	bool btf_opened;
	const struct kbtf *btf;		/* the kernel's (hooks.c keeps it) */
	struct kbtf *ovl_btf;		/* overlayfs's, if a module */
	struct kbtf_subset subset;	/* what CO-RE needs of them */
	enum hook method;
};

static void reset_result(struct fc_collector *c)
{
	if (c->skel)
		c->skel->bss->result.count = 0;
}

/* The answer of the fentry or kprobe program to the last stat(), for the
 * file whose stat is st. */
static int answer(struct fc_collector *c, const struct stat *st,
		  uint64_t *cached)
{
	int i = fc_pick(&c->skel->bss->result, st);

	if (i < 0)
		return -ENOENT;
	*cached = c->skel->bss->result.rec[i].nrpages;
	return 0;
}

int fc_collector_stat(struct fc_collector *c, const struct fc_at *at,
		      struct stat *st)
{
	reset_result(c);
	return fstatat(at->dirfd, at->name, st,
		       at->follow ? 0 : AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

/* Its fstat() fires the fentry or kprobe hook as a stat() does; test_run
 * looks the descriptor up (whose file the caller opened as st's). */
int fc_collector_pages_fd(struct fc_collector *c, int fd,
			  const struct stat *st, uint64_t *cached)
{
	struct stat again;
	int err;

	if (c->method == HOOK_TEST_RUN) {
		err = fc_fdprog_pages(&c->fd, fd, cached);
		return err > 0 ? fc_fdprog_overlay_pages(&c->fd, fd, cached) : err;
	}
	reset_result(c);
	err = fstat(fd, &again) ? -errno : 0;
	return err ? err : answer(c, st, cached);
}

/*
 * With fentry or kprobe, the stat() that got st already asked the kernel.
 * With test_run, the file is opened as O_PATH (no permission needed,
 * nothing changes) and looked up; an overlayfs file is opened for reading
 * then, as only an open file leads to the real one. Either open must find
 * the inode of st, not one renamed there since.
 */
int fc_collector_pages(struct fc_collector *c, const struct fc_at *at,
		       const struct stat *st, uint64_t *cached)
{
	int fd, err;

	if (c->method != HOOK_TEST_RUN)
		return answer(c, st, cached);
	fd = fc_open_same(at, O_PATH, st);
	if (fd < 0)
		return fd;
	err = fc_fdprog_pages(&c->fd, fd, cached);
	close(fd);
	if (err <= 0)
		return err;
	fd = fc_open_read(at, st);
	if (fd < 0)
		return fd;
	err = fc_collector_pages_fd(c, fd, st, cached);
	close(fd);
	return err;
}

int fc_collector_path(struct fc_collector *c, const char *path,
		      struct stat *st, uint64_t *cached)
{
	struct fc_at at = { AT_FDCWD, path, path, true };
	int err = fc_collector_stat(c, &at, st);

	return err ? err : fc_collector_pages(c, &at, st, cached);
}

/* -- Set-up ------------------------------------------------------------ */

/*
 * Every struct member the programs read with CO-RE: where libbpf
 * relocates them, it does against a BTF of just these (kbtf_subset), not
 * all 5.5 MB of the kernel's, which it would parse for every attempt of
 * the chain.
 */
static const char *const core_members[] = {
	"task_struct.files", "files_struct.fdt", "fdtable.max_fds",
	"fdtable.fd", "file.f_mapping", "file.f_mode",
	"file.private_data", "inode.i_sb", "inode.i_ino", "inode.i_mapping",
	"super_block.s_dev", "super_block.s_magic", "address_space.nrpages",
	"path.dentry", "dentry.d_inode", "ovl_file.realfile",
	/* filecache_fd.bpf.c reaches nrpages through an inode's own. */
	"inode.i_data",
	/* BPF_KPROBE() reads the first argument from the registers. */
	"pt_regs.di",
};

/* The kernel's BTF, overlayfs's when it is a module, and the subset: only
 * when a method needs them (the kernel relocates test_run by itself). */
static void open_btf(struct fc_collector *c)
{
	int err;

	if (c->btf_opened)
		return;
	c->btf_opened = true;
	/* Indexed once: the fentry check uses it too. */
	c->btf = vmlinux_kbtf();
	if (!c->btf)
		return;
	/* overlayfs's types are in its own BTF when it is a module. */
	if (!access("/sys/kernel/btf/overlay", F_OK))
		c->ovl_btf = kbtf_open("/sys/kernel/btf/overlay", c->btf);
	err = kbtf_subset(c->btf, c->ovl_btf, core_members,
			  sizeof(core_members) / sizeof(core_members[0]),
			  &c->subset);
	if (err)
		log_info("relocating against the whole kernel BTF: %s",
			 strerror(-err));
}

/*
 * A method works when the kernel answers for a file we know: the hook
 * fired for our stat() of / (fentry, kprobe), or the program found a
 * descriptor of ours in our file table (test_run): its own, which needs
 * no path looked up and opened first.
 */
static int check_answers(struct fc_collector *c, enum hook h)
{
	struct stat st;
	uint64_t cached;
	int err;

	c->method = h;
	if (h == HOOK_TEST_RUN)
		err = fc_fdprog_check(&c->fd);
	else
		err = fc_collector_path(c, "/", &st, &cached);
	if (err < 0)
		log_info("page cache: %s did not answer for %s: %s", hook_name(h),
			 h == HOOK_TEST_RUN ? "its own descriptor" : "/",
			 strerror(-err));
	return err < 0 ? err : 0;
}

/* With libbpf, against the subset, or the whole kernel BTF when the
 * subset is missing a member (which must not cost the answer). */
static int with_subset(struct fc_collector *c, enum hook h,
		       int (*load)(struct fc_collector *c, enum hook h,
				   const char *btf_path))
{
	int err;

	open_btf(c);
	if (c->subset.fd < 0)
		return load(c, h, btf_custom_path());
	err = load(c, h, c->subset.path);
	if (err == -EINVAL) {
		log_info("page cache: %s: retrying with the whole kernel BTF",
			 hook_name(h));
		err = load(c, h, btf_custom_path());
	}
	return err;
}

static int load_fd_libbpf(struct fc_collector *c, enum hook h,
			  const char *btf_path)
{
	(void)h;
	return fc_fdprog_load_libbpf(&c->fd, btf_path);
}

/*
 * test_run: the program relocated by the kernel (5.17+), which reads none
 * of its BTF here; else by libbpf. A BTF file given for a kernel without
 * its own (MEMTRACE_BTF) is libbpf's to read.
 */
static int load_test_run(struct fc_collector *c)
{
	int err = -EOPNOTSUPP;

	if (!btf_custom_path()) {
		err = fc_fdprog_load_kernel(&c->fd);
		if (err)
			log_info("page cache: the kernel cannot relocate the test_run program (Linux 5.17+): %s; libbpf does",
				 strerror(-err));
	}
	if (err)
		err = with_subset(c, HOOK_TEST_RUN, load_fd_libbpf);
	if (!err)
		err = check_answers(c, HOOK_TEST_RUN);
	if (err) {
		fc_fdprog_close(&c->fd);
		return err;
	}
	log_info("page cache via test_run (BPF_PROG_TEST_RUN on memtrace's own file descriptors; relocated by %s)",
		 c->fd.by_kernel ? "the kernel" : "libbpf");
	return 0;
}

static int load_hook(struct fc_collector *c, enum hook h, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = btf_path);
	struct filecache_bpf *skel;
	int err;

	skel = filecache_bpf__open_opts(&open_opts);
	if (!skel)
		return -errno;
	skel->rodata->self_pid_tgid = (__u64)getpid() << 32 | gettid();
	bpf_program__set_autoload(skel->progs.getattr_fentry, h == HOOK_FENTRY);
	bpf_program__set_autoload(skel->progs.getattr_kprobe, h == HOOK_KPROBE);
	err = filecache_bpf__load(skel);
	if (!err)
		err = filecache_bpf__attach(skel);
	if (!err) {
		c->skel = skel;
		err = check_answers(c, h);
	}
	if (err) {
		filecache_bpf__destroy(skel);
		c->skel = NULL;
		return err;
	}
	log_info("vfs_getattr_nosec via %s", hook_name(h));
	return 0;
}

/* BPF_PROG_TEST_RUN on our own descriptors; where the kernel has no
 * test_run for raw_tp programs (before 5.10), fentry, then a kprobe, on
 * vfs_getattr_nosec(). */
static int try_attach(void *ctx, enum hook h)
{
	struct fc_collector *c = ctx;
	char why[128];

	if (h == HOOK_TEST_RUN)
		return load_test_run(c);
	/* Rule out what cannot work before libbpf does any work: the check
	 * `memtrace probe` shows (test_run needs no check of its own: it is
	 * checked by answering). */
	open_btf(c);
	if (filecache_hooks.hooks[0].check(h, why, sizeof(why))) {
		log_info("page cache: %s", why);
		return HOOK_UNAVAILABLE;
	}
	return with_subset(c, h, load_hook);
}

struct fc_collector *fc_collector_open(void)
{
	const struct hook_desc *hook = &filecache_hooks.hooks[0];
	struct fc_collector *c = log_calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->subset.fd = -1;
	c->fd.fd = -1;
	if (hook_attach("page cache", hook->chain, hook->chain_len, try_attach, c) < 0) {
		fc_collector_close(c);
		return NULL;
	}
	return c;
}

void fc_collector_close(struct fc_collector *c)
{
	if (!c)
		return;
	fc_fdprog_close(&c->fd);
	filecache_bpf__destroy(c->skel);
	kbtf_subset_close(&c->subset);
	kbtf_close(c->ovl_btf);
	free(c);
}
