// SPDX-License-Identifier: GPL-2.0
// Tests for src/util/ksyms.c: loading kallsyms files (fake ones and /proc/kallsyms) and resolving addresses to functions.
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/ksyms.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIB (1ULL << 20)

static char dir[64];

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

/* Writes text to dir/name; path receives its name. */
static const char *write_file(const char *name, const char *text, char *path,
			      size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		printf("# cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return path;
}

/* ksyms_load() of text written to dir/name: the test "ksyms_load(what)". */
static struct ksyms *load_text(const char *name, const char *text,
			       const char *what)
{
	char path[128];
	struct ksyms *ks = ksyms_load(write_file(name, text, path,
						 sizeof(path)));

	if (!ok(ks, "ksyms_load(%s)", what))
		printf("#   %s\n", strerror(errno));
	return ks;
}

/* Checks that addr resolves to name+off in module (NULL: the kernel, or
 * name NULL: nothing). */
static void check_find(const struct ksyms *ks, uint64_t addr,
		       const char *name, uint64_t off, const char *module)
{
	const char *got, *mod = "unset";
	uint64_t got_off = 0xdead;
	int pass;

	got = ksyms_find(ks, addr, &got_off, &mod);
	if (!name) {
		if (!ok(!got, "0x%" PRIx64 " resolves to nothing", addr))
			printf("#   got %s+0x%" PRIx64 "\n", got, got_off);
		return;
	}
	pass = got && !strcmp(got, name) && got_off == off &&
	       (module ? mod && !strcmp(mod, module) : !mod);
	if (!ok(pass, "0x%" PRIx64 " is %s+0x%" PRIx64 " [%s]", addr, name,
		off, module ? module : "kernel"))
		printf("#   got %s+0x%" PRIx64 " [%s]\n", got ? got : "(null)",
		       got_off, got ? (mod ? mod : "kernel") : "-");
}

static void check_format(const struct ksyms *ks, uint64_t addr,
			 const char *want)
{
	char buf[128];

	memset(buf, 'x', sizeof(buf));
	if (!ok(ksyms_format(ks, addr, buf, sizeof(buf)) == buf &&
		!strcmp(buf, want), "ksyms_format(0x%" PRIx64 ") = \"%s\"",
		addr, want))
		printf("#   got \"%.*s\"\n", (int)sizeof(buf) - 1, buf);
}

/* 2a: text symbols only, unsorted, with modules. */
static void test_fake(void)
{
	static const char text[] =
		"ffffffff81001000 T do_thing\n"
		"ffffffffc0002000 t xfs_thing\t[xfs]\n"
		"ffffffff81000200 D some_data\n"
		"ffffffff81000100 t helper_a\n"
		"ffffffff81000500 d local_data\n"
		"ffffffff81000300 W weak_fn\n"
		"ffffffffc0001000 t ext4_fill_super\t[ext4]\n"
		"ffffffff81000600 b bss_local\n"
		"ffffffff81000700 B bss_global\n"
		"ffffffff81000000 T _stext\n"
		"ffffffff81000800 r ro_local\n"
		"ffffffff81000400 w weak_local\n"
		"ffffffffc0001100 T ext4_mount\t[ext4]\n"
		"ffffffff81000900 R ro_global\n"
		"ffffffffc0001080 d ext4_data\t[ext4]\n"
		"ffffffff81000f00 A absolute_sym\n"
		"ffffffff81000f80 U undefined_sym\n"
		"ffffffffc0001800 b ext4_bss\t[ext4]\n"
		"ffffffffc0001c00 t ext4_last\t[ext4]";	/* no newline */
	struct ksyms *ks;
	char buf[32];

	ks = load_text("fake", text, "fake kallsyms");
	if (!ks)
		return;
	ok(!ksyms_hidden(ks), "fake kallsyms with addresses is not hidden");

	check_find(ks, 0xffffffff81000000, "_stext", 0, NULL);
	check_find(ks, 0xffffffff81000010, "_stext", 0x10, NULL);
	check_find(ks, 0xffffffff81000100, "helper_a", 0, NULL);
	check_find(ks, 0xffffffff81000110, "helper_a", 0x10, NULL);
	/* Data symbols (d D b B r R) and others (A U) claim nothing. */
	check_find(ks, 0xffffffff81000200, "helper_a", 0x100, NULL);
	check_find(ks, 0xffffffff81000210, "helper_a", 0x110, NULL);
	check_find(ks, 0xffffffff81000300, "weak_fn", 0, NULL);
	check_find(ks, 0xffffffff81000310, "weak_fn", 0x10, NULL);
	check_find(ks, 0xffffffff81000410, "weak_local", 0x10, NULL);
	check_find(ks, 0xffffffff81000510, "weak_local", 0x110, NULL);
	check_find(ks, 0xffffffff81000610, "weak_local", 0x210, NULL);
	check_find(ks, 0xffffffff81000710, "weak_local", 0x310, NULL);
	check_find(ks, 0xffffffff81000810, "weak_local", 0x410, NULL);
	check_find(ks, 0xffffffff81000910, "weak_local", 0x510, NULL);
	check_find(ks, 0xffffffff81000f90, "weak_local", 0xb90, NULL);
	check_find(ks, 0xffffffff81000fff, "weak_local", 0xbff, NULL);
	check_find(ks, 0xffffffff81001000, "do_thing", 0, NULL);
	check_find(ks, 0xffffffff81001010, "do_thing", 0x10, NULL);
	check_find(ks, 0xffffffffc0001010, "ext4_fill_super", 0x10, "ext4");
	check_find(ks, 0xffffffffc0001090, "ext4_fill_super", 0x90, "ext4");
	check_find(ks, 0xffffffffc0001100, "ext4_mount", 0, "ext4");
	check_find(ks, 0xffffffffc0001810, "ext4_mount", 0x710, "ext4");
	check_find(ks, 0xffffffffc0001c04, "ext4_last", 4, "ext4");
	check_find(ks, 0xffffffffc0002000, "xfs_thing", 0, "xfs");

	/* Below the first symbol. */
	check_find(ks, 0xffffffff80ffffff, NULL, 0, NULL);
	check_find(ks, 0, NULL, 0, NULL);
	/* Up to 1 MiB past the nearest symbol, not further. */
	check_find(ks, 0xffffffffc0002000 + MIB - 1, "xfs_thing", MIB - 1,
		   "xfs");
	check_find(ks, 0xffffffffc0002000 + MIB, NULL, 0, NULL);
	check_find(ks, 0xffffffffc0002000 + 2 * MIB, NULL, 0, NULL);
	check_find(ks, UINT64_MAX, NULL, 0, NULL);
	/* Same between two symbols far apart. */
	check_find(ks, 0xffffffff81001000 + MIB - 1, "do_thing", MIB - 1,
		   NULL);
	check_find(ks, 0xffffffff81001000 + MIB, NULL, 0, NULL);
	check_find(ks, 0xffffffffc0000fff, NULL, 0, NULL);

	check_format(ks, 0xffffffff81001010, "do_thing+0x10");
	check_format(ks, 0xffffffff81000000, "_stext+0x0");
	check_format(ks, 0xffffffffc0001010, "ext4_fill_super+0x10 [ext4]");
	check_format(ks, 0xffffffffc0002001, "xfs_thing+0x1 [xfs]");
	check_format(ks, 0xffff888012345678, "0xffff888012345678");
	check_format(ks, 0xffffffff80ffffff, "0xffffffff80ffffff");
	check_format(ks, 0xffffffffc0002000 + MIB, "0xffffffffc0102000");
	check_format(ks, 0, "0x0");
	check_format(NULL, 0xffffffff81001010, "0xffffffff81001010");

	/* A short buffer: cut and terminated, no overflow (ASan). */
	memset(buf, 'x', sizeof(buf));
	ksyms_format(ks, 0xffffffffc0001010, buf, 8);
	ok(!strcmp(buf, "ext4_fi") && buf[8] == 'x',
	   "ksyms_format into 8 bytes: \"ext4_fi\" (got \"%.8s\")", buf);
	memset(buf, 'x', sizeof(buf));
	ksyms_format(ks, 0xffff888012345678, buf, 5);
	ok(!strcmp(buf, "0xff") && buf[5] == 'x',
	   "ksyms_format of an unknown address into 5 bytes: \"0xff\"");
	ksyms_free(ks);
}

/* Several names at one address (_text, _stext...): any one of them. */
static void test_aliases(void)
{
	static const char text[] =
		"ffffffff81000000 T _text\n"
		"ffffffff81000000 T _stext\n"
		"ffffffff81000000 T startup_64\n"
		"ffffffff81000100 T next_fn\n";
	struct ksyms *ks;
	const char *name, *mod = "unset";
	uint64_t off = 1;

	ks = load_text("aliases", text, "aliases");
	if (!ks)
		return;
	name = ksyms_find(ks, 0xffffffff810000ff, &off, &mod);
	ok(name && (!strcmp(name, "_text") || !strcmp(name, "_stext") ||
		    !strcmp(name, "startup_64")) && off == 0xff && !mod,
	   "an address after aliases resolves to one of them (%s+0x%" PRIx64 ")",
	   name ? name : "(null)", off);
	check_find(ks, 0xffffffff81000100, "next_fn", 0, NULL);
	ksyms_free(ks);
}

/* 2b: what a process without CAP_SYSLOG reads. */
static void test_hidden(void)
{
	static const char text[] =
		"0000000000000000 T _stext\n"
		"0000000000000000 t helper_a\n"
		"0000000000000000 D some_data\n"
		"0000000000000000 W weak_fn\n"
		"0000000000000000 t ext4_fill_super\t[ext4]\n";
	struct ksyms *ks;

	ks = load_text("hidden", text, "all-zero kallsyms");
	if (!ks)
		return;
	ok(ksyms_hidden(ks), "all-zero kallsyms is hidden");
	check_find(ks, 0, NULL, 0, NULL);
	check_find(ks, 1, NULL, 0, NULL);
	check_find(ks, 0xffffffff81000000, NULL, 0, NULL);
	check_find(ks, 0xffffffffc0001010, NULL, 0, NULL);
	check_format(ks, 0xffffffff81000010, "0xffffffff81000010");
	check_format(ks, 0, "0x0");
	ksyms_free(ks);

	/* A single real address is enough to be visible. */
	ks = load_text("partly", "0000000000000000 T a\n"
				 "ffffffff81000000 T b\n", "partly zero");
	if (ks) {
		ok(!ksyms_hidden(ks), "one non-zero text address: not hidden");
		check_find(ks, 0xffffffff81000004, "b", 4, NULL);
		ksyms_free(ks);
	}
}

/* 2c: files with nothing to resolve to. */
static void check_empty_files(void)
{
	struct ksyms *ks;

	/* Empty file. */
	ks = load_text("empty", "", "empty file");
	if (ks) {
		check_find(ks, 0xffffffff81000000, NULL, 0, NULL);
		check_find(ks, 0, NULL, 0, NULL);
		check_format(ks, 0xffffffff81000000, "0xffffffff81000000");
		ksyms_free(ks);
	}

	/* Only data symbols. */
	ks = load_text("data", "ffffffff82000000 D a\n"
			       "ffffffff82000100 b b\n", "data symbols only");
	if (ks) {
		check_find(ks, 0xffffffff82000010, NULL, 0, NULL);
		ksyms_free(ks);
	}
}

/* 2c: what cannot be read: a missing file, a directory. */
static void check_unreadable(void)
{
	char path[128];
	struct ksyms *ks;

	/* Missing file. */
	snprintf(path, sizeof(path), "%s/does-not-exist", dir);
	errno = 0;
	ks = ksyms_load(path);
	ok(!ks && errno == ENOENT, "ksyms_load(missing file) = NULL, ENOENT (errno %d)",
	   errno);
	ksyms_free(ks);
	ksyms_free(NULL);
	ok(1, "ksyms_free(NULL) is harmless");

	/* A directory: fopen() works, reading fails with EISDIR. */
	errno = 0;
	ks = ksyms_load(dir);
	ok(!ks && errno == EISDIR, "ksyms_load(a directory) = NULL, EISDIR (errno %d)",
	   errno);
	ksyms_free(ks);
}

/* 2c: lines that are not symbols. */
static void check_bad_lines(void)
{
	static const char malformed[] =
		"ffffffff81000000 T valid_fn\n"
		"\n"
		"garbage\n"
		"ffffffff81000800\n"
		"ffffffff81000800 T\n"
		"ffffffff81000800  T two_spaces\n"
		"ffffffff81000800\tT tab\n"
		"ffffffff81000800 TT long_type\n"
		"ffffffff81000800 X bad_type\n"
		"ffffffff81000800 Tname_glued\n"
		"zzzzzzzzzzzzzzzz T not_hex\n"
		" \t \n"
		"\t[ext4]\n"
		"[ext4]\n"
		"T only_type\n"
		"ffffffff81000800 \n"
		"ffffffff81000800 T\tname_after_tab\n"
		"\xff\xfe\x80 T binary\n"
		"ffffffff81001000 t valid_local\n"
		"ffffffff81002000 t valid_mod\t[ext4]\n";
	struct ksyms *ks;

	/* A line without a name, a negative address: not symbols. */
	ks = load_text("nameless", "ffffffff81000000 T first\n"
				   "ffffffff81000800 T \n"
				   "-1 T minus\n",
		       "nameless and negative lines");
	if (ks) {
		check_find(ks, 0xffffffff81000900, "first", 0x900, NULL);
		check_find(ks, 0xfffffffffffffff0, NULL, 0, NULL);
		ksyms_free(ks);
	}

	/* Malformed lines: skipped, the good ones around them kept. */
	ks = load_text("malformed", malformed, "malformed lines");
	if (ks) {
		check_find(ks, 0xffffffff81000000, "valid_fn", 0, NULL);
		check_find(ks, 0xffffffff81000900, "valid_fn", 0x900, NULL);
		check_find(ks, 0xffffffff81001004, "valid_local", 4, NULL);
		check_find(ks, 0xffffffff81002004, "valid_mod", 4, "ext4");
		ksyms_free(ks);
	}
}

/* 2c: a name longer than kallsyms' line buffer (KSYM_NAME_LEN is 512
 * since 6.1, for Rust), then a normal line. */
static void check_long_name(void)
{
	char what[64], *text, *name;
	struct ksyms *ks;
	const char *got, *mod;
	uint64_t off;
	size_t n;

	n = 2000;
	text = malloc(2 * n + 256);
	name = malloc(n + 1);
	if (!text || !name)
		abort();
	for (size_t i = 0; i < n; i++)
		name[i] = "xyz_long"[i % 8];
	name[n] = '\0';
	snprintf(text, 2 * n + 256,
		 "ffffffff81000000 T %s\n"
		 "ffffffff81000100 t after_long\n"
		 "ffffffff81000200 T %.511s\t[longmod]\n"
		 "ffffffff81000300 t after_long_mod\t[other]\n",
		 name, name);
	snprintf(what, sizeof(what), "a %zu-character name", n);
	ks = load_text("long", text, what);
	if (ks) {
		off = 1;
		got = ksyms_find(ks, 0xffffffff81000010, &off, &mod);
		ok(got && got[0] && !strncmp(got, name, strlen(got)) &&
		   off == 0x10, "the long name resolves (to the name or a prefix of it, %zu chars)",
		   got ? strlen(got) : 0);
		check_find(ks, 0xffffffff81000104, "after_long", 4, NULL);
		got = ksyms_find(ks, 0xffffffff81000210, &off, &mod);
		ok(got && strlen(got) == 511 && !strncmp(got, name, 511) &&
		   off == 0x10 && mod && !strcmp(mod, "longmod"),
		   "a 511-character module symbol resolves whole (%zu chars, module %s)",
		   got ? strlen(got) : 0, got && mod ? mod : "kernel");
		check_find(ks, 0xffffffff81000304, "after_long_mod", 4, "other");
		ksyms_free(ks);
	}
	free(text);
	free(name);
}

/* 2c */
static void test_bad_files(void)
{
	check_empty_files();
	check_unreadable();
	check_bad_lines();
	check_long_name();
}

/* 2d: the real thing; resolvable only with CAP_SYSLOG (or root). */
static void test_proc(void)
{
	char line[1024], want[1024] = "";
	uint64_t addr = 0, a, *text = NULL;
	size_t n = 0, cap = 0, same = 0;
	struct ksyms *ks;
	const char *got, *mod;
	uint64_t off = 1;
	char type;
	FILE *f;

	ks = ksyms_load(NULL);
	if (!ok(ks, "ksyms_load(NULL) reads /proc/kallsyms")) {
		printf("#   %s\n", strerror(errno));
		return;
	}
	if (ksyms_hidden(ks)) {
		skip("/proc/kallsyms shows no addresses to this process");
		check_find(ks, 0xffffffff81000000, NULL, 0, NULL);
		ksyms_free(ks);
		return;
	}

	/* The first kernel "T" symbol no other text symbol shares. */
	f = fopen("/proc/kallsyms", "re");
	if (!ok(f, "fopen(/proc/kallsyms)")) {
		ksyms_free(ks);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 " %c", &a, &type) != 2 ||
		    !strchr("tTwW", type))
			continue;
		if (n == cap) {
			uint64_t *p;

			cap = cap ? cap * 2 : 4096;
			p = realloc(text, cap * sizeof(*text));
			if (!p)
				abort();
			text = p;
		}
		text[n++] = a;
	}
	rewind(f);
	while (!want[0] && fgets(line, sizeof(line), f)) {
		char name[512];

		if (sscanf(line, "%" SCNx64 " %c %511s", &a, &type, name) != 3 ||
		    type != 'T' || strchr(line, '\t'))
			continue;
		same = 0;
		for (size_t i = 0; i < n; i++)
			same += text[i] == a;
		if (same == 1) {
			addr = a;
			snprintf(want, sizeof(want), "%s", name);
		}
	}
	fclose(f);
	free(text);

	if (!want[0]) {
		skip("no kernel T symbol with an address of its own");
	} else {
		check_find(ks, addr, want, 0, NULL);
		got = ksyms_find(ks, addr + 1, &off, &mod);
		ok(got && off == 1 ? !strcmp(got, want) : got != NULL,
		   "%s+1 resolves (%s+0x%" PRIx64 ")", want,
		   got ? got : "(null)", off);
	}
	ksyms_free(ks);

	ks = ksyms_load("/proc/kallsyms");
	ok(ks && !ksyms_hidden(ks), "ksyms_load(\"/proc/kallsyms\") too");
	ksyms_free(ks);
}

int main(void)
{
	static const char *const files[] = {
		"fake", "aliases", "hidden", "partly", "empty", "data",
		"malformed", "nameless", "long",
	};
	const char *tmp = getenv("TMPDIR");
	char path[128];

	snprintf(dir, sizeof(dir), "%s/test_ksyms.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	test_fake();
	test_aliases();
	test_hidden();
	test_bad_files();
	test_proc();

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	ok(!rmdir(dir), "temporary directory removed");
	return tap_done();
}
