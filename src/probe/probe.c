// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace probe: the host, then for each command and each of its hooks the
 * method this kernel gives and why every method before it was ruled out.
 * The checks are the commands' own (src/<cmd>/hooks.c); nothing of theirs
 * is loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/hookcheck.h"
#include "core/log.h"
#include "core/loop.h"
#include "filecache/hooks.h"
#include "kmalloc/hooks.h"
#include "leak/hooks.h"
#include "probe/host.h"
#include "probe/probe.h"
#include "procs/hooks.h"
#include "util/json.h"

static const struct hook_set *const sets[] = {
	&filecache_hooks, &filecache_watch_hooks, &kmalloc_hooks, &leak_user_hooks,
	&leak_kernel_hooks, &procs_hooks,
};

#define NR_SETS (int)(sizeof(sets) / sizeof(sets[0]))

/* What one hook gets here, and what was ruled out on the way. */
struct hook_answer {
	struct hook_verdict v[HOOK_MAX_METHODS];
	int nv, chosen;
};

static void answer(const struct hook_desc *d, unsigned disabled,
		   struct hook_answer *a)
{
	a->chosen = hook_desc_check(d, disabled, a->v, &a->nv);
}

#define DISABLED "disabled by MEMTRACE_DISABLE"
#define NO_METHOD "no method works on this kernel"

/* -- Text ---------------------------------------------------------------- */

static void text_fact(FILE *out, const struct host_fact *f)
{
	fprintf(out, "  %-26s ", f->label);
	if (f->kind == FACT_BOOL)
		fprintf(out, "%s%s%s\n", f->yes ? "yes" : "no",
			*f->text ? ": " : "", f->text);
	else if (!f->known)
		fprintf(out, "unknown: %s\n", f->text);
	else if (f->kind == FACT_INT)
		fprintf(out, "%ld\n", f->num);
	else
		fprintf(out, "%s\n", f->text);
}

static void text_hook(FILE *out, const struct hook_desc *d,
		      const struct hook_answer *a)
{
	const struct hook_verdict *c = a->chosen >= 0 ? &a->v[a->chosen] : NULL;

	fprintf(out, "  %-30s %-13s %s\n", d->what, c ? c->method : "none",
		c ? c->why : NO_METHOD);
	for (int i = 0; i < a->nv; i++) {
		if (i == a->chosen)
			continue;
		if (a->v[i].disabled)
			fprintf(out, "    %s %s\n", a->v[i].method, DISABLED);
		else
			fprintf(out, "    %s ruled out: %s\n", a->v[i].method,
				a->v[i].why);
	}
}

static void text_report(FILE *out, const struct host_fact *facts,
			unsigned disabled)
{
	struct hook_answer a;

	fprintf(out, "Host\n");
	for (int i = 0; i < HOST_NR_FACTS; i++)
		text_fact(out, &facts[i]);
	for (int s = 0; s < NR_SETS; s++) {
		const struct hook_set *set = sets[s];

		fprintf(out, "\n%s", set->cmd);
		if (set->mode_help)
			fprintf(out, " (%s)", set->mode_help);
		fputc('\n', out);
		for (int i = 0; i < set->n; i++) {
			answer(&set->hooks[i], disabled, &a);
			text_hook(out, &set->hooks[i], &a);
		}
	}
}

/* -- JSON ---------------------------------------------------------------- */

static void json_fact(struct json *j, const struct host_fact *f)
{
	if (f->kind == FACT_BOOL) {
		json_key_object(j, f->key);
		json_key_bool(j, "available", f->yes);
		json_key_str(j, "detail", f->text);
		json_close(j);
	} else if (!f->known) {
		json_key_null(j, f->key);
	} else if (f->kind == FACT_INT) {
		json_key_i64(j, f->key, f->num);
	} else {
		json_key_str(j, f->key, f->id ? f->id : f->text);
	}
}

static void json_hook(struct json *j, const struct hook_desc *d,
		      const struct hook_answer *a)
{
	const struct hook_verdict *c = a->chosen >= 0 ? &a->v[a->chosen] : NULL;

	json_object(j);
	json_key_str(j, "hook", d->what);
	if (c) {
		json_key_str(j, "method", c->method);
		json_key_str(j, "detail", c->why);
	} else {
		json_key_null(j, "method");
		json_key_str(j, "detail", NO_METHOD);
	}
	json_key_array(j, "ruled_out");
	for (int i = 0; i < a->nv; i++) {
		if (i == a->chosen)
			continue;
		json_object(j);
		json_key_str(j, "method", a->v[i].method);
		json_key_bool(j, "disabled", a->v[i].disabled);
		json_key_str(j, "reason",
			     a->v[i].disabled ? DISABLED : a->v[i].why);
		json_close(j);
	}
	json_close(j);
	json_close(j);
}

static void json_set(struct json *j, const struct hook_set *set,
		     unsigned disabled)
{
	struct hook_answer a;

	json_object(j);
	json_key_str(j, "command", set->cmd);
	if (set->mode)
		json_key_str(j, "mode", set->mode);
	else
		json_key_null(j, "mode");
	json_key_array(j, "hooks");
	for (int i = 0; i < set->n; i++) {
		answer(&set->hooks[i], disabled, &a);
		json_hook(j, &set->hooks[i], &a);
	}
	json_close(j);
	json_close(j);
}

static int json_report(FILE *out, const struct host_fact *facts,
		       unsigned disabled)
{
	struct json j = { 0 };
	int err;

	json_begin(&j);
	json_key_object(&j, "host");
	for (int i = 0; i < HOST_NR_FACTS; i++)
		json_fact(&j, &facts[i]);
	json_close(&j);
	json_key_array(&j, "commands");
	for (int s = 0; s < NR_SETS; s++)
		json_set(&j, sets[s], disabled);
	json_close(&j);
	err = json_end(&j, out);
	json_free(&j);
	return err;
}

int probe_main(void *opts, char **rest, int nrest)
{
	const struct probe_opts *o = opts;
	struct host_fact facts[HOST_NR_FACTS];
	unsigned disabled;
	int err = 0, end;

	(void)rest, (void)nrest;
	loop_signals_init();
	if (hook_disabled(&disabled))
		return 1;
	host_probe(facts);
	if (o->common.json)
		err = json_report(stdout, facts, disabled);
	else
		text_report(stdout, facts, disabled);
	probe_cleanup();
	if (err == -ENOMEM) {
		log_err("out of memory");
		return 1;
	}
	end = loop_flush(stdout);
	if (end == LOOP_OUTPUT_FAILED || (err && err != -EPIPE)) {
		log_err("writing output: %s", strerror(err ? -err : errno));
		return 1;
	}
	return 0;
}
