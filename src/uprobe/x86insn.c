// SPDX-License-Identifier: GPL-2.0
/*
 * A small decoder of x86-64 function prologues, to find where a uprobe is
 * cheapest (see x86insn.h). It knows only the integer instructions common at
 * the start of compiled functions, and for each one its exact length and what
 * it may change: registers, memory, or the flow of control. Anything else ends
 * the scan, leaving the probe on the function's first byte.
 */
#include <stdbool.h>
#include <string.h>
#include "uprobe/x86insn.h"

#define SCAN_BYTES	32	/* look at most this far into a function */
#define SCAN_INSNS	8	/* and skip at most this many instructions */
#define INSN_MAX	15	/* the architectural limit on an instruction */

/* General registers, numbered as ModRM, SIB and REX encode them. */
enum {
	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
	R8, R9, R10, R11, R12, R13, R14, R15,
};

#define BIT(r) (1u << (r))

/*
 * Registers a skipped instruction may write. Not the argument registers
 * (rdi, rsi, rdx, rcx, r8, r9), which the probe reads; not rsp, because the
 * uretprobe at the same place takes the return address from the top of the
 * stack; not rbp, so that a frame-pointer stack walk from the probe still
 * finds the caller's frame. A function must save rbx and r12-r15 before it
 * changes them, which takes a push or a store, both of which end the scan;
 * so in practice only rax, r10 and r11 are written before the probe.
 */
#define SCRATCH (BIT(RAX) | BIT(RBX) | BIT(R10) | BIT(R11) | BIT(R12) | \
		 BIT(R13) | BIT(R14) | BIT(R15))

/* What one instruction does, as far as the probe is concerned. */
struct insn {
	size_t len;
	unsigned int writes;	/* registers it may write: BIT(reg) */
	bool store;		/* may write memory (push included) */
	bool branch;		/* may not fall through: jump, call, return,
				 * trap, system call */
	const char *emulated;	/* short name when the kernel emulates it */
};

/* Decoding state for one instruction. */
struct dec {
	const uint8_t *p;
	size_t len, pos;
	unsigned int prefixes;	/* legacy prefix bytes */
	bool opsize;		/* 0x66: 16-bit operands */
	bool rep;		/* 0xf3 */
	uint8_t rex;		/* REX prefix, or 0 */
	uint8_t mod, reg, rm;	/* ModRM fields; reg and rm with REX bits */
};

/* Consumes n bytes (displacement, immediate) if they are there. */
static bool take(struct dec *d, size_t n)
{
	if (n > d->len - d->pos)
		return false;
	d->pos += n;
	return true;
}

/*
 * Consumes a ModRM byte and the SIB byte and displacement it implies; that is
 * what makes lengths right. In 64-bit mode mod 00 with rm 101 is rip+disp32,
 * and a SIB base of 101 with mod 00 means no base and a disp32; REX.B does
 * not change either.
 */
static bool modrm(struct dec *d)
{
	uint8_t m, sib;

	if (d->pos >= d->len)
		return false;
	m = d->p[d->pos++];
	d->mod = m >> 6;
	d->reg = ((m >> 3) & 7) | (d->rex & 4) << 1;
	d->rm = (m & 7) | (d->rex & 1) << 3;
	if (d->mod == 3)
		return true;
	if ((m & 7) == 4) {
		if (d->pos >= d->len)
			return false;
		sib = d->p[d->pos++];
		if (d->mod == 0 && (sib & 7) == 5)
			return take(d, 4);
	} else if (d->mod == 0 && (m & 7) == 5) {
		return take(d, 4);
	}
	return take(d, d->mod == 1 ? 1 : d->mod == 2 ? 4 : 0);
}

/* Size of an immediate that follows the operand size: 16 or 32 bits. */
static size_t imm_z(const struct dec *d)
{
	return d->opsize && !(d->rex & 8) ? 2 : 4;
}

/* Register n as a byte operand: without REX, 4-7 are ah, ch, dh and bh. */
static unsigned int reg_bit(const struct dec *d, unsigned int n, bool byte)
{
	if (byte && !d->rex && n >= 4)
		n -= 4;
	return BIT(n);
}

