/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fast, read-only access to the kernel's BTF, for the few facts a command
 * needs before libbpf gets involved: a function's type id, a struct
 * member's offset. libbpf parses and validates all of the 5.5 MB of
 * vmlinux BTF (about 7 ms, and a copy) in every object it opens; this maps
 * the file (6.16+; read where mmap is refused) and indexes it in one pass.
 */
#ifndef MEMTRACE_KBTF_H
#define MEMTRACE_KBTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kbtf;
struct btf_type;

/* The bytes after a struct btf_type that belong to it (members, enum
 * values, parameters...), by its kind and vlen. */
size_t kbtf_extra_size(const struct btf_type *t);

/* path: raw BTF, e.g. /sys/kernel/btf/vmlinux; base: the vmlinux BTF a
 * module's split BTF builds on, or NULL. NULL with errno on failure. */
struct kbtf *kbtf_open(const char *path, const struct kbtf *base);
void kbtf_close(struct kbtf *b);

/* The id of the type named name of BTF kind kind (BTF_KIND_*), or -1.
 * In a split BTF only its own types are searched, not its base's. */
int kbtf_find(const struct kbtf *b, const char *name, int kind);
/* The same for n names of one kind in a single pass: ids[i] or -1. */
void kbtf_find_all(const struct kbtf *b, const char *const *names, int n,
		   int kind, int *ids);

/*
 * A member of a struct or union, looked up by name through anonymous
 * structs and unions: its offset in bits from the start of the type and
 * its type id. Returns 0 or -1.
 */
int kbtf_member(const struct kbtf *b, int type_id, const char *member,
		uint32_t *bit_offset, int *member_type);

/* What a member's type comes to, past typedefs and qualifiers: an integer
 * or enum of *size bytes (KBTF_SCALAR), a pointer (KBTF_POINTER, to
 * *pointee, -1 for void), a struct or union (KBTF_RECORD), or -1. */
enum kbtf_shape { KBTF_SCALAR, KBTF_POINTER, KBTF_RECORD };
int kbtf_shape(const struct kbtf *b, int type_id, uint32_t *size,
	       int *pointee);
/* The name of a type (a struct's, for a pointee), "" when anonymous. */
const char *kbtf_name(const struct kbtf *b, int type_id);

/*
 * The members CO-RE relocations of a BPF object use, at the running
 * kernel's offsets, as a BTF of their own that libbpf parses in
 * microseconds (bpf_object_open_opts.btf_custom_path, given a
 * /proc/self/fd path). Each entry names "struct.member"; a struct that
 * does not exist in the kernel is left out (bpf_core_type_exists() then
 * says so), as is a member that does not exist in it. Members are written
 * as integers (bitfields too) or void pointers, which is all CO-RE
 * compares of them; a member that is a struct also wanted ("inode.i_data"
 * with "address_space.nrpages") as that struct, with its wanted members.
 * Any other member that is a struct, union or array is left out, so a
 * relocation reaching into one fails (the caller can then fall back to
 * the whole kernel BTF).
 */
struct kbtf_subset {
	int fd;			/* a memfd holding the BTF */
	char path[32];		/* /proc/self/fd/N */
};

int kbtf_subset(const struct kbtf *vmlinux, const struct kbtf *module,
		const char *const *members, int n, struct kbtf_subset *out);
void kbtf_subset_close(struct kbtf_subset *s);

#endif /* MEMTRACE_KBTF_H */
