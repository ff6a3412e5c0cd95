// SPDX-License-Identifier: GPL-2.0
// Tests for src/util/fmt.c, table.c, text.c and json.c: sizes, clock, tables, quoting, escaping and the JSON writer.
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util/fmt.h"
#include "util/grow.h"
#include "util/table.h"
#include "util/text.h"
#include "util/json.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* s with control and non-ASCII bytes as \xNN, to show it in a test name. */
static const char *show(const char *s, size_t n)
{
	static char buf[4][512];
	static int next;
	char *out = buf[next++ % 4];
	size_t len = 0;

	for (size_t i = 0; i < n && len + 5 < sizeof(buf[0]); i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f)
			out[len++] = c;
		else
			len += snprintf(out + len, 5, "\\x%02x", c);
	}
	out[len] = '\0';
	return out;
}

static void test_fmt_size(void)
{
	static const struct {
		uint64_t bytes;
		const char *want;
	} cases[] = {
		{ 0, "0B" },
		{ 1, "1B" },
		{ 512, "512B" },
		{ 1023, "1023B" },
		{ 1024, "1.0K" },
		{ 1536, "1.5K" },
		{ 4096, "4.0K" },
		{ 10240, "10K" },
		{ 12288, "12K" },
		{ 1023 * 1024, "1023K" },
		{ 1048575, "1.0M" },	/* 1023.999K: carried, not "1024K" */
		{ 1048576, "1.0M" },
		{ 1258291, "1.2M" },
		{ 3ULL << 30, "3.0G" },
		{ (1ULL << 30) - 1, "1.0G" },
		{ 1ULL << 40, "1.0T" },
		{ 1ULL << 50, "1.0P" },
		{ 1ULL << 60, "1.0E" },
		{ UINT64_MAX, "16E" },
	};
	char buf[16];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(buf, 'x', sizeof(buf));
		if (!ok(fmt_size(buf, sizeof(buf), cases[i].bytes) == buf &&
			!strcmp(buf, cases[i].want), "fmt_size(%llu) = \"%s\"",
			(unsigned long long)cases[i].bytes, cases[i].want))
			printf("#   got \"%s\"\n", buf);
	}
	fmt_size(buf, 4, 4096);
	ok(!strcmp(buf, "4.0"), "fmt_size into a short buffer is cut and terminated");

	/* 9.95K to 9.99K print as "10K", never "10.0K". */
	fmt_size(buf, sizeof(buf), 10200);
	ok(!strcmp(buf, "10K"), "fmt_size(10200) (9.96K) = \"10K\" (got %s)", buf);
}

static void test_fmt_clock(void)
{
	char buf[16];
	int shape = 1;

	fmt_clock(buf, sizeof(buf), (uint64_t)time(NULL) * 1000000000ULL);
	for (int i = 0; i < 8; i++)
		shape &= i % 3 == 2 ? buf[i] == ':' : buf[i] >= '0' && buf[i] <= '9';
	if (!ok(strlen(buf) == 8 && shape, "fmt_clock(now) is HH:MM:SS"))
		printf("#   got \"%s\"\n", buf);

	setenv("TZ", "UTC", 1);
	tzset();
	fmt_clock(buf, sizeof(buf), 3723ULL * 1000000000ULL + 999999999);
	ok(!strcmp(buf, "01:02:03"), "fmt_clock(01:02:03.999 UTC) = \"01:02:03\"");
	fmt_clock(buf, sizeof(buf), (86400ULL * 365 * 30 + 86399) * 1000000000ULL);
	ok(!strcmp(buf, "23:59:59"), "fmt_clock(a day's last second) = \"23:59:59\"");
	fmt_clock(buf, 5, 0);
	ok(!strcmp(buf, "?"), "fmt_clock into a short buffer: \"?\"");
}

/* f holds exactly want; f is emptied for the next check. */
static int holds(FILE *f, const char *want)
{
	char buf[256];
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	rewind(f);
	if (ftruncate(fileno(f), 0))
		return 0;
	if (!strcmp(buf, want))
		return 1;
	printf("#   got  \"%s\"\n#   want \"%s\"\n", show(buf, n),
	       show(want, strlen(want)));
	return 0;
}

