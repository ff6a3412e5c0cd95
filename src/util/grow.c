// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdlib.h>
#include "util/grow.h"

void *grow(void *buf, size_t *cap, size_t need, size_t first, bool *oom)
{
	size_t n = *cap ? *cap : first;
	void *p;

	if (*oom || need <= *cap)
		return buf;
	/* Past this, doubling would wrap to 0 and never get there. */
	if (need > SIZE_MAX / 2) {
		*oom = true;
		return buf;
	}
	while (n < need)
		n *= 2;
	p = realloc(buf, n);
	if (!p) {
		*oom = true;
		return buf;
	}
	*cap = n;
	return p;
}
