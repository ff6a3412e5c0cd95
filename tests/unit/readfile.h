/* SPDX-License-Identifier: GPL-2.0 */
/* A whole file in memory: read_file(path, &len), free() the result. Also
 * what the fuzzer's replay main reads its inputs with. */
#ifndef MEMTRACE_READFILE_H
#define MEMTRACE_READFILE_H

#include <stdio.h>
#include <stdlib.h>

/* NULL (errno set) when the file cannot be opened or memory runs out. */
static inline unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			size_t c = cap ? cap * 2 : 1 << 20;
			unsigned char *p = realloc(buf, c);

			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			cap = c;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*len = n;
	return buf;
}

#endif /* MEMTRACE_READFILE_H */