static void test_table(void)
{
	static const struct col cols[] = {
		{ "PID", 5, true },
		{ "COMM", 6, false },
		{ "SIZE", 6, true },
		{ "ARGS", 4, false },
	};
	static const struct col last_right[] = {
		{ "NAME", 6, false },
		{ "N", 4, true },
	};
	const char *row1[] = { "42", "sh", "4.0K", "-c 'echo hi'" };
	const char *row2[] = { "1234567", "toolongcomm", NULL, "" };
	const char *row3[] = { "a", "7" };
	FILE *f = tmpfile();

	if (!f) {
		ok(0, "tmpfile()");
		return;
	}
	table_header(f, cols, 4);
	ok(holds(f, "  PID COMM     SIZE ARGS\n"),
	   "table_header: numbers right, text left, last column not padded");
	table_row(f, cols, 4, row1);
	ok(holds(f, "   42 sh       4.0K -c 'echo hi'\n"),
	   "table_row: aligned like the header");
	table_row(f, cols, 4, row2);
	ok(holds(f, "1234567 toolongcomm        \n"),
	   "table_row: wide cells push on, NULL is empty");
	table_header(f, last_right, 2);
	table_row(f, last_right, 2, row3);
	ok(holds(f, "NAME      N\na         7\n"),
	   "a right-aligned last column is padded on the left");

	/* A cell longer than a row's buffer is cut and marked. */
	static char huge[10000], line[10100];
	const char *row4[] = { "a", huge };
	size_t n;

	memset(huge, 'p', sizeof(huge) - 1);
	table_row(f, last_right, 2, row4);
	fflush(f);
	rewind(f);
	n = fread(line, 1, sizeof(line) - 1, f);
	line[n] = '\0';
	ok(n > 8000 && n <= 8192 && !strncmp(line, "a      pppp", 11) &&
	   !strcmp(line + n - 5, "p...\n"),
	   "a cell that does not fit is cut and ends in '...' (%zu bytes)", n);
	fclose(f);
}

/* text_quote(s) into a buffer of exactly cap bytes, compared with want. */
static void check_quote(const char *s, size_t n, const char *want)
{
	char buf[256];
	size_t len;

	memset(buf, 'x', sizeof(buf));
	len = text_quote(buf, sizeof(buf), s, n);
	if (!ok(len == strlen(want) && !strcmp(buf, want),
		"text_quote(\"%s\") = %s", show(s, n), show(want, strlen(want))))
		printf("#   got %s (%zu bytes)\n", show(buf, strlen(buf)), len);
}

#define QUOTE(s, want) check_quote(s, sizeof(s) - 1, want)

