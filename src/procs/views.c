// SPDX-License-Identifier: GPL-2.0
/* procs' views: a table row or a JSON object per event, and the summary. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"
#include "core/loop.h"
#include "procs/views.h"
#include "util/fmt.h"
#include "util/table.h"
#include "util/text.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/signame.h"

static const struct col columns[] = {
	{ "TIME", 8, false },
	{ "EVENT", 5, false },
	{ "PID", 7, true },
	{ "PPID", 7, true },
	{ "COMM", 16, false },
	{ "LIFE_MS", 8, true },
	{ "PEAK_RSS", 8, true },
	{ "MINFLT", 8, true },
	{ "MAJFLT", 6, true },
	{ "EXIT/COMMAND", 0, false },
};

#define NR_COLUMNS ((int)(sizeof(columns) / sizeof(columns[0])))

/* Calls fn(ctx, arg, len, cut) for each NUL-separated argument; cut marks a
 * last argument that the kernel side truncated. */
static void for_each_arg(const struct procs_exec_event *e,
			 void (*fn)(void *ctx, const char *s, size_t n, bool cut),
			 void *ctx)
{
	size_t len = e->args_len < PROCS_ARGS_LEN ? e->args_len : PROCS_ARGS_LEN;
	size_t i = 0;

	while (i < len) {
		const char *s = e->args + i;
		size_t n = strnlen(s, len - i);
		bool cut = i + n == len && e->args_truncated;

		fn(ctx, s, n, cut);
		i += n + 1;
	}
}

struct cmdline {
	char *p;
	size_t len, cap;
	int index;
	bool skip_argv0;
};

static void cmdline_add(void *ctx, const char *s, size_t n, bool cut)
{
	struct cmdline *c = ctx;

	(void)cut;
	if ((c->index++ == 0 && c->skip_argv0) || c->len + 2 >= c->cap)
		return;
	if (c->len)
		c->p[c->len++] = ' ';
	c->len += text_quote(c->p + c->len, c->cap - c->len, s, n);
}

struct find_arg {
	const char *s;
	size_t n;
	int index;
	bool found;
};

static void find_arg(void *ctx, const char *s, size_t n, bool cut)
{
	struct find_arg *f = ctx;

	(void)cut;
	if (f->index++ > 0 && f->index <= 3 && n == f->n && !memcmp(s, f->s, n))
		f->found = true;
}

static void json_add_arg(void *ctx, const char *s, size_t n, bool cut)
{
	(void)cut;
	json_strn(ctx, s, n);
}

static int print_exec(struct procs_view *r, const struct procs_exec_event *e)
{
	char when[16], pid[16], ppid[16], comm[MT_COMM_LEN], line[8192];
	size_t flen = strnlen(e->filename, sizeof(e->filename));
	struct json *j = &r->json;

	fmt_clock(when, sizeof(when), loop_wall_ns(e->ts_ns));
	if (r->json_out) {
		json_begin(j);
		json_key_str(j, "type", "exec");
		json_key_str(j, "time", when);
		json_key_u64(j, "ts_ns", loop_wall_ns(e->ts_ns));
		json_key_u64(j, "pid", e->pid);
		json_key_u64(j, "ppid", e->ppid);
		json_key_u64(j, "uid", e->uid);
		json_key_strn(j, "comm", e->comm, strnlen(e->comm, MT_COMM_LEN));
		json_key_strn(j, "filename", e->filename, flen);
		json_key_bool(j, "filename_truncated", e->filename_truncated);
		json_key_array(j, "args");
		for_each_arg(e, json_add_arg, j);
		json_close(j);
		json_key_bool(j, "args_truncated", e->args_truncated);
		return json_end(j, stdout);
	}

	/*
	 * The file executed, then argv[1...]; but a script started through
	 * its #! line has argv "interpreter [arg] script ...", which already
	 * names the file, so argv is printed whole.
	 */
	struct find_arg script = { e->filename, flen, 0, false };
	struct cmdline cl = { line, 0, sizeof(line), 0, true };

	for_each_arg(e, find_arg, &script);
	if (script.found || e->filename_truncated) {
		cl.skip_argv0 = false;
	} else {
		cl.len = text_quote(line, sizeof(line), e->filename, flen);
	}
	for_each_arg(e, cmdline_add, &cl);
	if (e->args_truncated && cl.len + 5 < cl.cap)
		cl.len += snprintf(line + cl.len, cl.cap - cl.len, " ...");
	snprintf(pid, sizeof(pid), "%u", e->pid);
	snprintf(ppid, sizeof(ppid), "%u", e->ppid);
	text_sanitize(comm, sizeof(comm), e->comm, MT_COMM_LEN);
	table_row(stdout, columns, NR_COLUMNS,
		  (const char *const[]){ when, "EXEC", pid, ppid, comm, "", "",
					 "", "", line });
	return 0;
}

/* "SIGKILL", or "signal 40" for one without a name. */
static void fmt_signal(char *buf, size_t len, int sig)
{
	const char *name = sig_abbrev(sig);

	if (name)
		snprintf(buf, len, "SIG%s", name);
	else
		snprintf(buf, len, "signal %d", sig);
}