/* The ModRM r/m operand is the destination. */
static void write_rm(const struct dec *d, struct insn *in, bool byte)
{
	if (d->mod == 3)
		in->writes |= reg_bit(d, d->rm, byte);
	else
		in->store = true;
}

/* The ModRM reg operand is the destination. */
static void write_reg(const struct dec *d, struct insn *in, bool byte)
{
	in->writes |= reg_bit(d, d->reg, byte);
}

/*
 * A branch; the kernel emulates it (branch_setup_xol_ops()) in its plain
 * form. It rejects 0x66 on branches, and other prefixes are rare enough not
 * to depend on how it treats them.
 */
static bool branch(struct dec *d, struct insn *in, size_t imm,
		   const char *name)
{
	in->branch = true;
	if (!d->prefixes && !d->rex)
		in->emulated = name;
	return take(d, imm);
}

/* The arithmetic group 0x00-0x3d: add, or, adc, sbb, and, sub, xor, cmp. */
static bool decode_alu(struct dec *d, uint8_t op, struct insn *in)
{
	bool cmp = (op & 0x38) == 0x38, byte = !(op & 1);

	if ((op & 7) >= 4) {	/* al or eax op= immediate */
		if (!cmp)
			in->writes |= BIT(RAX);
		return take(d, byte ? 1 : imm_z(d));
	}
	if (!modrm(d))
		return false;
	if (cmp)
		return true;
	if (op & 2)		/* reg op= r/m */
		write_reg(d, in, byte);
	else			/* r/m op= reg */
		write_rm(d, in, byte);
	return true;
}

/* Two-byte opcodes, after 0x0f. */
static bool decode_0f(struct dec *d, struct insn *in)
{
	uint8_t op;

	if (d->pos >= d->len)
		return false;
	op = d->p[d->pos++];
	if (op >= 0x80 && op <= 0x8f) {		/* jcc rel32 */
		if (d->opsize)
			return false;	/* rel16 on AMD, rel32 on Intel */
		return branch(d, in, 4, "jcc");
	}
	if (op >= 0x40 && op <= 0x4f) {		/* cmovcc */
		if (!modrm(d))
			return false;
		write_reg(d, in, false);
		return true;
	}
	if (op >= 0x90 && op <= 0x9f) {		/* setcc r/m8 */
		if (!modrm(d))
			return false;
		write_rm(d, in, true);
		return true;
	}
	switch (op) {
	case 0x05:	/* syscall: clobbers rcx and r11 too */
	case 0x0b:	/* ud2 */
		in->branch = true;
		return true;
	case 0x1f:	/* nop r/m: the multi-byte nops */
		return modrm(d) && (d->reg & 7) == 0;
	case 0xaf:	/* imul reg, r/m */
	case 0xb6:	/* movzx */
	case 0xb7:
	case 0xbe:	/* movsx */
	case 0xbf:
		if (!modrm(d))
			return false;
		write_reg(d, in, false);
		return true;
	}
	return false;
}

