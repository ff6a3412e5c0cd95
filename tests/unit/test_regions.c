// SPDX-License-Identifier: GPL-2.0
/* Unit tests: leak's mmap regions (partial munmap, mremap, MAP_FIXED). */
#include "tap.h"
#include "leak/regions.h"

#define P 4096ULL

int main(void)
{
	struct regions r;

	regions_init(&r, P);
	regions_map(&r, 10 * P, 30000, 1, 0);
	ok(r.n == 1 && regions_bytes(&r) == 30000, "mmap of 30000 bytes");

	regions_unmap(&r, 11 * P, P);
	ok(r.n == 2 && regions_bytes(&r) == 30000 - P,
	   "munmap of one page in the middle splits it: %llu bytes",
	   (unsigned long long)regions_bytes(&r));
	ok(r.v[0].id == r.v[1].id, "the halves are one mapping");
	ok(r.v[0].start == 10 * P && r.v[0].end == 11 * P &&
	   r.v[1].start == 12 * P && r.v[1].end == 10 * P + 30000 &&
	   r.v[1].stack == 1, "both halves keep their bounds and stack");

	/* The last page is partial: munmap's length is rounded up. */
	regions_unmap(&r, 17 * P, 10);
	ok(regions_bytes(&r) == 7 * P - P, "munmap of a partial last page: %llu",
	   (unsigned long long)regions_bytes(&r));

	regions_unmap(&r, 0, 100 * P);
	ok(r.n == 0 && regions_bytes(&r) == 0, "munmap of everything");

	regions_map(&r, 10 * P, 4 * P, 2, 0);
	regions_remap(&r, 10 * P, 4 * P, 50 * P, 8 * P, 3, 0);
	ok(r.n == 1 && r.v[0].start == 50 * P && regions_bytes(&r) == 8 * P &&
	   r.v[0].stack == 3, "mremap moves and grows the region");

	regions_remap(&r, 50 * P, 8 * P, 50 * P, 2 * P, 3, 0);
	ok(r.n == 1 && regions_bytes(&r) == 2 * P, "mremap shrinks in place");

	regions_map(&r, 70 * P, 4 * P, 4, 0);
	regions_map(&r, 51 * P, 20 * P, 5, 0);
	ok(r.n == 3 && r.v[0].end == 51 * P && r.v[1].stack == 5 &&
	   r.v[2].start == 71 * P && regions_bytes(&r) == P + 20 * P + 3 * P,
	   "a MAP_FIXED mapping replaces the parts it overlaps");

	regions_unmap(&r, 200 * P, P);
	ok(regions_bytes(&r) == 24 * P, "munmap of an untracked range is a no-op");

	regions_map(&r, 1000 * P, 0, 6, 0);
	regions_map(&r, UINT64_MAX - 10, 100, 6, 0);
	ok(r.n == 3, "zero-length and wrapping mappings are ignored");

	for (int i = 0; i < 1000; i++)
		regions_map(&r, (2000 + 2 * i) * P, P, i, 0);
	ok(r.n == 1003, "many regions");
	for (size_t i = 1; i < r.n; i++)
		if (r.v[i - 1].end > r.v[i].start) {
			ok(0, "regions sorted and disjoint at %zu", i);
			break;
		}
	regions_unmap(&r, 2000 * P, 2000 * P);
	ok(r.n == 3, "one munmap over many regions");
	regions_free(&r);
	return tap_done();
}
