// SPDX-License-Identifier: GPL-2.0
// Tests for src/uprobe/x86insn.c: instruction lengths and cheap uprobe sites, on synthetic byte strings and on this machine's glibc.
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "uprobe/x86insn.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define PROLOGUE 32

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static const char *str(const char *s)
{
	return s ? s : "NULL";
}

/* A copy of code in a buffer of exactly len bytes, so ASan sees overreads. */
static uint8_t *exact(const uint8_t *code, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, code, len);
	return p;
}

static void check_site(const char *what, const uint8_t *code, size_t len,
		       size_t offset, const char *insn)
{
	struct x86_probe_site s = { 99, 99, "junk" };
	uint8_t *p = exact(code, len);
	int ret;

	ret = x86_cheap_probe_site(p, len, &s);
	ok(!ret && s.offset == offset && same(s.insn, insn),
	   "%s: probe at +%zu (%s), want +%zu (%s)", what, s.offset,
	   str(s.insn), offset, str(insn));
	free(p);
}

/* The whole instruction decodes to len bytes, and one byte less to nothing. */
static void check_len(const char *what, const uint8_t *code, size_t len,
		      size_t want)
{
	uint8_t *p = exact(code, len);
	size_t got = x86_insn_len(p, len), cut = x86_insn_len(p, len - 1);

	ok(got == want && (!want || !cut), "%s: length %zu, want %zu%s", what,
	   got, want, want && cut ? " (and truncated one decoded)" : "");
	free(p);
}

#define SITE(what, offset, insn, ...)                                          \
	do {                                                                   \
		static const uint8_t c_[] = { __VA_ARGS__ };                   \
		check_site(what, c_, sizeof(c_), offset, insn);                \
	} while (0)

#define LEN(what, want, ...)                                                   \
	do {                                                                   \
		static const uint8_t c_[] = { __VA_ARGS__ };                   \
		check_len(what, c_, sizeof(c_), want);                         \
	} while (0)

#define D32 0x44, 0x33, 0x22, 0x11	/* a disp32 or imm32 */
#define NOP10 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
#define TEST_RDI 0x48, 0x85, 0xff

