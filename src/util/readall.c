// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "util/readall.h"

int read_all(int fd, size_t cap, char **buf, size_t *len)
{
	char *b = malloc(cap + 1), *tmp;
	ssize_t n = 0;

	*len = 0;
	while (b && (n = read(fd, b + *len, cap - *len)) > 0) {
		*len += n;
		if (*len == cap) {
			tmp = realloc(b, (cap *= 2) + 1);
			if (!tmp)
				free(b);
			b = tmp;
		}
	}
	if (!b)
		return -ENOMEM;
	if (n < 0) {
		n = -errno;
		free(b);
		return n;
	}
	b[*len] = '\0';
	*buf = b;
	return 0;
}