static void test_text_quote(void)
{
	static const char *const inputs[] = {
		"plain", "a b", "it's", "a\nb", "\x1b[31mred", "caf\xc3\xa9 \xff",
	};
	char canary = 'c';
	int sound = 1;

	QUOTE("plain", "plain");
	QUOTE("/usr/bin/env", "/usr/bin/env");
	QUOTE("--size=4K,a@b:c%d+e_f.g", "--size=4K,a@b:c%d+e_f.g");
	QUOTE("", "''");
	QUOTE("a b", "'a b'");
	QUOTE("$HOME", "'$HOME'");
	QUOTE("a*b;c|d", "'a*b;c|d'");
	QUOTE("it's", "'it'\\''s'");
	QUOTE("caf\xc3\xa9", "'caf\xc3\xa9'");
	QUOTE("\xe2\x82\xac", "'\xe2\x82\xac'");
	QUOTE("a\nb", "$'a\\nb'");
	QUOTE("a\tb", "$'a\\tb'");
	QUOTE("\x1b[31m", "$'\\x1b[31m'");
	QUOTE("\x7f", "$'\\x7f'");
	/* C1 controls (U+0080..U+009F) are escaped: U+009B is CSI. */
	QUOTE("\xc2\x9b" "31m", "$'\\xc2\\x9b31m'");
	QUOTE("\xc2\xa0", "'\xc2\xa0'");
	QUOTE("\xff", "$'\\xff'");
	QUOTE("a\0b", "$'a\\x00b'");
	QUOTE("\xc0\xaf", "$'\\xc0\\xaf'");
	QUOTE("\xe2\x82", "$'\\xe2\\x82'");
	QUOTE("\xed\xa0\x80", "$'\\xed\\xa0\\x80'");
	QUOTE("it's\n", "$'it\\'s\\n'");
	QUOTE("a\\b\n", "$'a\\\\b\\n'");
	QUOTE("caf\xc3\xa9\n", "$'caf\xc3\xa9\\n'");

	/* Every capacity, in a heap buffer of exactly that size for ASan. */
	for (size_t k = 0; k < ARRAY_SIZE(inputs); k++) {
		const char *s = inputs[k];
		size_t n = strlen(s), full_len;
		char full[256];

		full_len = text_quote(full, sizeof(full), s, n);
		for (size_t cap = 1; cap <= full_len + 2; cap++) {
			char *buf = malloc(cap);
			size_t len;

			if (!buf)
				continue;
			len = text_quote(buf, cap, s, n);
			if (len > cap - 1 || strlen(buf) != len ||
			    strncmp(buf, full, len) ||
			    (cap > full_len && len != full_len))
				sound = 0;
			free(buf);
		}
	}
	ok(sound, "text_quote at every capacity: NUL-terminated prefix, no overflow");
	ok(text_quote(&canary, 0, "abc", 3) == 0 && canary == 'c',
	   "text_quote with cap 0 writes nothing");
}

static void test_text_sanitize(void)
{
	char buf[32], small[4];

	/* "?" "?" apart: "??!" would be a trigraph. */
	text_sanitize(buf, sizeof(buf), "bash\x1b[1m\t\x7f\xff\xc3\xa9!", 14);
	ok(!strcmp(buf, "bash?[1m?????" "!"),
	   "text_sanitize: control, DEL and non-ASCII bytes become '?'");
	text_sanitize(buf, sizeof(buf), "abc\0def", 7);
	ok(!strcmp(buf, "abc"), "text_sanitize stops at a NUL");
	text_sanitize(buf, sizeof(buf), "abcdef", 3);
	ok(!strcmp(buf, "abc"), "text_sanitize copies at most n bytes");
	memset(small, 'x', sizeof(small));
	text_sanitize(small, sizeof(small), "abcdef", 6);
	ok(!memcmp(small, "abc", 4), "text_sanitize cuts to cap - 1 and terminates");
}

/* json_end(j) into memory; the line written, or "" if json_end failed. */
static const char *json_line(struct json *j, char *buf, size_t len)
{
	char *mem = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&mem, &size);
	int err;

	buf[0] = '\0';
	if (!f)
		return buf;
	err = json_end(j, f);
	fclose(f);
	if (!err)
		snprintf(buf, len, "%s", mem);
	free(mem);
	return buf;
}

