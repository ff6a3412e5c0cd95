// SPDX-License-Identifier: GPL-2.0
/* memtrace filecache: its options and what its help and man page say. */
#include <stddef.h>
#include "core/log.h"
#include "filecache/filecache.h"

#define F(field) offsetof(struct fc_opts, field)

static const char *const sort_keys[] = {
	[FC_SORT_CACHED] = "cached",
	[FC_SORT_SIZE] = "size",
	[FC_SORT_PERCENT] = "percent",
	[FC_SORT_NAME] = "name",
	NULL,
};

static const struct mt_opt options[] = {
	{ .name = "recursive", .short_name = 'r', .group = "Options",
	  .help = "walk directories, of any depth, each once",
	  .offset = F(recursive) },
	{ .name = "one-file-system", .short_name = 'x', .group = "Options",
	  .help = "do not cross into other filesystems while walking",
	  .offset = F(one_fs) },
	{ .name = "dereference", .short_name = 'L', .group = "Options",
	  .help = "follow symbolic links while walking (those named\n"
		  "on the command line are always followed)",
	  .offset = F(follow) },
	{ .name = "files", .group = "Options",
	  .help = "a row per file of the directories walked, rather\n"
		  "than one per directory",
	  .offset = F(files) },
	{ .name = "sort", .arg = "KEY", .group = "Options",
	  .help = "cached (pages), size, percent or name",
	  .parse = opt_choice, .choices = sort_keys, .offset = F(sort) },
	{ .name = "top", .arg = "N", .group = "Options",
	  .help = "only the N files with the most pages cached",
	  .parse = opt_count, .min = 1, .max = UINT32_MAX, .offset = F(top) },
	{ .name = "bytes", .group = "Options",
	  .help = "exact byte counts instead of 4.0K, 1.2M",
	  .offset = F(bytes) },
	{ .name = "detail", .group = "Options",
	  .help = "also dirty, writeback, evicted and recently\n"
		  "evicted pages (cachestat(2), Linux 6.5+)",
	  .offset = F(detail) },
	{ .name = "touch", .group = "Options",
	  .help = "read the files into the page cache",
	  .offset = F(touch) },
	{ .name = "evict", .group = "Options",
	  .help = "drop their clean pages (POSIX_FADV_DONTNEED)",
	  .offset = F(evict) },
	{ 0 },
};

static void defaults(void *opts)
{
	struct fc_opts *o = opts;

	o->sort = FC_SORT_NONE;
}

static int check(void *opts, const struct mt_opt_seen *seen, char **rest,
		 int nrest)
{
	struct fc_opts *o = opts;

	(void)seen, (void)rest, (void)nrest;
	if (o->touch && o->evict)
		return log_usage("--touch and --evict exclude each other");
	/* -v gave a row per file of a walk until --files did: for a
	 * release, it still does. */
	if (o->common.verbose && o->recursive && !o->files) {
		log_note("-v for a row per file is now --files; -v will only mean --verbose");
		o->files = true;
	}
	/* --top keeps the largest: by cached pages unless told otherwise. */
	if (o->top && o->sort == FC_SORT_NONE)
		o->sort = FC_SORT_CACHED;
	return 0;
}

#define QUOTING \
	"Paths are quoted in text like a shell's $'...' where they hold control\n" \
	"characters, and cut to 4096 bytes in rows, ending in \"...\" (--json\n" \
	"has them whole).\n"

#define EXAMPLES \
	"  memtrace filecache /var/lib/db/data.ibd        one file\n" \
	"  memtrace filecache -r /var/log                 a tree's total\n" \
	"  memtrace filecache -r --files --top 10 /usr    the 10 most cached files\n" \
	"  memtrace filecache --evict big.iso             drop a file's clean pages\n"

