/* SPDX-License-Identifier: GPL-2.0 */
/* Captures what a check writes to stderr: capture_start(), the code under
 * test, capture_end() with a buffer for the text. */
#ifndef MEMTRACE_CAPTURE_H
#define MEMTRACE_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

struct capture {
	FILE *tmp;
	int saved;
};

static inline void capture_start(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	c->saved = dup(STDERR_FILENO);
	if (c->tmp)
		dup2(fileno(c->tmp), STDERR_FILENO);
}

static inline void capture_end(struct capture *c, char *buf, size_t len)
{
	size_t n = 0;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	if (c->tmp) {
		rewind(c->tmp);
		n = fread(buf, 1, len - 1, c->tmp);
		fclose(c->tmp);
	}
	buf[n] = '\0';
}

#endif /* MEMTRACE_CAPTURE_H */
