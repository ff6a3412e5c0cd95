/* SPDX-License-Identifier: GPL-2.0 */
/* Captures what a check writes to stderr (or stdout): capture_start(), the
 * code under test, capture_end() with a buffer for the text. */
#ifndef MEMTRACE_CAPTURE_H
#define MEMTRACE_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

struct capture {
	FILE *tmp, *stream;
	int fd, saved;
};

static inline void capture_start_of(struct capture *c, FILE *stream)
{
	fflush(stream);
	c->stream = stream;
	c->fd = fileno(stream);
	c->tmp = tmpfile();
	c->saved = dup(c->fd);
	if (c->tmp)
		dup2(fileno(c->tmp), c->fd);
}

static inline void capture_end(struct capture *c, char *buf, size_t len)
{
	size_t n = 0;

	fflush(c->stream);
	dup2(c->saved, c->fd);
	close(c->saved);
	if (c->tmp) {
		rewind(c->tmp);
		n = fread(buf, 1, len - 1, c->tmp);
		fclose(c->tmp);
	}
	buf[n] = '\0';
}

static inline void capture_start(struct capture *c)
{
	capture_start_of(c, stderr);
}

static inline void capture_start_stdout(struct capture *c)
{
	capture_start_of(c, stdout);
}

#define capture_end_stdout capture_end

#endif /* MEMTRACE_CAPTURE_H */