static void test_lengths(void)
{
	LEN("push %rbp", 1, 0x55);
	LEN("push %r12", 2, 0x41, 0x54);
	LEN("endbr64", 4, 0xf3, 0x0f, 0x1e, 0xfa);
	LEN("test %rdi,%rdi", 3, TEST_RDI);
	LEN("mov (%rsp),%eax: SIB, no displacement", 3, 0x8b, 0x04, 0x24);
	LEN("mov 0x8(%rsp),%eax: SIB, disp8", 4, 0x8b, 0x44, 0x24, 0x08);
	LEN("mov 0x100(%rsp),%eax: SIB, disp32", 7, 0x8b, 0x84, 0x24, D32);
	LEN("mov disp32,%eax: SIB without base", 7, 0x8b, 0x04, 0x25, D32);
	LEN("mov disp32(,%rbp,1),%eax: SIB base 101, mod 00", 7, 0x8b, 0x04,
	    0x2d, D32);
	LEN("mov disp32(,%rbp,1),%eax with REX.B: still no base", 8, 0x41,
	    0x8b, 0x04, 0x2d, D32);
	LEN("mov (%r12,%r13,1),%eax", 4, 0x43, 0x8b, 0x04, 0x2c);
	LEN("mov 0x0(%r13),%eax: disp8", 4, 0x41, 0x8b, 0x45, 0x00);
	LEN("mov -0x8(%rbp),%eax", 3, 0x8b, 0x45, 0xf8);
	LEN("mov disp32(%rbp),%eax", 6, 0x8b, 0x85, D32);
	LEN("mov disp32(%rip),%eax", 6, 0x8b, 0x05, D32);
	LEN("mov disp32(%rip),%r13d: REX.B keeps rip-relative", 7, 0x44, 0x8b,
	    0x2d, D32);
	LEN("mov %fs:0x28,%rax", 9, 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0);
	LEN("mov $-1,%rax", 7, 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff);
	LEN("movl $imm32,0x8(%rsp)", 8, 0xc7, 0x44, 0x24, 0x08, D32);
	LEN("movb $0x1,(%rax)", 3, 0xc6, 0x00, 0x01);
	LEN("mov $imm32,%eax", 5, 0xb8, D32);
	LEN("mov $imm16,%ax", 4, 0x66, 0xb8, 0x34, 0x12);
	LEN("movabs $imm64,%rax", 10, 0x48, 0xb8, D32, D32);
	LEN("movabs with 0x66: REX.W wins", 11, 0x66, 0x48, 0xb8, D32, D32);
	LEN("cmp $imm16,%bx", 5, 0x66, 0x81, 0xfb, 0x34, 0x12);
	LEN("cmp $imm32,%rbx with 0x66: REX.W wins", 8, 0x66, 0x48, 0x81, 0xfb,
	    D32);
	LEN("cmpb $0x0,disp32(%rip)", 7, 0x80, 0x3d, D32, 0x00);
	LEN("cmp $0x7,%ecx", 3, 0x83, 0xf9, 0x07);
	LEN("cmp $imm32,%eax", 5, 0x3d, D32);
	LEN("test $0xfff,%r9d", 7, 0x41, 0xf7, 0xc1, 0xff, 0x0f, 0x00, 0x00);
	LEN("testb $0x6,%cl", 3, 0xf6, 0xc1, 0x06);
	LEN("sub $0x18,%rsp", 4, 0x48, 0x83, 0xec, 0x18);
	LEN("lea -0x10(%rdi),%rsi", 4, 0x48, 0x8d, 0x77, 0xf0);
	LEN("shr $0x3,%rdx", 4, 0x48, 0xc1, 0xea, 0x03);
	LEN("movzbl (%rdi),%eax", 3, 0x0f, 0xb6, 0x07);
	LEN("imul $imm32,%esi,%eax", 6, 0x69, 0xc6, D32);
	LEN("nopl (%rax)", 3, 0x0f, 0x1f, 0x00);
	LEN("nopl 0x0(%rax)", 4, 0x0f, 0x1f, 0x40, 0x00);
	LEN("nopl 0x0(%rax,%rax,1)", 5, 0x0f, 0x1f, 0x44, 0x00, 0x00);
	LEN("nopw 0x0(%rax,%rax,1)", 6, 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00);
	LEN("nopl 0x0(%rax)", 7, 0x0f, 0x1f, 0x80, D32);
	LEN("nopw %cs:0x0(%rax,%rax,1)", 10, NOP10);
	LEN("data16 x6 nopw %cs:...: 15 bytes", 15, 0x66, 0x66, 0x66, 0x66,
	    0x66, NOP10);
	LEN("16 bytes is no instruction", 0, 0x66, 0x66, 0x66, 0x66, 0x66,
	    0x66, NOP10);
	LEN("je rel32", 6, 0x0f, 0x84, D32);
	LEN("jne rel8", 2, 0x75, 0x10);
	LEN("call rel32", 5, 0xe8, D32);
	LEN("call rel16? 0x66 differs by vendor", 0, 0x66, 0xe8, 0x34, 0x12);
	LEN("jmp rel16? 0x66 differs by vendor", 0, 0x66, 0xe9, 0x34, 0x12);
	LEN("syscall", 2, 0x0f, 0x05);
	LEN("ret", 1, 0xc3);
	LEN("fldz: unknown", 0, 0xd9, 0xee);
	LEN("movsd: unknown", 0, 0xf2, 0x0f, 0x10, 0xc1);
	LEN("address-size prefix: unknown", 0, 0x67, 0x8b, 0x07);
	LEN("REX before a legacy prefix: unknown", 0, 0x48, 0x66, 0x90);
	LEN("lea with a register operand: invalid", 0, 0x48, 0x8d, 0xc0);
	LEN("0f 1f /1 is not the documented nop", 0, 0x0f, 0x1f, 0xc8);
	LEN("pause: not endbr64", 0, 0xf3, 0x90);
	ok(x86_insn_len(NULL, 0) == 0, "no bytes: length 0");
}

