/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One program of a BPF object (the bytes a skeleton embeds), loaded with
 * the kernel applying its CO-RE relocations against its own BTF (Linux
 * 5.17+: BPF_PROG_LOAD's core_relos). Nothing of the kernel's BTF is read
 * in user space and no libbpf object is made: for a command that runs one
 * small program once (filecache on one file) that is most of its time.
 * Only for programs that use no map, no global data and no subprogram: a
 * section's instructions as they are, but for CO-RE relocations.
 */
#ifndef MEMTRACE_CORE_KRELOC_H
#define MEMTRACE_CORE_KRELOC_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* What the object holds for one program, read from its ELF sections. */
struct kreloc_prog {
	const struct bpf_insn *insns;	/* in the object */
	size_t insn_cnt;
	void *btf;			/* a copy of .BTF, its DATASECs sized */
	size_t btf_size;
	struct bpf_func_info func;	/* insn_off in instructions */
	struct bpf_core_relo *relos;	/* insn_off in bytes */
	size_t nrelos;
};

/*
 * The program of section sec of the object (size bytes at obj): 0, or
 * -EINVAL (not such an object, malformed), -ENOENT (no such section, or
 * no BTF for it), -EOPNOTSUPP (it has relocations other than CO-RE's:
 * maps, global data, calls), -ENOMEM. kreloc_free() after either.
 */
int kreloc_parse(const void *obj, size_t size, const char *sec,
		 struct kreloc_prog *p);
void kreloc_free(struct kreloc_prog *p);

/* Loads section sec of obj as a program of type type, relocated by the
 * kernel: its fd, or -errno (a kernel before 5.17 refuses core_relos). */
int kreloc_load(const void *obj, size_t size, const char *sec,
		enum bpf_prog_type type);

#endif /* MEMTRACE_CORE_KRELOC_H */