static void test_json_values(void)
{
	const char *want =
		"{\"s\":\"hi\",\"n\":\"abc\",\"u\":18446744073709551615,\"u0\":0,"
		"\"i\":-9223372036854775808,\"i2\":42,\"f\":3.14,\"f0\":3,"
		"\"third\":0.333,\"neg\":-1.50,\"nan\":null,\"inf\":null,"
		"\"t\":true,\"f2\":false,\"nil\":null,\"a\":[1,\"x\",18446744073709551615],"
		"\"empty\":[],\"eo\":{},\"o\":{\"k\":1,\"deep\":{\"arr\":[7,\"\"]}}}\n";
	struct json j = { 0 };
	char buf[1024];

	json_begin(&j);
	json_key_str(&j, "s", "hi");
	json_key_strn(&j, "n", "abcdef", 3);
	json_key_u64(&j, "u", UINT64_MAX);
	json_key_u64(&j, "u0", 0);
	json_key_i64(&j, "i", INT64_MIN);
	json_key_i64(&j, "i2", 42);
	json_key_fixed(&j, "f", 3.14159, 2);
	json_key_fixed(&j, "f0", 3.14159, 0);
	json_key_fixed(&j, "third", 1.0 / 3, 3);
	json_key_fixed(&j, "neg", -1.5, 2);
	json_key_fixed(&j, "nan", NAN, 2);
	json_key_fixed(&j, "inf", INFINITY, 2);
	json_key_bool(&j, "t", true);
	json_key_bool(&j, "f2", false);
	json_key_null(&j, "nil");
	json_key_array(&j, "a");
	json_u64(&j, 1);
	json_strn(&j, "xyz", 1);
	json_u64(&j, UINT64_MAX);
	json_close(&j);
	json_key_array(&j, "empty");
	json_close(&j);
	json_key_object(&j, "eo");
	json_close(&j);
	json_key_object(&j, "o");
	json_key_u64(&j, "k", 1);
	json_key_object(&j, "deep");
	json_key_array(&j, "arr");
	json_u64(&j, 7);
	json_strn(&j, "", 0);
	/* left open: json_end closes arr, deep, o and the line */
	ok(!strcmp(json_line(&j, buf, sizeof(buf)), want),
	   "every json_* writer, nested, closed by json_end");
	if (strcmp(buf, want))
		printf("#   got  %s#   want %s", buf, want);

	json_begin(&j);
	ok(!strcmp(json_line(&j, buf, sizeof(buf)), "{}\n"), "empty object: {}");

	json_begin(&j);
	json_key_u64(&j, "a\"b\n", 1);
	ok(!strcmp(json_line(&j, buf, sizeof(buf)), "{\"a\\\"b\\n\":1}\n"),
	   "keys are escaped too");

	/* Numbers are not cut to a fixed buffer. */
	json_begin(&j);
	json_key_fixed(&j, "big", 1e100, 0);
	json_line(&j, buf, sizeof(buf));
	ok(strlen(buf) == strlen("{\"big\":}\n") + 101 &&
	   !strncmp(buf, "{\"big\":1000000000000000015902", 29),
	   "json_key_fixed(1e100, 0) has all 101 digits");
	json_free(&j);
}

/* {"k":<want>} is what json_key_strn(j, "k", s, n) gives. */
static void check_escape(const char *s, size_t n, const char *want,
			 const char *what)
{
	struct json j = { 0 };
	char buf[512], line[512];

	snprintf(line, sizeof(line), "{\"k\":%s}\n", want);
	json_begin(&j);
	json_key_strn(&j, "k", s, n);
	json_line(&j, buf, sizeof(buf));
	if (!ok(!strcmp(buf, line), "json escape %s: %s", what,
		show(want, strlen(want))))
		printf("#   got %s", buf);
	json_free(&j);
}

#define ESCAPE(s, want, what) check_escape(s, sizeof(s) - 1, want, what)