static void test_sites(void)
{
	SITE("push first", 0, "push", 0x55, 0x48, 0x89, 0xe5);
	SITE("push %r12 first", 0, "push", 0x41, 0x54);
	SITE("jmp rel32 first", 0, "jmp", 0xe9, D32);
	SITE("jmp rel8 first", 0, "jmp", 0xeb, 0x10);
	SITE("call first", 0, "call", 0xe8, D32);
	SITE("nop first", 0, "nop", 0x90, 0x55);
	SITE("endbr64, push", 4, "push", 0xf3, 0x0f, 0x1e, 0xfa, 0x55);
	SITE("test %rdi,%rdi; je rel8", 3, "jcc", TEST_RDI, 0x74, 0x05);
	SITE("test %rdi,%rdi; je rel32", 3, "jcc", TEST_RDI, 0x0f, 0x84, D32);
	SITE("test %rdi,%rdi; nop", 3, "nop", TEST_RDI, 0x90);
	SITE("test %rdi,%rdi; call", 3, "call", TEST_RDI, 0xe8, D32);
	SITE("endbr64; test; jmp", 7, "jmp", 0xf3, 0x0f, 0x1e, 0xfa, TEST_RDI,
	     0xeb, 0x00);

	/* Skipped instructions that are safe. */
	SITE("mov %fs:0x10,%rax; push", 9, "push", 0x64, 0x48, 0x8b, 0x04,
	     0x25, 0x10, 0, 0, 0, 0x55);
	SITE("mov disp32(%rip),%rax; push", 7, "push", 0x48, 0x8b, 0x05, D32,
	     0x55);
	SITE("nopl 0x0(%rax,%rax,1); push", 5, "push", 0x0f, 0x1f, 0x44, 0, 0,
	     0x55);
	SITE("nopw %cs:...; push", 10, "push", NOP10, 0x55);
	SITE("xchg %ax,%ax (66 90); push: skipped, not probed", 2, "push",
	     0x66, 0x90, 0x55);
	SITE("cmpb $0x0,disp32(%rip); push %r12", 7, "push", 0x80, 0x3d, D32,
	     0x00, 0x41, 0x54);
	SITE("cmp %esi,%edi; jb", 2, "jcc", 0x39, 0xf7, 0x72, 0x10);
	SITE("cmp (%rdi),%rsi; jb", 3, "jcc", 0x48, 0x3b, 0x37, 0x72, 0x10);
	SITE("cmp $0x7,%ecx; ja", 3, "jcc", 0x83, 0xf9, 0x07, 0x77, 0x10);
	SITE("cmp $imm32,%eax; ja", 5, "jcc", 0x3d, D32, 0x77, 0x10);
	SITE("test $0x2,%al; jne", 2, "jcc", 0xa8, 0x02, 0x75, 0x10);
	SITE("mov %ecx,%r10d; test $0xfff,%r9d; jne", 10, "jcc", 0x41, 0x89,
	     0xca, 0x41, 0xf7, 0xc1, 0xff, 0x0f, 0x00, 0x00, 0x75, 0x14);
	SITE("mov %rdi,%rax (reads rdi); push", 3, "push", 0x48, 0x89, 0xf8,
	     0x55);
	SITE("mov %rsp,%rax (reads rsp); push", 3, "push", 0x48, 0x89, 0xe0,
	     0x55);
	SITE("mov -0x8(%rdi),%rax; push", 4, "push", 0x48, 0x8b, 0x47, 0xf8,
	     0x55);
	SITE("lea 0x10(%rdi),%r11; push", 4, "push", 0x4c, 0x8d, 0x5f, 0x10,
	     0x55);
	SITE("xor %eax,%eax; push", 2, "push", 0x31, 0xc0, 0x55);
	SITE("mov $0x1,%eax; push", 5, "push", 0xb8, 1, 0, 0, 0, 0x55);
	SITE("mov $0x1,%r10d; push", 6, "push", 0x41, 0xba, 1, 0, 0, 0, 0x55);
	SITE("mov $-1,%rax (c7 /0); push", 7, "push", 0x48, 0xc7, 0xc0, 0xff,
	     0xff, 0xff, 0xff, 0x55);
	SITE("mov $0x1,%ah; push", 2, "push", 0xb4, 0x01, 0x55);
	SITE("mov $0x1,%bh; push", 2, "push", 0xb7, 0x01, 0x55);
	SITE("movzbl (%rdi),%eax; push", 3, "push", 0x0f, 0xb6, 0x07, 0x55);
	SITE("sete %al; push", 3, "push", 0x0f, 0x94, 0xc0, 0x55);

	/* Skipped instructions that are not. */
	SITE("mov %rax,%rdi before push", 0, NULL, 0x48, 0x89, 0xc7, 0x55);
	SITE("mov disp32(%rip),%rdi before push", 0, NULL, 0x48, 0x8b, 0x3d,
	     D32, 0x55);
	SITE("xor %edi,%edi before push", 0, NULL, 0x31, 0xff, 0x55);
	SITE("xor %r8d,%r8d before push", 0, NULL, 0x45, 0x31, 0xc0, 0x55);
	SITE("mov $0x1,%r9d before push", 0, NULL, 0x41, 0xb9, 1, 0, 0, 0,
	     0x55);
	SITE("mov $0x1,%ch before push", 0, NULL, 0xb5, 0x01, 0x55);
	SITE("mov $0x1,%sil before push", 0, NULL, 0x40, 0xb6, 0x01, 0x55);
	SITE("mov $0x1,%bpl before push", 0, NULL, 0x40, 0xb5, 0x01, 0x55);
	SITE("lea -0x10(%rdi),%rsi before push", 0, NULL, 0x48, 0x8d, 0x77,
	     0xf0, 0x55);
	SITE("mov %rsp,%rbp before push", 0, NULL, 0x48, 0x89, 0xe5, 0x55);
	SITE("sub $0x8,%rsp before push", 0, NULL, 0x48, 0x83, 0xec, 0x08,
	     0x55);
	SITE("mov %rax,%rsp before push", 0, NULL, 0x48, 0x89, 0xc4, 0x55);
	SITE("mov %rax,(%rbx) before push", 0, NULL, 0x48, 0x89, 0x03, 0x55);
	SITE("movl $0x0,(%rsp) before push", 0, NULL, 0xc7, 0x04, 0x24, 0, 0, 0,
	     0, 0x55);
	SITE("add %eax,(%rdi) before push", 0, NULL, 0x01, 0x07,
	     0x55);
	SITE("sete %dl before push", 0, NULL, 0x0f, 0x94, 0xc2, 0x55);
	SITE("sete (%rax) before push", 0, NULL, 0x0f, 0x94, 0x00, 0x55);
	SITE("mul %rdx (writes rdx) before jo", 0, NULL, 0x48, 0xf7, 0xe2,
	     0x70, 0x05);
	SITE("cqo before push", 0, NULL, 0x48, 0x99, 0x55);
	SITE("mov $0xb,%eax; syscall", 0, NULL, 0xb8, 0x0b, 0, 0, 0, 0x0f,
	     0x05, 0xc3);
	SITE("ret before push", 0, NULL, 0xc3, 0x55);
	SITE("pop %rbx before push", 0, NULL, 0x5b, 0x55);
	SITE("41 90 is xchg %eax,%r8d, not a nop", 0, NULL, 0x41, 0x90, 0x55);
	SITE("41 90 alone", 0, NULL, 0x41, 0x90);
	SITE("66 90 is a nop the kernel may not emulate", 0, NULL, 0x66, 0x90);
	SITE("push %rax with REX.W is single-stepped", 0, NULL, 0x48, 0x50,
	     0x55);
	SITE("push %rbx with REX 0x40 is single-stepped", 0, NULL, 0x40, 0x53);
	SITE("push %bx with 0x66 is single-stepped", 0, NULL, 0x66, 0x53);
	SITE("test; jcc with a branch hint prefix", 0, NULL, TEST_RDI, 0x2e,
	     0x74, 0x05);
	SITE("test; call with REX.W", 0, NULL, TEST_RDI, 0x48, 0xe8, D32);
	SITE("unknown opcode", 0, NULL, 0xd9, 0xee, 0x55);
	SITE("unknown opcode after a safe one", 0, NULL, TEST_RDI, 0xd9, 0xee,
	     0x55);
	SITE("truncated test", 0, NULL, 0x48, 0x85);
	SITE("truncated je rel32", 0, NULL, TEST_RDI, 0x0f, 0x84, 0x00, 0x00);
	SITE("truncated push %r12", 0, NULL, 0x41);

	/* Limits: 8 skipped instructions, 32 bytes. */
	SITE("8 skipped, then push", 24, "push", TEST_RDI, TEST_RDI, TEST_RDI,
	     TEST_RDI, TEST_RDI, TEST_RDI, TEST_RDI, TEST_RDI, 0x55);
	SITE("9 skipped, then push", 0, NULL, TEST_RDI, TEST_RDI, TEST_RDI,
	     TEST_RDI, TEST_RDI, TEST_RDI, TEST_RDI, TEST_RDI, TEST_RDI, 0x55);
	SITE("push at +30, ends in the 32 bytes", 30, "push", NOP10, NOP10,
	     NOP10, 0x55);
	SITE("push at +32, past the 32 bytes", 0, NULL, NOP10, NOP10, NOP10,
	     0x66, 0x90, 0x55);

	{
		struct x86_probe_site s = { 1, 1, "junk" };

		ok(!x86_cheap_probe_site(NULL, 0, &s) && !s.offset &&
			   !s.skipped && !s.insn,
		   "no bytes: probe at +0");
	}
}

