// SPDX-License-Identifier: GPL-2.0
// Tests for src/core/kreloc.c: a BPF program read from the object a
// skeleton embeds (its instructions, BTF made loadable, func_info, CO-RE
// relocations), objects it must refuse (relocations of maps and globals,
// no such section, every truncation and a flipped byte of each header),
// and, where this process may, the kernel relocating and running it.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>
#include <bpf/bpf.h>
#include "core/kreloc.h"
#include "memtrace/filecache.h"
#include "filecache_fd.skel.h"
/* Only its bytes are used: its functions would be unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "filecache_watch.skel.h"
#pragma GCC diagnostic pop
#include "tap.h"

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

/* The DATASEC of the BTF has a size now, as the kernel wants. */
static int datasecs_sized(const struct kreloc_prog *p)
{
	const struct btf_header *h = p->btf;
	const uint8_t *t = (const uint8_t *)p->btf + h->hdr_len + h->type_off;
	int n = 0;

	for (size_t off = 0; off < h->type_len;) {
		const struct btf_type *bt = (const void *)(t + off);
		size_t vlen = BTF_INFO_VLEN(bt->info), extra;

		switch (BTF_INFO_KIND(bt->info)) {
		case BTF_KIND_DATASEC:
			if (!bt->size)
				return -1;
			n++;
			extra = vlen * sizeof(struct btf_var_secinfo);
			break;
		case BTF_KIND_INT: case BTF_KIND_VAR:
			extra = 4;
			break;
		case BTF_KIND_ARRAY:
			extra = sizeof(struct btf_array);
			break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION:
			extra = vlen * sizeof(struct btf_member);
			break;
		case BTF_KIND_ENUM:
			extra = vlen * sizeof(struct btf_enum);
			break;
		case BTF_KIND_FUNC_PROTO:
			extra = vlen * sizeof(struct btf_param);
			break;
		default:
			extra = 0;
		}
		off += sizeof(*bt) + extra;
	}
	return n;
}

static int has_exit(const struct kreloc_prog *p)
{
	for (size_t i = 0; i < p->insn_cnt; i++)
		if (p->insns[i].code == (BPF_JMP | BPF_EXIT))
			return 1;
	return 0;
}

static void test_parse(const void *obj, size_t size)
{
	struct kreloc_prog p;

	ok(!kreloc_parse(obj, size, "raw_tp/fd_pages", &p), "fd_pages parses");
	ok(p.insn_cnt > 10 && has_exit(&p), "%zu instructions, an exit among them",
	   p.insn_cnt);
	ok(p.func.insn_off == 0 && p.func.type_id > 0, "one func_info, at 0");
	ok(p.nrelos >= 7, "%zu CO-RE relocations", p.nrelos);
	ok(p.nrelos && p.relos[0].insn_off % 8 == 0 &&
	   p.relos[p.nrelos - 1].insn_off / 8 < p.insn_cnt,
	   "relocations at instructions of the program");
	ok(datasecs_sized(&p) == 1, "the license's DATASEC sized");
	kreloc_free(&p);
	ok(!kreloc_parse(obj, size, "raw_tp/fd_pages_overlay", &p) && p.nrelos,
	   "fd_pages_overlay parses");
	kreloc_free(&p);
	ok(kreloc_parse(obj, size, "raw_tp/nothing", &p) == -ENOENT,
	   "no such section: -ENOENT");
	kreloc_free(&p);
}

/* Every prefix and a flipped byte in each header: an error, no crash
 * (ASan watches). */
static void test_malformed(const void *obj, size_t size)
{
	unsigned char *copy = malloc(size);
	struct kreloc_prog p;
	int bad = 0, err;

	for (size_t n = 0; n < size; n += n < 256 ? 1 : 97) {
		memcpy(copy, obj, n);
		err = kreloc_parse(copy, n, "raw_tp/fd_pages", &p);
		kreloc_free(&p);
		bad += !err;
	}
	ok(!bad, "every truncated object refused (%d parsed)", bad);
	for (size_t i = 0; i < 64; i++) {
		memcpy(copy, obj, size);
		copy[i] ^= 0xff;
		kreloc_parse(copy, size, "raw_tp/fd_pages", &p);
		kreloc_free(&p);
	}
	ok(1, "ELF header bytes flipped: no crash");
	free(copy);
}

static void test_refused(void)
{
	size_t size;
	const void *obj = filecache_watch_bpf__elf_bytes(&size);
	struct kreloc_prog p;

	ok(kreloc_parse(obj, size, "raw_tp", &p) == -EOPNOTSUPP,
	   "a program using global data: -EOPNOTSUPP");
	kreloc_free(&p);
}

/* The kernel relocates it, and it reads a file of ours. */
static void test_load(const void *obj, size_t size)
{
	int fd = kreloc_load(obj, size, "raw_tp/fd_pages",
			     BPF_PROG_TYPE_RAW_TRACEPOINT);
	int file = open("/proc/self/exe", O_RDONLY);
	__u64 args[2] = { (__u64)file, 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args,
		    .ctx_size_in = sizeof(args));

	if (fd == -EPERM || fd == -E2BIG || fd == -EINVAL) {
		for (int i = 0; i < 3; i++)
			skip("the kernel does not load it here (no privileges, or before 5.17)");
		close(file);
		return;
	}
	ok(fd >= 0, "loaded, relocated by the kernel (%d)", fd);
	int err = bpf_prog_test_run_opts(fd, &opts);

	/* The executable runs: some of it is cached. */
	ok(!err && opts.retval && !(opts.retval & FC_FD_ERR),
	   "run on our own executable: %u pages cached", opts.retval);
	args[0] = 1000000;
	bpf_prog_test_run_opts(fd, &opts);
	ok(opts.retval == (FC_FD_ERR | FC_FD_BADF), "a descriptor not open: FC_FD_BADF");
	close(fd);
	close(file);
}

int main(void)
{
	size_t size;
	const void *obj = filecache_fd_bpf__elf_bytes(&size);

	test_parse(obj, size);
	test_malformed(obj, size);
	test_refused();
	test_load(obj, size);
	return tap_done();
}
