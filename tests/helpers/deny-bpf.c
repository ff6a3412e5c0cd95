// SPDX-License-Identifier: GPL-2.0
/*
 * Runs a program with one bpf(2) command refused, to produce the errors a
 * kernel without that feature gives:
 *
 *   deny-bpf CMD ERRNO PROGRAM [ARGS...]
 *
 * e.g. "deny-bpf 0 22 ./memtrace procs" makes every BPF_MAP_CREATE fail
 * with EINVAL, as on a kernel that does not know the map type asked for.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: deny-bpf CMD ERRNO PROGRAM [ARGS...]\n");
		return 2;
	}
	unsigned cmd = atoi(argv[1]), err = atoi(argv[2]);
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 3),
		/* Low 32 bits of the first argument (little-endian). */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, cmd, 0, 1),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("deny-bpf: seccomp");
		return 1;
	}
	execvp(argv[3], argv + 3);
	perror("deny-bpf: exec");
	return 127;
}
