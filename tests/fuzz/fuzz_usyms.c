// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for src/usyms/: the input is an ELF file (or what
 * claims to be one). It goes through a memfd so that usyms opens it by
 * path, as it opens the files a traced process maps; then the functions
 * and compile units it lists, and a few addresses the input itself
 * picks, are looked up and formatted.
 *
 *   make fuzz		(FUZZ_SRCS in the Makefile: what it links)
 *   .output/tests/fuzz/fuzz_usyms -max_total_time=60 tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "usyms/usyms.h"

#define MAX_ADDRS 256

static void look(struct usyms_module *m, uint64_t addr)
{
	struct usym s;
	char buf[128];

	usyms_module_lookup(m, addr, &s);
	usym_format(&s, addr, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[32];
	uint64_t addrs[MAX_ADDRS], a;
	struct usyms_module *m;
	size_t n;

	/* One memfd for the whole run, rewritten for every input. */
	if (fd < 0) {
		fd = memfd_create("fuzz_usyms", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			return 0;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;

	m = usyms_module_open(path);
	if (!m)
		return 0;
	n = usyms_module_addrs(m, addrs, MAX_ADDRS);
	if (n > MAX_ADDRS)
		n = MAX_ADDRS;
	for (size_t i = 0; i < n; i++) {
		look(m, addrs[i]);
		look(m, addrs[i] + 1);
		look(m, addrs[i] - 1);
	}
	look(m, 0);
	look(m, 0x1000);
	look(m, UINT64_MAX);
	/* Addresses the input chooses, from its last bytes. */
	for (size_t off = size; off >= sizeof(a) && size - off < 4 * sizeof(a);
	     off -= sizeof(a)) {
		memcpy(&a, data + off - sizeof(a), sizeof(a));
		look(m, a);
	}
	usyms_module_close(m);
	return 0;
}

#ifdef USYMS_FUZZ_MAIN
/*
 * Without libFuzzer: replays the files named on the command line, e.g.
 * the corpus under valgrind, which also sees bad reads inside libelf and
 * libdw (not built with the sanitizers):
 *
 *   gcc -g -O1 -DUSYMS_FUZZ_MAIN -D_GNU_SOURCE -Isrc $FUZZ_SRCS \
 *	tests/fuzz/fuzz_usyms.c -ldw -lelf -lz -lstdc++ -o replay
 *   valgrind --error-exitcode=9 ./replay FILE...
 */
#include "../unit/readfile.h"

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		size_t len = 0;
		unsigned char *buf = read_file(argv[i], &len);

		if (!buf) {
			perror(argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	return 0;
}
#endif