static void test_json_escape(void)
{
	ESCAPE("plain text", "\"plain text\"", "ASCII");
	ESCAPE("\"", "\"\\\"\"", "quote");
	ESCAPE("\\", "\"\\\\\"", "backslash");
	ESCAPE("\n\t\r", "\"\\n\\t\\r\"", "newline, tab, CR");
	ESCAPE("\x01\b\f\x1f", "\"\\u0001\\u0008\\u000c\\u001f\"", "controls");
	ESCAPE("a\0b", "\"a\\u0000b\"", "NUL");
	ESCAPE("\x7f", "\"\\u007f\"", "DEL");
	ESCAPE("/<>'", "\"/<>'\"", "other ASCII as is");
	ESCAPE("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
	       "valid UTF-8 (2, 3, 4 bytes)");
	ESCAPE("\xc2\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\"\xc2\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf\"",
	       "UTF-8 edges (U+0080, U+FFFF, U+10FFFF)");
	ESCAPE("\x80", "\"\\udc80\"", "lone continuation byte");
	ESCAPE("\xff", "\"\\udcff\"", "0xff");
	ESCAPE("a\xe2\x82", "\"a\\udce2\\udc82\"", "truncated sequence at the end");
	ESCAPE("\xe2\x82z", "\"\\udce2\\udc82z\"", "truncated sequence before ASCII");
	ESCAPE("\xc0\xaf", "\"\\udcc0\\udcaf\"", "overlong 2-byte");
	ESCAPE("\xe0\x80\xaf", "\"\\udce0\\udc80\\udcaf\"", "overlong 3-byte");
	ESCAPE("\xf0\x82\x82\xac", "\"\\udcf0\\udc82\\udc82\\udcac\"", "overlong 4-byte");
	ESCAPE("\xed\xa0\x80", "\"\\udced\\udca0\\udc80\"", "UTF-8-encoded surrogate");
	ESCAPE("\xf4\x90\x80\x80", "\"\\udcf4\\udc90\\udc80\\udc80\"", "beyond U+10FFFF");
	ESCAPE("\xc3\xa9\xa9", "\"\xc3\xa9\\udca9\"", "valid then a stray byte");
}

static int have_python3(void)
{
	return system("python3 -c '' >/dev/null 2>&1") == 0;
}

/* Writes n bytes to a new temporary file; its name in path. */
static int write_temp(char *path, const void *data, size_t n)
{
	int fd = mkstemp(path);
	int ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, data, n) != (ssize_t)n)
		ret = -1;
	close(fd);
	return ret;
}

/*
 * Python's json module reads what the writer wrote back to the very same
 * bytes: every byte value, an embedded NUL, and a mix of valid and invalid
 * UTF-8.
 */
static void test_json_roundtrip(void)
{
	static const char script[] =
		"import json, sys\n"
		"raw = open(sys.argv[2], 'rb').read()\n"
		"text = open(sys.argv[1], encoding='utf-8', errors='strict').read()\n"
		"lines = text.split('\\n')\n"
		"assert len(lines) == 3 and lines[2] == '', 'two lines'\n"
		"a = json.loads(lines[0])['all'].encode('utf-8', 'surrogateescape')\n"
		"b = json.loads(lines[1])['mix'].encode('utf-8', 'surrogateescape')\n"
		"assert a == raw[:256], 'all 256 bytes'\n"
		"assert b == raw[256:], 'mixed bytes'\n";
	char json_path[] = "/tmp/memtrace-test-json.XXXXXX";
	char raw_path[] = "/tmp/memtrace-test-raw.XXXXXX";
	char py_path[] = "/tmp/memtrace-test-py.XXXXXX";
	unsigned char raw[256 + 4096];
	struct json j = { 0 };
	uint32_t seed = 12345;
	char cmd[256];
	int fd, err = 0;
	FILE *f;

	if (!have_python3()) {
		ok(1, "JSON strings round-trip through python3 # skip python3 not installed");
		return;
	}
	for (int i = 0; i < 256; i++)
		raw[i] = i;
	/* Random bytes, with runs of valid UTF-8 among them. */
	for (size_t i = 256; i < sizeof(raw); i++) {
		seed = seed * 1103515245 + 12345;
		raw[i] = seed >> 16;
		if (i % 7 == 0 && i + 3 < sizeof(raw)) {
			memcpy(raw + i, "\xe2\x82\xac", 3);	/* U+20AC */
			i += 2;
		}
	}

	fd = mkstemp(json_path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || write_temp(raw_path, raw, sizeof(raw)) ||
	    write_temp(py_path, script, sizeof(script) - 1)) {
		ok(0, "temporary files for the python3 round trip");
		if (f)
			fclose(f);
		goto out;
	}
	json_begin(&j);
	json_key_strn(&j, "all", (const char *)raw, 256);
	err |= json_end(&j, f);
	json_begin(&j);
	json_key_strn(&j, "mix", (const char *)raw + 256, sizeof(raw) - 256);
	err |= json_end(&j, f);
	err |= fclose(f);
	ok(!err, "round-trip lines written");

	snprintf(cmd, sizeof(cmd), "python3 %s %s %s", py_path, json_path,
		 raw_path);
	fflush(stdout);
	ok(system(cmd) == 0,
	   "python3 json.loads + surrogateescape gives back all 256 byte values and a mixed string");
out:
	unlink(json_path);
	unlink(raw_path);
	unlink(py_path);
	json_free(&j);
}

