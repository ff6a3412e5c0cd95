/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where on an x86-64 function a uprobe is cheapest. The kernel emulates a
 * few instructions when a uprobe hits them (arch/x86/kernel/uprobes.c:
 * push_setup_xol_ops() and branch_setup_xol_ops()) and single-steps every
 * other one out of line, which costs about ten times more. A function often
 * starts with a harmless instruction (endbr64, test %rdi,%rdi, a compare) and
 * an emulated one follows: probing there is much cheaper, and still sees the
 * arguments and the return address of the entry.
 */
#ifndef MEMTRACE_X86INSN_H
#define MEMTRACE_X86INSN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Where a uprobe on a function is cheapest: the first instruction the kernel
 * emulates, when every instruction before it was decoded with certainty and
 * neither branches, writes memory, nor writes an argument register (rdi, rsi,
 * rdx, rcx, r8, r9), rsp or rbp. At that offset the argument registers still
 * hold the arguments and the return address is still at the top of the stack,
 * so a uprobe and a uretprobe placed there behave like ones on the entry.
 */
struct x86_probe_site {
	size_t offset;		/* bytes from the function's start */
	int skipped;		/* instructions skipped before it */
	const char *insn;	/* short name of the instruction probed: "push",
				 * "jmp", "jcc", "call", "nop", or NULL when
				 * offset is 0 because nothing emulated was
				 * found safely */
};

/*
 * Decodes one instruction at code (len bytes available): its length, or 0
 * if not decodable by this decoder (unknown opcode, prefix or form, or
 * truncated). Only the integer instructions common in prologues are known.
 */
size_t x86_insn_len(const uint8_t *code, size_t len);

/*
 * Fills *site for the function whose first len bytes are code (at most the
 * first 32 bytes and 8 instructions are looked at); returns 0. offset 0 when
 * the first instruction is itself emulated (insn names it), or when no safe
 * later one exists (insn NULL).
 */
int x86_cheap_probe_site(const uint8_t *code, size_t len,
			 struct x86_probe_site *site);

#endif /* MEMTRACE_X86INSN_H */
