// SPDX-License-Identifier: GPL-2.0
/*
 * noprobe: attaches BPF programs that do nothing ("return 0") as uprobes
 * and uretprobes, system-wide, for the leak benchmark's floors: what the
 * probes alone cost, wherever they are put. Raw syscalls, no libbpf.
 *
 *   noprobe u:FILE:OFFSET | r:FILE:OFFSET ...
 *
 * u: uprobe, r: uretprobe, OFFSET a file offset (0x... or decimal).
 * Prints "ready" once every probe is attached, then holds them until
 * stdin reaches end of file or a signal ends it.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int read_int(const char *path, const char *prefix)
{
	char buf[64];
	FILE *f = fopen(path, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && !strncmp(buf, prefix, strlen(prefix)))
		v = atoi(buf + strlen(prefix));
	fclose(f);
	return v;
}

static int noop_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_KPROBE;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uintptr_t)"GPL";
	return syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

int main(int argc, char **argv)
{
	int type = read_int("/sys/bus/event_source/devices/uprobe/type", "");
	int retbit = read_int("/sys/bus/event_source/devices/uprobe/format/retprobe",
			      "config:");
	int prog = noop_prog();
	char c;

	if (argc < 2) {
		fprintf(stderr, "usage: noprobe u:FILE:OFFSET|r:FILE:OFFSET ...\n");
		return 2;
	}
	if (type < 0 || retbit < 0 || prog < 0) {
		fprintf(stderr, "noprobe: no uprobe PMU or BPF: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		char *spec = argv[i], *off = strrchr(spec, ':');
		struct perf_event_attr attr;
		int fd;

		if ((spec[0] != 'u' && spec[0] != 'r') || spec[1] != ':' || !off ||
		    off == spec + 1) {
			fprintf(stderr, "noprobe: bad probe '%s'\n", spec);
			return 2;
		}
		*off++ = '\0';
		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.type = type;
		attr.config = spec[0] == 'r' ? 1ULL << retbit : 0;
		attr.config1 = (uintptr_t)(spec + 2);
		attr.config2 = strtoull(off, NULL, 0);
		fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1,
			     PERF_FLAG_FD_CLOEXEC);
		if (fd < 0 || ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog) ||
		    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
			fprintf(stderr, "noprobe: %s at %s: %s\n", spec + 2, off,
				strerror(errno));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