/* The kernel emulates the instruction at p, in its plain form: its name. */
static const char *emulated_form(const uint8_t *p, size_t n)
{
	if (n >= 1 && p[0] >= 0x50 && p[0] <= 0x57)
		return "push";
	if (n >= 2 && p[0] == 0x41 && p[1] >= 0x50 && p[1] <= 0x57)
		return "push";
	if (n >= 1 && p[0] == 0x90)
		return "nop";
	if (n >= 2 && p[0] >= 0x70 && p[0] <= 0x7f)
		return "jcc";
	if (n >= 2 && p[0] == 0xeb)
		return "jmp";
	if (n >= 5 && (p[0] == 0xe8 || p[0] == 0xe9))
		return p[0] == 0xe8 ? "call" : "jmp";
	if (n >= 6 && p[0] == 0x0f && p[1] >= 0x80 && p[1] <= 0x8f)
		return "jcc";
	return NULL;
}

/* Properties of a probe site that hold for any code. */
static void check_invariants(const char *name, const uint8_t *code, size_t n,
			     const struct x86_probe_site *s)
{
	size_t off = 0, len;
	bool walk = true;
	int i;

	ok(s->offset < PROLOGUE && s->offset < n &&
		   (s->offset || !s->skipped),
	   "%s: probe at +%zu after %d instructions, inside the prologue",
	   name, s->offset, s->skipped);
	ok(!s->insn ||
		   same(s->insn, emulated_form(code + s->offset, n - s->offset)),
	   "%s: %s", name,
	   s->insn ? "the kernel emulates the instruction probed" :
		     "nothing emulated found: probe on the symbol");
	/* Re-decode the skipped ones: scanning from each gives the same. */
	for (i = 0; i < s->skipped && walk; i++) {
		struct x86_probe_site t;

		x86_cheap_probe_site(code + off, n - off, &t);
		walk = t.offset == s->offset - off && same(t.insn, s->insn) &&
		       t.skipped == s->skipped - i;
		len = x86_insn_len(code + off, n - off);
		walk = walk && len;
		off += len;
	}
	ok(walk && off == s->offset,
	   "%s: the %d skipped instructions re-decode to +%zu", name,
	   s->skipped, off);
}