/* "code 3", "SIGKILL", "SIGSEGV (core)" from a wait status. */
static void fmt_status(char *buf, size_t len, int status)
{
	char sig[24];

	if (!(status & 0x7f)) {
		snprintf(buf, len, "code %d", (status >> 8) & 0xff);
		return;
	}
	fmt_signal(sig, sizeof(sig), status & 0x7f);
	snprintf(buf, len, "%s%s", sig, status & 0x80 ? " (core)" : "");
}

static int print_exit(struct procs_view *r, const struct procs_exit_event *e)
{
	char when[16], pid[16], ppid[16], comm[MT_COMM_LEN], life[24];
	char rss[16], minf[24], majf[24], status[48];
	uint64_t rss_bytes = e->peak_rss_pages * r->page_size;
	int sig = e->status & 0x7f;
	struct json *j = &r->json;

	fmt_clock(when, sizeof(when), loop_wall_ns(e->ts_ns));
	fmt_status(status, sizeof(status), e->status);
	if (r->json_out) {
		json_begin(j);
		json_key_str(j, "type", "exit");
		json_key_str(j, "time", when);
		json_key_u64(j, "ts_ns", loop_wall_ns(e->ts_ns));
		json_key_u64(j, "pid", e->pid);
		json_key_u64(j, "ppid", e->ppid);
		json_key_u64(j, "tid", e->tid);
		json_key_strn(j, "comm", e->comm, strnlen(e->comm, MT_COMM_LEN));
		json_key_i64(j, "status", e->status);
		if (sig) {
			fmt_signal(status, sizeof(status), sig);
			json_key_null(j, "exit_code");
			json_key_str(j, "signal", status);
			json_key_u64(j, "signal_number", sig);
		} else {
			json_key_u64(j, "exit_code", (e->status >> 8) & 0xff);
			json_key_null(j, "signal");
			json_key_null(j, "signal_number");
		}
		json_key_bool(j, "core_dumped", e->status & 0x80);
		json_key_u64(j, "lifetime_ns", e->lifetime_ns);
		json_key_fixed(j, "lifetime_ms", e->lifetime_ns / 1e6, 3);
		json_key_u64(j, "peak_rss_bytes", rss_bytes);
		json_key_u64(j, "peak_rss_self_bytes",
			     e->self_peak_rss_pages * r->page_size);
		json_key_u64(j, "min_faults", e->min_flt);
		json_key_u64(j, "maj_faults", e->maj_flt);
		if (e->threads_truncated)
			json_key_bool(j, "faults_partial", true);
		return json_end(j, stdout);
	}
	snprintf(pid, sizeof(pid), "%u", e->pid);
	snprintf(ppid, sizeof(ppid), "%u", e->ppid);
	snprintf(life, sizeof(life), "%llu",
		 (unsigned long long)(e->lifetime_ns / NS_PER_MS));
	fmt_size(rss, sizeof(rss), rss_bytes);
	snprintf(minf, sizeof(minf), "%llu%s", (unsigned long long)e->min_flt,
		 e->threads_truncated ? "+" : "");
	snprintf(majf, sizeof(majf), "%llu%s", (unsigned long long)e->maj_flt,
		 e->threads_truncated ? "+" : "");
	text_sanitize(comm, sizeof(comm), e->comm, MT_COMM_LEN);
	table_row(stdout, columns, NR_COLUMNS,
		  (const char *const[]){ when, "EXIT", pid, ppid, comm, life,
					 rss, minf, majf, status });
	return 0;
}

void procs_view_init(struct procs_view *v, bool json)
{
	memset(v, 0, sizeof(*v));
	v->json_out = json;
	v->page_size = getpagesize();
}

void procs_view_header(struct procs_view *v)
{
	if (!v->json_out)
		table_header(stdout, columns, NR_COLUMNS);
}

int procs_view_event(struct procs_view *v, const void *data, size_t size)
{
	const __u32 *type = data;

	if (size >= sizeof(struct procs_exec_event) && *type == PROCS_EXEC) {
		v->nexec++;
		return print_exec(v, data);
	}
	if (size >= sizeof(struct procs_exit_event) && *type == PROCS_EXIT) {
		v->nexit++;
		return print_exit(v, data);
	}
	return 0;
}

void procs_view_summary(struct procs_view *v, const struct procs_losses *l)
{
	uint64_t total = l->ringbuf + l->map_full;
	struct json *j = &v->json;

	/* Also on stderr: the stream may go to a file or /dev/null. */
	if (total)
		log_warn("%llu events lost (ring buffer full: %llu, map full: %llu)",
			 (unsigned long long)total, (unsigned long long)l->ringbuf,
			 (unsigned long long)l->map_full);
	if (v->json_out) {
		json_begin(j);
		json_key_str(j, "type", "summary");
		json_key_u64(j, "exec", v->nexec);
		json_key_u64(j, "exit", v->nexit);
		json_key_u64(j, "lost", total);
		json_key_u64(j, "lost_ringbuf_full", l->ringbuf);
		json_key_u64(j, "lost_map_full", l->map_full);
		json_end(j, stdout);
		return;
	}
	printf("Summary: %llu exec, %llu exit events, %llu lost",
	       (unsigned long long)v->nexec, (unsigned long long)v->nexit,
	       (unsigned long long)total);
	if (total)
		printf(" (ring buffer full: %llu, map full: %llu; try --ringbuf-size)",
		       (unsigned long long)l->ringbuf, (unsigned long long)l->map_full);
	printf("\n");
}

void procs_view_free(struct procs_view *v)
{
	json_free(&v->json);
}