static const struct mt_man_section man[] = {
	{ "HOOKS",
	  "The kernel is asked about a file when memtrace calls stat() on it: a "
	  "program on vfs_getattr_nosec(), which every stat() goes through, reads "
	  "the inode's address_space (nrpages) for memtrace's own thread only. "
	  "It is attached as fentry where the kernel takes BPF trampolines "
	  "(Linux 5.5 or later; some kernels refuse them), else as a kprobe "
	  "where the kernel has kprobes. The files are not opened for that.\n"
	  "\n"
	  "Where neither is permitted, the test_run path needs no hook: memtrace "
	  "opens each file as O_PATH (no permission to read it is needed, and "
	  "nothing changes) and runs a program with BPF_PROG_TEST_RUN (Linux 5.10 "
	  "or later), which finds that descriptor in memtrace's own file table "
	  "and reads the same count. An overlayfs file is opened for reading "
	  "instead: only an open file leads to the real file that holds the "
	  "pages.\n"
	  "\n"
	  "A method the kernel cannot offer is ruled out by a cheap probe before "
	  "its programs are loaded; one is taken once it answered for /. -v names "
	  "the one taken and why each before it was not; MEMTRACE_DISABLE=fentry,kprobe "
	  "forces the test_run path. CO-RE relocates against the few struct "
	  "members the programs read, taken from the kernel's BTF (and "
	  "overlayfs's, when it is a module)." },
	{ "SYMBOLIC LINKS",
	  "A symbolic link named on the command line is followed, as ls, vmtouch "
	  "and fincore follow theirs: its row has the link's path and the target's "
	  "pages, and --touch, --evict and --detail act on the target. In a walk, "
	  "links are passed over unless -L is given; then a link to a file counts "
	  "that file, and a link to a directory is walked (each directory once, so "
	  "that a link back up does not loop; with -x, not into another "
	  "filesystem). A link whose target is missing is an error where it is "
	  "followed.\n"
	  "\n"
	  "A file is counted once a run, however many links or paths lead to it; "
	  "a second path of the command line for it is named on stderr." },
	{ "OUTPUT",
	  "CACHED: the file's pages in the page cache; PAGES: its size in pages "
	  "(the last one counted whole); CACHED_SZ and SIZE: the same in bytes; "
	  "PERCENT: CACHED of PAGES. With --touch or --evict, BEFORE: the pages "
	  "cached before. With --detail, DIRTY, WRITEBACK, EVICTED and RECENT "
	  "(recently evicted) pages, from cachestat(2). Then a summary of all the "
	  "paths, each file counted once, like vmtouch's; with --touch or --evict, "
	  "a line with the pages they moved.\n"
	  "\n"
	  QUOTING },
	{ "EXIT STATUS",
	  "0 when every path was read. 1 when a path could not be read or is not "
	  "a regular file or directory (each is named on stderr; the others are "
	  "still shown), on a runtime failure, or when SIGINT (Ctrl-C) or SIGTERM "
	  "stopped it: the rows and summary of the paths walked so far are shown, "
	  "and a line on stderr says the totals are partial. 2 on a usage error. "
	  "A directory named without -r is passed over with a note. A closed pipe "
	  "ends it quietly." },
	{ "EXAMPLES", EXAMPLES },
	{ NULL, NULL },
};

const struct mt_cli filecache_cli = {
	.name = "filecache",
	.summary = "page-cache residency of files and directory trees",
	.synopsis = "filecache [options] PATH...",
	.description =
		"How much of each file is in the page cache, read in the kernel from the\n"
		"file's address_space (nrpages): one lookup per file, whatever its size.\n"
		"Then a summary, like vmtouch's. Directories are walked with -r: one row\n"
		"per directory given (its whole tree), or one per file with --files.\n",
	.opts = options,
	.common_group = "Options",
	.verbose_help = "on stderr, the hook used (for this release, with -r,\n"
			"also a row per file, as --files)",
	.json_help = "one JSON object per row, and a summary",
	.positional = MT_POS_LIST,
	.positional_name = "PATH",
	.help_tail =
		QUOTING
		"\n"
		"A path that cannot be read, or is not a regular file or directory, is\n"
		"reported on stderr; the others are still shown, and the exit status is 1.\n"
		"Ctrl-C stops it: the rows and summary so far are shown, said to be\n"
		"partial, and the exit status is 1.\n"
		"Paths are never opened for reading unless --touch, --evict or --detail\n"
		"ask for it, and then without updating their access time where allowed.\n"
		"\n"
		"Examples:\n"
		EXAMPLES,
	.man = man,
	.opts_size = sizeof(struct fc_opts),
	.defaults = defaults,
	.check = check,
};