static void test_json_errors(void)
{
	struct json j = { 0 };
	char buf[256], big[8192];
	FILE *f;
	int err;

	f = fopen("/dev/null", "r");
	json_begin(&j);
	json_key_u64(&j, "a", 1);
	err = f ? json_end(&j, f) : 0;
#ifdef __GLIBC__
	ok(f && err == -EBADF, "json_end to a read-only stream: -EBADF (got %d)", err);
#else
	/* musl refuses the write itself, without an errno: EIO. */
	ok(f && err == -EIO, "json_end to a read-only stream: -EIO (got %d)", err);
#endif
	if (f)
		fclose(f);

	json_begin(&j);
	json_key_u64(&j, "after", 2);
	ok(!strcmp(json_line(&j, buf, sizeof(buf)), "{\"after\":2}\n"),
	   "the writer is reusable after a failed json_end");

	/* Line-buffered (as memtrace sets up stdout) or unbuffered, the line
	 * reaches the device and the failure is seen. */
	static const struct {
		int mode;
		const char *name;
	} modes[] = { { _IOLBF, "line-buffered" }, { _IONBF, "unbuffered" } };
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		f = fopen("/dev/full", "w");
		if (f)
			setvbuf(f, NULL, modes[m].mode, 0);
		json_begin(&j);
		json_key_u64(&j, "a", 1);
		err = f ? json_end(&j, f) : 0;
		ok(f && err == -ENOSPC, "json_end to /dev/full (%s): -ENOSPC (got %d)",
		   modes[m].name, err);
		if (f)
			fclose(f);
	}

	/* A line larger than the stdio buffer reaches the device at once. */
	memset(big, 'x', sizeof(big));
	f = fopen("/dev/full", "w");
	json_begin(&j);
	json_key_strn(&j, "big", big, sizeof(big));
	err = f ? json_end(&j, f) : 0;
	ok(f && err == -ENOSPC,
	   "json_end of a long line to /dev/full (fully buffered): -ENOSPC (got %d)", err);
	if (f)
		fclose(f);

	json_begin(&j);
	json_key_bool(&j, "again", true);
	ok(!strcmp(json_line(&j, buf, sizeof(buf)), "{\"again\":true}\n"),
	   "the writer is reusable after a write error");

	/* JSON_MAX_DEPTH levels, the line's own object included. */
	json_begin(&j);
	for (int i = 1; i < JSON_MAX_DEPTH; i++)
		json_key_object(&j, "o");
	ok(!strcmp(json_line(&j, buf, sizeof(buf)),
		   "{\"o\":{\"o\":{\"o\":{\"o\":{\"o\":{\"o\":{\"o\":{}}}}}}}}\n"),
	   "JSON_MAX_DEPTH levels are written");

	json_begin(&j);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_key_object(&j, "o");
	f = fopen("/dev/null", "w");
	err = f ? json_end(&j, f) : 0;
	ok(f && err == -ENOMEM, "one level more than JSON_MAX_DEPTH: json_end fails (-ENOMEM)");
	if (f)
		fclose(f);

	json_free(&j);
	ok(!j.buf && !j.len && !j.cap, "json_free releases the buffer");
	json_begin(&j);
	json_key_null(&j, "fresh");
	ok(!strcmp(json_line(&j, buf, sizeof(buf)), "{\"fresh\":null}\n"),
	   "the writer works again after json_free");
	json_free(&j);
}

