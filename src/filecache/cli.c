// SPDX-License-Identifier: GPL-2.0
/* memtrace filecache: its options and what its help and man page say. */
#include <stddef.h>
#include "core/log.h"
#include "filecache/filecache.h"
#include "util/parse.h"

#define F(field) offsetof(struct fc_opts, field)

#define WATCH "With --watch"

static const char *const sort_keys[] = {
	[FC_SORT_CACHED] = "cached",
	[FC_SORT_SIZE] = "size",
	[FC_SORT_PERCENT] = "percent",
	[FC_SORT_NAME] = "name",
	[FC_SORT_ADDED] = "added",
	[FC_SORT_REMOVED] = "removed",
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
	  .help = "cached (pages), size, percent or name; with\n"
		  "--watch added (default), removed or cached",
	  .parse = opt_choice, .choices = sort_keys, .offset = F(sort) },
	{ .name = "top", .arg = "N", .group = "Options",
	  .help = "only the N files with the most pages cached\n"
		  "(--watch: first by --sort; 20 in text, all in JSON)",
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
	{ .name = "watch", .short_name = 'w', .group = WATCH,
	  .help = "files entering and leaving the page cache, and\n"
		  "who brings them: all of them, or those of the\n"
		  "PATHs (files, and trees)",
	  .offset = F(watch) },
	{ .name = "interval", .short_name = 'i', .arg = "SEC", .group = WATCH,
	  .help = "a report of the last SEC seconds every SEC seconds,\n"
		  "not only at the end",
	  .parse = opt_seconds, .offset = F(interval_ns), .min = NS_PER_MS },
	{ .name = "duration", .arg = "SEC", .group = WATCH,
	  .help = "stop after SEC seconds (or 500ms, 2m)",
	  .parse = opt_seconds, .offset = F(duration_ns) },
	{ .name = "pid", .short_name = 'p', .arg = "PID", .group = WATCH,
	  .help = "only pages added by process PID",
	  .parse = opt_pid, .offset = F(pid) },
	{ .name = "comm", .arg = "COMM", .group = WATCH,
	  .help = "only pages added by tasks named exactly COMM",
	  .parse = opt_comm, .offset = F(comm) },
	{ .name = "cgroup", .arg = "PATH", .group = WATCH,
	  .help = "only pages added by tasks in this cgroup v2\n"
		  "directory or below it",
	  .parse = opt_string, .offset = F(cgroup), .completes_files = true },
	{ .name = "max-files", .arg = "N", .group = WATCH,
	  .help = "files the kernel keeps counts of (default 16384);\n"
		  "events of others are counted apart",
	  .parse = opt_count, .min = 1, .max = 1 << 20, .offset = F(max_files) },
	{ .name = "ringbuf-size", .arg = "SIZE", .group = WATCH,
	  .help = "BPF ring buffer for the files' names (default 4M)",
	  .parse = opt_ringbuf, .offset = F(ringbuf_size) },
	{ 0 },
};

static void defaults(void *opts)
{
	struct fc_opts *o = opts;

	o->sort = FC_SORT_NONE;
	o->max_files = 16384;
	o->ringbuf_size = 4 << 20;
}

/* The options of one mode that the other does not take. */
static const char *const residency_only[] = {
	"recursive", "one-file-system", "dereference", "files", "bytes",
	"detail", "touch", "evict", NULL,
};
static const char *const watch_only[] = {
	"interval", "duration", "pid", "comm", "cgroup", "max-files",
	"ringbuf-size", NULL,
};

static int check_watch(struct fc_opts *o, const struct mt_opt_seen *seen)
{
	for (int i = 0; residency_only[i]; i++)
		if (mt_opt_given(seen, residency_only[i]))
			return log_usage("--%s does not apply to --watch",
					 residency_only[i]);
	if (o->sort == FC_SORT_NONE)
		o->sort = FC_SORT_ADDED;
	if (o->sort != FC_SORT_ADDED && o->sort != FC_SORT_REMOVED &&
	    o->sort != FC_SORT_CACHED)
		return log_usage("--watch sorts by added, removed or cached");
	if (!o->top && !o->common.json)
		o->top = 20;
	return 0;
}