/* One-byte opcodes other than the arithmetic group. */
static bool decode_op(struct dec *d, uint8_t op, struct insn *in)
{
	unsigned int r = (op & 7) | (d->rex & 1) << 3;	/* reg in opcode */
	bool byte = !(op & 1);

	if (op >= 0x50 && op <= 0x57) {
		/*
		 * push reg: push_setup_xol_ops() emulates it without prefix
		 * or with the REX prefix 0x41 alone (r8-r15).
		 */
		if (!d->prefixes && (!d->rex || d->rex == 0x41))
			in->emulated = "push";
		in->store = true;
		in->writes |= BIT(RSP);
		return true;
	}
	if (op >= 0x58 && op <= 0x5f) {			/* pop reg */
		in->writes |= BIT(RSP) | BIT(r);
		return true;
	}
	if (op >= 0x70 && op <= 0x7f)			/* jcc rel8 */
		return branch(d, in, 1, "jcc");
	if (op >= 0x91 && op <= 0x97) {			/* xchg reg, eax */
		in->writes |= BIT(RAX) | BIT(r);
		return true;
	}
	if (op >= 0xb0 && op <= 0xb7) {			/* mov imm8, reg8 */
		in->writes |= reg_bit(d, r, true);
		return take(d, 1);
	}
	if (op >= 0xb8 && op <= 0xbf) {			/* mov imm, reg */
		in->writes |= BIT(r);
		return take(d, d->rex & 8 ? 8 : imm_z(d));
	}
	if (op >= 0xe0 && op <= 0xe3) {		/* loop*, jrcxz */
		in->branch = true;
		return take(d, 1);
	}

	switch (op) {
	case 0x63:	/* movsxd */
	case 0x8a:	/* mov r/m, reg */
	case 0x8b:
		if (!modrm(d))
			return false;
		write_reg(d, in, op == 0x8a);
		return true;
	case 0x69:	/* imul imm, r/m, reg */
	case 0x6b:
		if (!modrm(d))
			return false;
		write_reg(d, in, false);
		return take(d, op == 0x6b ? 1 : imm_z(d));
	case 0x80:	/* group 1 with an immediate; /7 is cmp */
	case 0x81:
	case 0x83:
		if (!modrm(d))
			return false;
		if ((d->reg & 7) != 7)
			write_rm(d, in, op == 0x80);
		return take(d, op == 0x81 ? imm_z(d) : 1);
	case 0x84:	/* test */
	case 0x85:
		return modrm(d);
	case 0x86:	/* xchg */
	case 0x87:
	case 0x88:	/* mov reg, r/m */
	case 0x89:
		if (!modrm(d))
			return false;
		write_rm(d, in, byte);
		if (op < 0x88)
			write_reg(d, in, byte);
		return true;
	case 0x8d:	/* lea */
		if (!modrm(d) || d->mod == 3)
			return false;
		write_reg(d, in, false);
		return true;
	case 0x90:
		/*
		 * nop; but with REX.B it is xchg %eax,%r8d. The kernel
		 * emulates it as a jump to the next instruction; only the
		 * plain byte counts, whatever prefixes it accepts.
		 */
		if (d->rex & 1)
			in->writes |= BIT(RAX) | BIT(R8);
		else if (!d->prefixes && !d->rex)
			in->emulated = "nop";
		return true;
	case 0x98:	/* cbw, cwde, cdqe */
		in->writes |= BIT(RAX);
		return true;
	case 0x99:	/* cwd, cdq, cqo */
		in->writes |= BIT(RDX);
		return true;
	case 0xa8:	/* test imm, al/eax */
		return take(d, 1);
	case 0xa9:
		return take(d, imm_z(d));
	case 0xc0:	/* shifts and rotates; /6 is undocumented */
	case 0xc1:
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3:
		if (!modrm(d) || (d->reg & 7) == 6)
			return false;
		write_rm(d, in, byte);
		return op < 0xd0 ? take(d, 1) : true;
	case 0xc2:	/* ret imm16 */
		in->branch = true;
		return take(d, 2);
	case 0xc3:	/* ret */
	case 0xcc:	/* int3 */
		in->branch = true;
		return true;
	case 0xc6:	/* mov imm, r/m; other /r are xabort, xbegin */
	case 0xc7:
		if (!modrm(d) || (d->reg & 7) != 0)
			return false;
		write_rm(d, in, byte);
		return take(d, byte ? 1 : imm_z(d));
	case 0xc9:	/* leave */
		in->writes |= BIT(RSP) | BIT(RBP);
		return true;
	case 0xe8:	/* call rel32, jmp rel32: rel16 on AMD with 0x66 */
	case 0xe9:
		if (d->opsize)
			return false;
		return branch(d, in, 4, op == 0xe8 ? "call" : "jmp");
	case 0xeb:	/* jmp rel8 */
		return branch(d, in, 1, "jmp");
	case 0xf6:	/* group 3 */
	case 0xf7:
		if (!modrm(d))
			return false;
		switch (d->reg & 7) {
		case 0:	/* test imm, r/m */
			return take(d, byte ? 1 : imm_z(d));
		case 1:	/* an undocumented alias of test */
			return false;
		case 2:	/* not, neg */
		case 3:
			write_rm(d, in, byte);
			return true;
		default: /* mul, imul, div, idiv: ax, or rdx:rax */
			in->writes |= BIT(RAX) | (byte ? 0 : BIT(RDX));
			return true;
		}
	case 0xfe:	/* inc, dec r/m8 */
		if (!modrm(d) || (d->reg & 7) > 1)
			return false;
		write_rm(d, in, true);
		return true;
	case 0xff:	/* group 5 */
		if (!modrm(d))
			return false;
		switch (d->reg & 7) {
		case 0:	/* inc, dec */
		case 1:
			write_rm(d, in, false);
			return true;
		case 6:	/* push r/m */
			in->store = true;
			in->writes |= BIT(RSP);
			return true;
		case 7:
			return false;
		default: /* indirect call, jmp */
			in->branch = true;
			return true;
		}
	case 0x0f:
		return decode_0f(d, in);
	}
	return false;
}

