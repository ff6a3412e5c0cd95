/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers about tasks shared by the BPF programs. */
#ifndef MEMTRACE_TASK_BPF_H
#define MEMTRACE_TASK_BPF_H

/* Command names are equal up to their NUL (at most MT_COMM_LEN bytes). */
static __always_inline bool comm_eq(const char *comm,
				    const volatile char *want)
{
	for (int i = 0; i < MT_COMM_LEN; i++) {
		if (comm[i] != want[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

#endif /* MEMTRACE_TASK_BPF_H */