static int check(void *opts, const struct mt_opt_seen *seen, char **rest,
		 int nrest)
{
	struct fc_opts *o = opts;

	(void)rest;
	if (o->watch)
		return check_watch(o, seen);
	for (int i = 0; watch_only[i]; i++)
		if (mt_opt_given(seen, watch_only[i]))
			return log_usage("--%s applies to --watch", watch_only[i]);
	if (!nrest)
		return log_usage("no PATH given");
	if (o->sort == FC_SORT_ADDED || o->sort == FC_SORT_REMOVED)
		return log_usage("--sort added and removed apply to --watch");
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
	"  memtrace filecache --evict big.iso             drop a file's clean pages\n" \
	"  memtrace filecache --watch -i 5                what enters and leaves the cache\n" \
	"  memtrace filecache --watch --comm tar /usr     what tar brings in of /usr\n"

static const struct mt_man_section man[] = {
	{ "HOOKS",
	  "The kernel is asked about a file through a descriptor of memtrace's: "
	  "memtrace opens the file as O_PATH (no permission to read it is needed, "
	  "and nothing changes) and runs a program with BPF_PROG_TEST_RUN (Linux "
	  "5.10 or later), which finds that descriptor in memtrace's own file "
	  "table and reads the file's address_space (nrpages). There is no hook "
	  "to attach. An overlayfs file is opened for reading: only an open file "
	  "leads to the real file that holds the pages.\n"
	  "\n"
	  "From Linux 5.17 the kernel relocates the program itself (CO-RE "
	  "relocations passed with it), against its own BTF: memtrace reads none "
	  "of the kernel's BTF and loads nothing else, which is most of its time "
	  "on one small file. Before, libbpf relocates it against the few struct "
	  "members it reads, taken from the kernel's BTF (and overlayfs's, when "
	  "it is a module); so it does with MEMTRACE_BTF.\n"
	  "\n"
	  "Where the kernel has no BPF_PROG_TEST_RUN for raw_tp programs, a "
	  "program on vfs_getattr_nosec(), which every stat() goes through, "
	  "answers memtrace's own stat() of the file: attached as fentry where "
	  "the kernel takes BPF trampolines, else as a kprobe. A method the "
	  "kernel cannot offer is ruled out by a cheap probe before its programs "
	  "are loaded; one is taken once it answered for /. -v names the one "
	  "taken, how the program was relocated, and why each method before it "
	  "was not; MEMTRACE_DISABLE=test_run forces the others." },
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
	{ "WATCH",
	  "With --watch, memtrace follows the page cache instead of asking about "
	  "files: every folio added to a file's cache (filemap:"
	  "mm_filemap_add_to_page_cache) and removed from it (mm_filemap_delete_"
	  "from_page_cache) is counted in the kernel, per file and per process "
	  "that added it, in pages of 4 KiB whatever the folio's size (a folio of "
	  "order k counts 2^k). Every -i seconds, and at the end, it reports the "
	  "files that moved: pages added, removed, cached now, the file's size, "
	  "who brought its pages in, and its path; the report at the end covers "
	  "the whole run. Without PATH, every file; with PATHs, those files and "
	  "the files under those directories (and under the filesystems mounted "
	  "in them when memtrace starts).\n"
	  "\n"
	  "Who is the task in whose context a folio was added: the process that "
	  "read (readahead runs in the reader's context, so its pages are the "
	  "reader's), wrote, or faulted a mapping in; a kernel thread shows as "
	  "itself (a kworker reading a filesystem's metadata). Removals are not "
	  "attributed: they are counted whoever removes (kswapd reclaiming, a "
	  "process truncating, deleting or evicting a file). --pid, --comm and "
	  "--cgroup keep, in the kernel, the pages those processes add; a file "
	  "they added pages to has its removals counted too.\n"
	  "\n"
	  "tmpfs and other shmem files (memfd, SysV shared memory) add pages "
	  "without the tracepoint (mm/shmem.c, up to 6.18 at least): their "
	  "additions are not seen, their removals (truncation, deletion) are, and "
	  "CACHED is theirs all the same.\n"
	  "\n"
	  "Names: when memtrace first sees a file, the kernel walks its dentry up "
	  "d_parent to the root of its filesystem (64 components at most), and "
	  "memtrace finds the mount that shows that directory. A path memtrace "
	  "found no mount for (a filesystem mounted in another mount namespace) "
	  "is shown as MAJ:MIN:/path from the root of that filesystem; a walk "
	  "that stopped short as .../path; a file whose inode had no dentry "
	  "left (pruned, or deleted before its pages went) as (no name: inode N "
	  "on MAJ:MIN); a deleted file with (deleted) before its name. A file "
	  "read through overlayfs is shown by the real file that holds its "
	  "pages, in its lower or upper directory.\n"
	  "\n"
	  "Hooks: tp_btf where the kernel's BTF describes the tracepoints, else "
	  "the classic tracepoints, whose records give the folio's pfn, device "
	  "and inode (and its order from the folio conversion on; CO-RE reads "
	  "the folio where the record has none): memtrace finds the struct page "
	  "of a pfn from one of its own pages (a memfd's, its frame number from "
	  "/proc/self/pagemap, which needs CAP_SYS_ADMIN) and checks each one "
	  "against the record's inode. Before each report, a program run with "
	  "BPF_PROG_TEST_RUN reads every file's cached pages from its inode "
	  "(Linux 5.13+; before, as of its last event)." },
	{ "WATCH OUTPUT",
	  "ADDED and REMOVED: pages added to and removed from the file's cache "
	  "since the last report (the final report: since the start); CACHED: "
	  "its pages cached now; SIZE: its size; WHO: the process that added most "
	  "of them, as COMM[PID], and +N when N others added some too (--json "
	  "lists them all with their pages). The summary line gives the pages "
	  "added and removed, the files, the same system-wide whatever the "
	  "filters, and the events lost.\n"
	  "\n"
	  "Losses, counted and shown in every report, never silent: the kernel's "
	  "table holds --max-files files; events of others are counted in the "
	  "totals, in no row, and said to be. A process row the table of "
	  "processes (4 per file) has no room for: its pages are counted, "
	  "unattributed. A name the ring buffer had no room for: the file is "
	  "shown as (name lost: ...), --ringbuf-size makes room. With the "
	  "classic tracepoints, an event whose folio was not found from its pfn." },
	{ "EXIT STATUS",
	  "0 when every path was read. 1 when a path could not be read or is not "
	  "a regular file or directory (each is named on stderr; the others are "
	  "still shown), on a runtime failure, or when SIGINT (Ctrl-C) or SIGTERM "
	  "stopped it: the rows and summary of the paths walked so far are shown, "
	  "and a line on stderr says the totals are partial. 2 on a usage error. "
	  "A directory named without -r is passed over with a note. A closed pipe "
	  "ends it quietly. --watch: 0 when Ctrl-C, SIGTERM or --duration ends "
	  "it, 1 when a PATH or the --cgroup directory cannot be read, or on a "
	  "runtime failure." },
	{ "EXAMPLES", EXAMPLES },
	{ NULL, NULL },
};

const struct mt_cli filecache_cli = {
	.name = "filecache",
	.summary = "page-cache residency of files and directory trees",
	.synopsis = "filecache [options] PATH...\n"
		    "filecache --watch [options] [PATH...]",
	.description =
		"How much of each file is in the page cache, read in the kernel from the\n"
		"file's address_space (nrpages): one lookup per file, whatever its size.\n"
		"Then a summary, like vmtouch's. Directories are walked with -r: one row\n"
		"per directory given (its whole tree), or one per file with --files.\n"
		"\n"
		"--watch: which files are entering and leaving the page cache, and which\n"
		"processes bring them in, counted in the kernel; a report every -i seconds\n"
		"and at the end.\n",
	.opts = options,
	.common_group = "Options",
	.verbose_help = "on stderr, the hook used (for this release, with -r,\n"
			"also a row per file, as --files)",
	.json_help = "one JSON object per row, and a summary; --watch: one\n"
		     "per report, its files and its summary",
	.positional = MT_POS_LIST_OPT,
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
