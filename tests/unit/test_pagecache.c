// SPDX-License-Identifier: GPL-2.0
// Tests for src/filecache/pagecache.c: which inode answers a filecache request, cachestat(2).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include "filecache/pagecache.h"
#include "tap.h"

#define EXT4_MAGIC 0xEF53

static struct fc_record rec(uint64_t ino, uint32_t dev, uint32_t magic,
			    uint64_t nrpages)
{
	return (struct fc_record){ .nrpages = nrpages, .ino = ino, .dev = dev,
				   .magic = magic };
}

static void test_pick(void)
{
	struct stat st = { .st_ino = 12, .st_dev = makedev(8, 1) };
	uint32_t dev = 8 << 20 | 1;
	struct fc_result r = { 0 };

	ok(fc_kernel_dev(makedev(259, 70000)) == (259u << 20 | 70000),
	   "fc_kernel_dev: major << 20 | minor, minor above 255");
	ok(fc_pick(&r, &st) == -1, "no record: -1");

	r.count = 1;
	r.rec[0] = rec(12, dev, EXT4_MAGIC, 5);
	ok(fc_pick(&r, &st) == 0, "the one record of the file");

	r.count = 2;
	r.rec[0] = rec(99, dev, EXT4_MAGIC, 1);
	r.rec[1] = rec(12, dev, EXT4_MAGIC, 5);
	ok(fc_pick(&r, &st) == 1, "the record of the file's inode, not another's");

	/* btrfs subvolumes: st_dev is not the superblock's s_dev. */
	r.count = 1;
	r.rec[0] = rec(12, 0x2d, EXT4_MAGIC, 5);
	ok(fc_pick(&r, &st) == 0, "inode match on another device (btrfs)");

	r.count = 2;
	r.rec[0] = rec(13, dev, EXT4_MAGIC, 1);
	r.rec[1] = rec(14, dev, EXT4_MAGIC, 1);
	ok(fc_pick(&r, &st) == -1, "two records, neither the file's: -1");

	/* overlayfs: the overlay inode first, then the real one. */
	r.count = 2;
	r.rec[0] = rec(12, dev, OVERLAYFS_SUPER_MAGIC, 0);
	r.rec[1] = rec(12, 0x800003, EXT4_MAGIC, 256);
	ok(fc_pick(&r, &st) == 1, "overlayfs: the real inode after the overlay one");
	r.rec[1] = rec(777, 0x800003, EXT4_MAGIC, 256);
	ok(fc_pick(&r, &st) == 1, "overlayfs: the real inode, whatever its number");
	r.count = 1;
	ok(fc_pick(&r, &st) == 0, "overlayfs without a real record: the overlay's");

	r.count = FC_MAX_RECORDS + 3;	/* more calls than slots */
	for (int i = 0; i < FC_MAX_RECORDS; i++)
		r.rec[i] = rec(i == 2 ? 12 : 1, dev, EXT4_MAGIC, i);
	ok(fc_pick(&r, &st) == 2, "a count above the slots reads only the slots");
}

static void test_cachestat(void)
{
	char path[] = "/tmp/test_pagecache.XXXXXX";
	struct mt_cachestat cs = { 0 };
	char buf[8192];
	int fd = mkstemp(path), err;

	memset(buf, 'x', sizeof(buf));
	if (!ok(fd >= 0 && write(fd, buf, sizeof(buf)) == sizeof(buf),
		"a temporary file"))
		return;
	err = cachestat_fd(fd, &cs);
	if (err == -ENOSYS) {
		printf("ok %d - cachestat # skip not in this kernel (before 6.5)\n",
		       ++tap_count);
	} else {
		ok(!err && cs.nr_cache == 2 && cs.nr_dirty <= 2,
		   "cachestat of 8 KiB just written: 2 pages (got %llu, err %d)",
		   (unsigned long long)cs.nr_cache, err);
	}
	ok(cachestat_fd(-1, &cs) == -EBADF || cachestat_fd(-1, &cs) == -ENOSYS,
	   "cachestat of a bad descriptor: EBADF");
	close(fd);
	unlink(path);
}

int main(void)
{
	test_pick();
	test_cachestat();
	return tap_done();
}