/* Decodes the instruction at code into *in; its length, or 0. */
static size_t decode(const uint8_t *code, size_t len, struct insn *in)
{
	struct dec d = { .p = code, .len = len < INSN_MAX ? len : INSN_MAX };
	uint8_t op;
	bool ok;

	memset(in, 0, sizeof(*in));
	if (!code)
		return 0;
	/*
	 * Legacy prefixes: operand size, segments (they matter only to memory
	 * operands, which skipped instructions may only read; 0x2e pads the
	 * long nops), and 0xf3 for endbr64 alone. Not 0x67, 0xf2 or lock.
	 */
	for (; d.pos < d.len; d.pos++, d.prefixes++) {
		op = code[d.pos];
		if (op == 0x66)
			d.opsize = true;
		else if (op == 0xf3)
			d.rep = true;
		else if (op != 0x26 && op != 0x2e && op != 0x36 &&
			 op != 0x3e && op != 0x64 && op != 0x65)
			break;
	}
	/* REX comes last, right before the opcode. */
	if (d.pos < d.len && (code[d.pos] & 0xf0) == 0x40)
		d.rex = code[d.pos++];
	if (d.pos >= d.len)
		return 0;
	op = code[d.pos++];

	if (d.rep) {
		/* endbr64 (f3 0f 1e fa) and endbr32 (fb): hint nops. */
		if (d.prefixes != 1 || d.rex || op != 0x0f ||
		    d.len - d.pos < 2 || code[d.pos] != 0x1e ||
		    (code[d.pos + 1] & 0xfe) != 0xfa)
			return 0;
		return in->len = d.pos + 2;
	}
	if (op < 0x40 && (op & 7) < 6)
		ok = decode_alu(&d, op, in);
	else
		ok = decode_op(&d, op, in);
	if (!ok) {
		memset(in, 0, sizeof(*in));
		return 0;
	}
	return in->len = d.pos;
}

size_t x86_insn_len(const uint8_t *code, size_t len)
{
	struct insn in;

	return decode(code, len, &in);
}

/*
 * Whether the probe may go after this instruction: it falls through, stores
 * nothing, and changes no register the probe or the uretprobe reads.
 */
static bool skippable(const struct insn *in)
{
	return !in->branch && !in->store && !(in->writes & ~SCRATCH);
}

int x86_cheap_probe_site(const uint8_t *code, size_t len,
			 struct x86_probe_site *site)
{
	size_t off = 0;
	struct insn in;
	int n;

	site->offset = 0;
	site->skipped = 0;
	site->insn = NULL;
	if (!code)
		return 0;
	if (len > SCAN_BYTES)
		len = SCAN_BYTES;
	for (n = 0; n <= SCAN_INSNS && decode(code + off, len - off, &in);
	     n++) {
		if (in.emulated) {
			site->offset = off;
			site->skipped = n;
			site->insn = in.emulated;
			break;
		}
		if (!skippable(&in))
			break;
		off += in.len;
	}
	return 0;
}