/* The printf-free number formatters agree with printf. */
static void test_fmt_numbers(void)
{
	static const uint64_t u[] = { 0, 1, 9, 10, 99, 100, 4096, 3001,
				      UINT32_MAX, (uint64_t)UINT32_MAX + 1,
				      10000000000000000000ULL, UINT64_MAX };
	static const int64_t i[] = { 0, -1, 1, -4096, INT32_MIN, INT64_MAX,
				     INT64_MIN };
	char got[32], want[32];

	for (size_t k = 0; k < sizeof(u) / sizeof(u[0]); k++) {
		snprintf(want, sizeof(want), "%llu", (unsigned long long)u[k]);
		ok(!strcmp(fmt_u64(got, u[k]), want), "fmt_u64(%s)", want);
		snprintf(want, sizeof(want), "%016llx", (unsigned long long)u[k]);
		ok(!strcmp(fmt_hex16(got, u[k]), want), "fmt_hex16(%s)", want);
	}
	for (size_t k = 0; k < sizeof(i) / sizeof(i[0]); k++) {
		snprintf(want, sizeof(want), "%lld", (long long)i[k]);
		ok(!strcmp(fmt_i64(got, i[k]), want), "fmt_i64(%s)", want);
	}
	/* 12:34:56.789 local: only the milliseconds are checked exactly. */
	fmt_clock_ms(got, sizeof(got), 1700000000789000000ULL);
	ok(strlen(got) == 12 && got[8] == '.' && !strcmp(got + 9, "789"),
	   "fmt_clock_ms gives HH:MM:SS.mmm (%s)", got);
	fmt_clock_ms(got, sizeof(got), 1700000000005999999ULL);
	ok(!strcmp(got + 9, "005"), "fmt_clock_ms pads and truncates ms (%s)", got);
	fmt_clock_ms(got, 6, 1700000000005999999ULL);
	ok(strlen(got) == 5, "fmt_clock_ms into a short buffer is cut (%s)", got);
}

static void test_text_escape(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "leak_nested+0x1c (leaker.c:184) [leaker]",
		  "leak_nested+0x1c (leaker.c:184) [leaker]" },
		{ "std::vector<int, std::allocator<int> >::push_back(int const&)",
		  "std::vector<int, std::allocator<int> >::push_back(int const&)" },
		{ "[leak\n\033er]", "[leak\\x0a\\x1ber]" },
		{ "caf\xc3\xa9 \xc2\x9b \xff", "caf\xc3\xa9 \\xc2\\x9b \\xff" },
		{ "tab\there\x7f", "tab\\x09here\\x7f" },
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text_escape(buf, sizeof(buf), cases[i].in, strlen(cases[i].in));
		ok(!strcmp(buf, cases[i].want), "text_escape case %zu: %s", i, buf);
	}
	text_escape(buf, 6, "abcdefgh", 8);
	ok(!strcmp(buf, "abcde"), "text_escape cuts at the buffer's end");
}

static void test_grow(void)
{
	size_t cap = 0;
	bool oom = false;
	char *b = grow(NULL, &cap, 10, 256, &oom);

	ok(b && cap == 256 && !oom, "grow: the first size (cap %zu)", cap);
	b = grow(b, &cap, 256, 256, &oom);
	ok(b && cap == 256, "grow: enough room: left as it is");
	b = grow(b, &cap, 1000, 256, &oom);
	ok(b && cap == 1024 && !oom, "grow: doubled until it holds (cap %zu)", cap);
	memset(b, 'x', 1000);
	b = grow(b, &cap, SIZE_MAX - 1, 256, &oom);
	ok(b && cap == 1024 && oom && b[999] == 'x',
	   "grow: too large: the buffer kept, the failure remembered");
	b = grow(b, &cap, 2000, 256, &oom);
	ok(cap == 1024 && oom, "grow: nothing more after a failure");
	free(b);
}

int main(void)
{
	test_fmt_numbers();
	test_fmt_size();
	test_fmt_clock();
	test_table();
	test_text_quote();
	test_text_sanitize();
	test_text_escape();
	test_grow();
	test_json_values();
	test_json_escape();
	test_json_roundtrip();
	test_json_errors();
	return tap_done();
}