/* NT_GNU_BUILD_ID of e, in hex; false when it has none. */
static bool build_id(Elf *e, char *hex, size_t size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		size_t off = 0, name, desc, i;
		Elf_Data *data;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		while (data &&
		       (off = gelf_getnote(data, off, &nh, &name, &desc))) {
			const uint8_t *d = (const uint8_t *)data->d_buf + desc;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name, "GNU", 4) ||
			    nh.n_descsz * 2 + 1 > size)
				continue;
			for (i = 0; i < nh.n_descsz; i++)
				sprintf(hex + 2 * i, "%02x", d[i]);
			return true;
		}
	}
	return false;
}

/* The address of the dynamic function symbol name, or 0. */
static GElf_Addr dynsym(Elf *e, const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *data;
		GElf_Sym sym;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM ||
		    !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
			const char *s;

			if (!gelf_getsym(data, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF)
				continue;
			s = elf_strptr(e, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name))
				return sym.st_value;
		}
	}
	return 0;
}

/* Reads up to size bytes at address addr through the PT_LOAD headers. */
static size_t read_at(int fd, Elf *e, GElf_Addr addr, uint8_t *buf,
		      size_t size)
{
	size_t n, i;
	GElf_Phdr ph;
	ssize_t got;

	if (elf_getphdrnum(e, &n))
		return 0;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    addr < ph.p_vaddr || addr >= ph.p_vaddr + ph.p_filesz)
			continue;
		if (size > ph.p_vaddr + ph.p_filesz - addr)
			size = ph.p_vaddr + ph.p_filesz - addr;
		got = pread(fd, buf, size, (off_t)(addr - ph.p_vaddr +
						   ph.p_offset));
		return got > 0 ? (size_t)got : 0;
	}
	return 0;
}

