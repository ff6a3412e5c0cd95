/* SPDX-License-Identifier: GPL-2.0 */
/* GFP flags by name, as the running kernel defines and prints them. */
#ifndef MEMTRACE_GFP_H
#define MEMTRACE_GFP_H

#include <stddef.h>
#include <stdint.h>

struct btf;

/* The names gfp_str() prints, as this build knows them (a kernel's BTF may
 * name more), NULL-ended: for completion. */
extern const char *const gfp_names[];

/*
 * Learns the flag bits of the running kernel: from its BTF enum of
 * ___GFP_*_BIT (6.10+, where the bits are packed and depend on Kconfig),
 * else from the stable low bits of the kernel version "major.minor" (bit 9
 * is __GFP_ATOMIC before 6.3). btf may be NULL. Returns 0.
 */
int gfp_init(const struct btf *btf, const char *release);

/*
 * Renders flags as the kernel's show_gfp_flags() does: composite names
 * first (GFP_KERNEL), then single flags (__GFP_ZERO), in the kernel's
 * order, joined with '|'; leftover bits as hex; "none" for 0.
 */
char *gfp_str(uint64_t flags, char *buf, size_t len);

/* The mask of a name as gfp_str() prints it ("GFP_KERNEL", "__GFP_ZERO";
 * the leading underscores and "GFP_" may be left out: "zero"), or of a
 * number. Returns 0, or -1 for a name this kernel does not have, or a
 * number that is 0 or has a bit that is no flag of this kernel. */
int gfp_parse(const char *name, uint64_t *mask);

#endif /* MEMTRACE_GFP_H */
