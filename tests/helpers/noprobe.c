// SPDX-License-Identifier: GPL-2.0
/*
 * noprobe: attaches BPF programs that do nothing ("return 0") as uprobes
 * and uretprobes, system-wide, for the leak benchmark's floors: what the
 * probes alone cost, wherever they are put. Raw syscalls, no libbpf.
 *
 *   noprobe u:FILE:OFFSET | r:FILE:OFFSET | U:FILE:OFFSET,... | R:... ...
 *
 * u: uprobe, r: uretprobe, OFFSET a file offset (0x... or decimal); U and
 * R: uprobes or uretprobes at every OFFSET through one multi-uprobe link
 * (Linux 6.6), as memtrace leak attaches its own there.
 * Prints "ready" once every probe is attached, then holds them until
 * stdin reaches end of file or a signal ends it.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdbool.h>
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

static int noop_prog(int attach_type)
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
	a.expected_attach_type = attach_type;
	return syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

#define UPROBE_MULTI 48		/* BPF_TRACE_UPROBE_MULTI, 6.6 */

/* BPF_LINK_CREATE's uprobe_multi attributes (uapi, 6.6). */
struct link_uprobe_multi {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, uprobe_flags, pid, pad;
};

/* U:FILE:OFF,OFF... or R:...: one link for them all; its fd or -1. */
static int multi_link(const char *file, char *offs, bool ret)
{
	uint64_t v[64];
	uint32_t n = 0;
	struct link_uprobe_multi a = {
		.prog_fd = noop_prog(UPROBE_MULTI),
		.attach_type = UPROBE_MULTI,
		.path = (uintptr_t)file,
		.offsets = (uintptr_t)v,
		.uprobe_flags = ret,	/* BPF_F_UPROBE_MULTI_RETURN */
	};

	for (char *o = strtok(offs, ","); o && n < 64; o = strtok(NULL, ","))
		v[n++] = strtoull(o, NULL, 0);
	a.cnt = n;
	return syscall(SYS_bpf, BPF_LINK_CREATE, &a, sizeof(a));
}

int main(int argc, char **argv)
{
	int type = read_int("/sys/bus/event_source/devices/uprobe/type", "");
	int retbit = read_int("/sys/bus/event_source/devices/uprobe/format/retprobe",
			      "config:");
	int prog = noop_prog(0);
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

		if (!strchr("urUR", spec[0]) || !spec[0] || spec[1] != ':' ||
		    !off || off == spec + 1) {
			fprintf(stderr, "noprobe: bad probe '%s'\n", spec);
			return 2;
		}
		*off++ = '\0';
		if (spec[0] == 'U' || spec[0] == 'R') {
			if (multi_link(spec + 2, off, spec[0] == 'R') < 0) {
				fprintf(stderr, "noprobe: %s at %s: %s\n", spec + 2,
					off, strerror(errno));
				return 1;
			}
			continue;
		}
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