/* Verified with objdump -d on Debian 12's libc6 build of this build-id. */
#ifndef VERIFIED_BUILD_ID
#define VERIFIED_BUILD_ID "93ac61ec5a8eb1396f9fbd350e3169a558528a40"
#endif

static const struct {
	const char *name;
	size_t offset;
	const char *insn;
} libc_funcs[] = {
	{ "malloc", 0, "push" },	 /* push %r12 */
	{ "free", 3, "jcc" },		 /* test %rdi,%rdi; je */
	{ "calloc", 0, "push" },	 /* push %r13 */
	{ "realloc", 0, "push" },	 /* push %r15 */
	{ "reallocarray", 0, NULL },	 /* mov %rsi,%rax; mul %rdx */
	{ "posix_memalign", 7, "push" }, /* cmpb $0,(%rip); push %r12 */
	{ "aligned_alloc", 7, "jcc" },	 /* cmpb $0,(%rip); je */
	{ "memalign", 7, "jcc" },	 /* the same code */
	{ "valloc", 7, "push" },	 /* cmpb $0,(%rip); push %rbx */
	{ "pvalloc", 7, "push" },	 /* cmpb $0,(%rip); push %rbx */
	{ "mmap", 10, "jcc" },		 /* mov %ecx,%r10d; test; jne */
	{ "munmap", 0, NULL },		 /* mov $0xb,%eax; syscall */
	{ "mremap", 0, NULL },		 /* sub $0x58,%rsp */
};

static void test_libc(void)
{
	char id[2 * 64 + 1] = "";
	bool verified;
	size_t i;
	Elf *e;
	int fd;

	fd = open(LIBC, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		skip(LIBC " cannot be opened");
		return;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e) {
		skip(LIBC " is not ELF to libelf");
		close(fd);
		return;
	}
	verified = build_id(e, id, sizeof(id)) &&
		   !strcmp(id, VERIFIED_BUILD_ID);
	if (!verified)
		printf("# %s build-id %s is not the verified one: checking invariants only\n",
		       LIBC, id[0] ? id : "(none)");

	for (i = 0; i < ARRAY_SIZE(libc_funcs); i++) {
		const char *name = libc_funcs[i].name;
		struct x86_probe_site s;
		uint8_t code[PROLOGUE];
		GElf_Addr addr;
		size_t n;

		addr = dynsym(e, name);
		n = addr ? read_at(fd, e, addr, code, sizeof(code)) : 0;
		if (!n) {
			skip(name);
			continue;
		}
		x86_cheap_probe_site(code, n, &s);
		printf("# %s at 0x%llx: probe at +%zu after %d (%s)\n", name,
		       (unsigned long long)addr, s.offset, s.skipped,
		       str(s.insn));
		check_invariants(name, code, n, &s);
		if (verified)
			ok(s.offset == libc_funcs[i].offset &&
				   same(s.insn, libc_funcs[i].insn),
			   "%s: probe at +%zu (%s) on the verified libc, want +%zu (%s)",
			   name, s.offset, str(s.insn), libc_funcs[i].offset,
			   str(libc_funcs[i].insn));
	}
	elf_end(e);
	close(fd);
}

int main(void)
{
	test_lengths();
	test_sites();
	test_libc();
	return tap_done();
}
