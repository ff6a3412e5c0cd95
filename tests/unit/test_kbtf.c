// SPDX-License-Identifier: GPL-2.0
// Tests for src/util/kbtf.c: the read-only kernel BTF reader (every kind it steps
// over, lookups, members through anonymous records and bitfields, shapes,
// split BTF, malformed files, the read fallback) and the subset it writes
// for libbpf, checked against libbpf's own parser, synthetic and real.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/btf.h>
#include "util/kbtf.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

/* -- Temporary files, all in one directory removed at the end ------------- */

static char tmpdir[256];
static char *tmp_files[64];
static int n_tmp;

static int make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_kbtf.XXXXXX",
		 base && *base ? base : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void remove_tmp(void)
{
	for (int i = 0; i < n_tmp; i++) {
		unlink(tmp_files[i]);
		free(tmp_files[i]);
	}
	n_tmp = 0;
	if (tmpdir[0])
		rmdir(tmpdir);
}

/* Write len bytes to a new file named name in the temporary directory. */
static const char *write_tmp(const char *name, const void *data, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if (len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	close(fd);
	if (n_tmp == (int)ARRAY_SIZE(tmp_files))
		return NULL;
	tmp_files[n_tmp] = strdup(path);
	return tmp_files[n_tmp++];
}

static const char *write_btf(struct btf *btf, const char *name)
{
	uint32_t size;
	const void *raw = btf ? btf__raw_data(btf, &size) : NULL;

	return raw ? write_tmp(name, raw, size) : NULL;
}

/*
 * Open raw BTF the way /sys/kernel/btf was before 6.16: a file that cannot
 * be mapped (here a pipe, reopened through /proc/self/fd, whose size is 0),
 * so kbtf_open() reads it. A child writes, so any size works.
 */
static struct kbtf *open_via_pipe(const void *data, size_t len,
				  const struct kbtf *base)
{
	char path[64];
	struct kbtf *b;
	int p[2], status, saved;
	pid_t pid;

	if (pipe(p))
		return NULL;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (!pid) {
		const uint8_t *d = data;

		close(p[0]);
		while (len) {
			ssize_t n = write(p[1], d, len);

			if (n <= 0)
				_exit(1);
			d += n;
			len -= n;
		}
		_exit(0);
	}
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	b = kbtf_open(path, base);
	saved = errno;
	close(p[0]);
	waitpid(pid, &status, 0);
	errno = saved;
	return b;
}

/* -- libbpf's view, to compare with --------------------------------------- */

/* Past typedefs, const/volatile/restrict and type tags, with libbpf. */
static int lb_resolve(const struct btf *btf, int id)
{
	for (int depth = 0; depth < 64; depth++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t || id <= 0)
			return id;
		if (!btf_is_typedef(t) && !btf_is_mod(t))
			return id;
		id = t->type;
	}
	return -1;
}

/* The member called name of type id through anonymous structs and unions,
 * walking libbpf's btf_members(): its bit offset and type. 0 or -1. */
static int lb_member(const struct btf *btf, int id, const char *name,
		     uint32_t base_bits, uint32_t *bits, int *type, int depth)
{
	const struct btf_type *t;
	const struct btf_member *m;

	id = lb_resolve(btf, id);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!t || depth > 8 || !btf_is_composite(t))
		return -1;
	m = btf_members(t);
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		const char *mname = btf__name_by_offset(btf, m[i].name_off);
		uint32_t off = base_bits + btf_member_bit_offset(t, i);

		if (!mname || !*mname) {
			if (!lb_member(btf, m[i].type, name, off, bits, type,
				       depth + 1))
				return 0;
		} else if (!strcmp(mname, name)) {
			*bits = off;
			*type = m[i].type;
			return 0;
		}
	}
	return -1;
}

/* The shape kbtf_shape() should give, from libbpf's own predicates. */
static int lb_shape(const struct btf *btf, int id, uint32_t *size,
		    int *pointee)
{
	const struct btf_type *t;

	id = lb_resolve(btf, id);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (t && btf_is_ptr(t)) {
		*size = sizeof(void *);
		*pointee = t->type ? lb_resolve(btf, t->type) : -1;
		return KBTF_POINTER;
	}
	if (!t || !(btf_is_int(t) || btf_is_any_enum(t) ||
		    btf_is_composite(t)))
		return -1;
	*size = t->size;
	return btf_is_composite(t) ? KBTF_RECORD : KBTF_SCALAR;
}

/* The name of type id, as libbpf reads it. */
static const char *lb_name(const struct btf *btf, uint32_t id)
{
	return btf__name_by_offset(btf, btf__type_by_id(btf, id)->name_off);
}

/* Every id from first to the end of btf: the same name in kbtf. */
static void check_all_names(const struct kbtf *k, const struct btf *btf,
			    uint32_t first, const char *what)
{
	uint32_t n = btf__type_cnt(btf), bad = 0, bad_id = 0;

	for (uint32_t id = first; id < n; id++) {
		const char *want = lb_name(btf, id);

		if (strcmp(kbtf_name(k, id), want ? want : "")) {
			if (!bad++)
				bad_id = id;
		}
	}
	if (!ok(!bad && n > first, "%s: kbtf_name() of all %u ids [%u, %u) "
		"matches libbpf", what, n - first, first, n))
		printf("#   %u differ, the first id %u: \"%s\"\n", bad, bad_id,
		       kbtf_name(k, bad_id));
}

/* Every named type from first: kbtf_find() gives libbpf's id. */
static void check_all_finds(const struct kbtf *k, const struct btf *btf,
			    uint32_t first, const char *what)
{
	uint32_t n = btf__type_cnt(btf), checked = 0, bad = 0;

	for (uint32_t id = first; id < n; id++) {
		const char *name = lb_name(btf, id);
		int kind = btf_kind(btf__type_by_id(btf, id)), want, got;

		if (!name || !*name)
			continue;
		want = btf__find_by_name_kind(btf, name, kind);
		got = kbtf_find(k, name, kind);
		checked++;
		if (got != want && !bad++)
			printf("#   kbtf_find(\"%s\", kind %d) = %d, libbpf %d\n",
			       name, kind, got, want);
	}
	ok(!bad && checked, "%s: kbtf_find() of all %u named types = libbpf's "
	   "btf__find_by_name_kind()", what, checked);
}

/*
 * Every named member of every struct and union (through anonymous ones)
 * and the shape of every type: as libbpf sees them.
 */
static void check_all_members(const struct kbtf *k, const struct btf *btf,
			      const char *what)
{
	uint32_t n = btf__type_cnt(btf), members = 0, bad = 0, shapes = 0;
	uint32_t bad_shapes = 0;

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		uint32_t ks = 0, ls = 0;
		int kp = -2, lp = -2, kshape, lshape;

		kshape = kbtf_shape(k, id, &ks, &kp);
		lshape = lb_shape(btf, id, &ls, &lp);
		shapes++;
		if ((kshape != lshape || (lshape >= 0 && ks != ls) ||
		     (lshape == KBTF_POINTER && kp != lp)) && !bad_shapes++)
			printf("#   kbtf_shape(%u) = %d size %u pointee %d, "
			       "libbpf %d size %u pointee %d\n", id, kshape, ks,
			       kp, lshape, ls, lp);
		if (!btf_is_composite(t))
			continue;
		/* The names directly in it and one level of anonymous
		 * records below: enough to reach every member once, since
		 * each anonymous record is itself a type checked here. */
		for (uint32_t i = 0; i < btf_vlen(t); i++) {
			const struct btf_member *m = btf_members(t) + i;
			const char *name = btf__name_by_offset(btf, m->name_off);
			uint32_t lbits = 0, kbits = 0;
			int ltype = 0, ktype = 0, lerr, kerr;

			if (!name || !*name)
				continue;
			lerr = lb_member(btf, id, name, 0, &lbits, &ltype, 0);
			kerr = kbtf_member(k, id, name, &kbits, &ktype);
			members++;
			if ((lerr != kerr || kbits != lbits || ktype != ltype) &&
			    !bad++)
				printf("#   %u.%s: kbtf %d bit %u type %d, libbpf "
				       "%d bit %u type %d\n", id, name, kerr,
				       kbits, ktype, lerr, lbits, ltype);
		}
	}
	ok(!bad && members, "%s: kbtf_member() of all %u named members of "
	   "every struct and union = libbpf's", what, members);
	ok(!bad_shapes, "%s: kbtf_shape() of all %u ids = libbpf's", what,
	   shapes);
}

/* -- 1. Every kind, and lookups after them --- */

struct kinds {
	struct btf *btf;
	int n_markers;
	const char *marker_kind[32];
	int marker_id[32];
	int int_id, target_s, target_u, target_td, target_func, target_t;
	int twin1, anon_s, spacer_func, extern_func, var, datasec, flt;
	int enum64, fwd_s, fwd_u, decl_tag, type_tag, colour;
};

/* A struct after each kind: a wrong size for that kind moves it. */
static int mark(struct kinds *k, const char *kind)
{
	char name[48];
	int id;

	snprintf(name, sizeof(name), "after_%s", kind);
	id = btf__add_struct(k->btf, name, 4);
	if (id < 0 || btf__add_field(k->btf, "m", k->int_id, 0, 0))
		return -1;
	k->marker_kind[k->n_markers] = kind;
	k->marker_id[k->n_markers++] = id;
	return 0;
}

static int build_kinds(struct kinds *k)
{
	struct btf *btf = btf__new_empty();
	int err = 0, uint_id, ptr, proto, var2, spacer;

	memset(k, 0, sizeof(*k));
	k->btf = btf;
	if (!btf)
		return -1;
	err |= (k->int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED)) < 0;
	err |= (uint_id = btf__add_int(btf, "unsigned int", 4, 0)) < 0;
	err |= btf__add_int(btf, "long unsigned int", 8, 0) < 0;
	err |= btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL) < 0;
	err |= mark(k, "INT");
	err |= (ptr = btf__add_ptr(btf, k->int_id)) < 0;
	err |= btf__add_ptr(btf, 0) < 0;
	err |= mark(k, "PTR");
	err |= btf__add_array(btf, uint_id, k->int_id, 16) < 0;
	err |= mark(k, "ARRAY");
	err |= (spacer = btf__add_struct(btf, "spacer", 16)) < 0;
	err |= btf__add_field(btf, "a", k->int_id, 0, 0);
	err |= btf__add_field(btf, "b", uint_id, 32, 3);	/* kind_flag */
	err |= btf__add_field(btf, "c", ptr, 64, 0);
	err |= mark(k, "STRUCT");
	err |= btf__add_union(btf, "uspacer", 8) < 0;
	err |= btf__add_field(btf, "x", k->int_id, 0, 0);
	err |= btf__add_field(btf, "y", ptr, 0, 0);
	err |= mark(k, "UNION");
	err |= (k->colour = btf__add_enum(btf, "colour", 4)) < 0;
	err |= btf__add_enum_value(btf, "RED", 0);
	err |= btf__add_enum_value(btf, "GREEN", 1);
	err |= btf__add_enum_value(btf, "BLUE", 2);
	err |= btf__add_enum(btf, "empty_enum", 4) < 0;	/* vlen 0 */
	err |= mark(k, "ENUM");
	err |= (k->enum64 = btf__add_enum64(btf, "big", 8, false)) < 0;
	err |= btf__add_enum64_value(btf, "BIG_A", 1ULL << 40);
	err |= btf__add_enum64_value(btf, "BIG_B", 3ULL << 50);
	err |= btf__add_enum64_value(btf, "BIG_C", 7);
	err |= mark(k, "ENUM64");
	err |= (k->fwd_s = btf__add_fwd(btf, "fwd_s", BTF_FWD_STRUCT)) < 0;
	err |= (k->fwd_u = btf__add_fwd(btf, "fwd_u", BTF_FWD_UNION)) < 0;
	err |= mark(k, "FWD");
	err |= btf__add_typedef(btf, "int_t", k->int_id) < 0;
	err |= mark(k, "TYPEDEF");
	err |= btf__add_volatile(btf, k->int_id) < 0;
	err |= mark(k, "VOLATILE");
	err |= btf__add_const(btf, k->int_id) < 0;
	err |= mark(k, "CONST");
	err |= btf__add_restrict(btf, ptr) < 0;
	err |= mark(k, "RESTRICT");
	err |= (proto = btf__add_func_proto(btf, k->int_id)) < 0;
	err |= btf__add_func_param(btf, "a", k->int_id);
	err |= btf__add_func_param(btf, "b", ptr);
	err |= btf__add_func_param(btf, "c", uint_id);
	err |= mark(k, "FUNC_PROTO");
	/* A function's linkage is its vlen, with nothing after it. */
	err |= (k->spacer_func = btf__add_func(btf, "spacer_func",
					       BTF_FUNC_GLOBAL, proto)) < 0;
	err |= (k->extern_func = btf__add_func(btf, "extern_func",
					       BTF_FUNC_EXTERN, proto)) < 0;
	err |= mark(k, "FUNC");
	err |= (k->var = btf__add_var(btf, "spacer_var", BTF_VAR_GLOBAL_ALLOCATED,
				      k->int_id)) < 0;
	err |= (var2 = btf__add_var(btf, "spacer_var2", BTF_VAR_STATIC,
				    ptr)) < 0;
	err |= mark(k, "VAR");
	err |= (k->datasec = btf__add_datasec(btf, ".data", 16)) < 0;
	err |= btf__add_datasec_var_info(btf, k->var, 0, 4);
	err |= btf__add_datasec_var_info(btf, var2, 8, 8);
	err |= mark(k, "DATASEC");
	err |= (k->flt = btf__add_float(btf, "double", 8)) < 0;
	err |= mark(k, "FLOAT");
	err |= (k->decl_tag = btf__add_decl_tag(btf, "tag", spacer, -1)) < 0;
	err |= btf__add_decl_tag(btf, "tag", spacer, 1) < 0;
	err |= mark(k, "DECL_TAG");
	err |= (k->type_tag = btf__add_type_tag(btf, "user", k->int_id)) < 0;
	err |= btf__add_ptr(btf, k->type_tag) < 0;
	err |= mark(k, "TYPE_TAG");

	/* What is looked up, after all of them. */
	err |= (k->target_s = btf__add_struct(btf, "target", 8)) < 0;
	err |= btf__add_field(btf, "t", k->int_id, 0, 0);
	err |= (k->target_u = btf__add_union(btf, "target", 4)) < 0;
	err |= btf__add_field(btf, "u", k->int_id, 0, 0);
	err |= (k->target_td = btf__add_typedef(btf, "target", k->target_s)) < 0;
	err |= (k->target_t = btf__add_typedef(btf, "target_t", k->target_s)) < 0;
	err |= (k->target_func = btf__add_func(btf, "target_func",
					       BTF_FUNC_STATIC, proto)) < 0;
	err |= (k->twin1 = btf__add_struct(btf, "twin", 4)) < 0;
	err |= btf__add_struct(btf, "twin", 8) < 0;
	err |= (k->anon_s = btf__add_struct(btf, NULL, 4)) < 0;
	return err ? -1 : 0;
}

static void check_kinds(const struct kbtf *b, const struct kinds *k,
			const char *how)
{
	static const char *const structs[] = {
		"target", "nosuch", "after_FLOAT", "target", "twin", "",
		"after_INT", "colour",
	};
	static const char *const funcs[] = {
		"target_func", "extern_func", "spacer_func", "target",
	};
	int ids[ARRAY_SIZE(structs)], fids[ARRAY_SIZE(funcs)];
	int sentinel = 12345;

	if (!ok(b, "%s: kbtf_open()", how)) {
		skip("nothing to look up");
		return;
	}
	for (int i = 0; i < k->n_markers; i++) {
		char name[48];

		snprintf(name, sizeof(name), "after_%s", k->marker_kind[i]);
		ok(kbtf_find(b, name, BTF_KIND_STRUCT) == k->marker_id[i],
		   "%s: stepped over %s: struct %s found at %d", how,
		   k->marker_kind[i], name, k->marker_id[i]);
	}
	ok(kbtf_find(b, "int", BTF_KIND_INT) == k->int_id,
	   "%s: kbtf_find(int, INT) = %d", how, k->int_id);
	ok(kbtf_find(b, "target", BTF_KIND_STRUCT) == k->target_s,
	   "%s: kbtf_find(target, STRUCT) = %d", how, k->target_s);
	ok(kbtf_find(b, "target", BTF_KIND_UNION) == k->target_u,
	   "%s: kbtf_find(target, UNION) = %d: same name, other kind", how,
	   k->target_u);
	ok(kbtf_find(b, "target", BTF_KIND_TYPEDEF) == k->target_td,
	   "%s: kbtf_find(target, TYPEDEF) = %d", how, k->target_td);
	ok(kbtf_find(b, "target_t", BTF_KIND_TYPEDEF) == k->target_t,
	   "%s: kbtf_find(target_t, TYPEDEF) = %d", how, k->target_t);
	ok(kbtf_find(b, "target", BTF_KIND_FUNC) == -1 &&
	   kbtf_find(b, "target", BTF_KIND_ENUM) == -1,
	   "%s: kbtf_find(target, FUNC or ENUM) = -1", how);
	ok(kbtf_find(b, "target_func", BTF_KIND_FUNC) == k->target_func,
	   "%s: kbtf_find(target_func, FUNC) = %d", how, k->target_func);
	ok(kbtf_find(b, "target_func", BTF_KIND_FUNC_PROTO) == -1,
	   "%s: kbtf_find(target_func, FUNC_PROTO) = -1", how);
	ok(kbtf_find(b, "targe", BTF_KIND_STRUCT) == -1 &&
	   kbtf_find(b, "targets", BTF_KIND_STRUCT) == -1 &&
	   kbtf_find(b, "nosuch", BTF_KIND_STRUCT) == -1,
	   "%s: absent names, prefixes and extensions: -1", how);
	ok(kbtf_find(b, "", BTF_KIND_STRUCT) == -1,
	   "%s: kbtf_find(\"\", STRUCT) = -1 despite anonymous structs", how);
	ok(kbtf_find(b, "twin", BTF_KIND_STRUCT) == k->twin1,
	   "%s: of two structs named twin, the first (%d)", how, k->twin1);
	ok(kbtf_find(b, "spacer_var", BTF_KIND_VAR) == k->var &&
	   kbtf_find(b, ".data", BTF_KIND_DATASEC) == k->datasec &&
	   kbtf_find(b, "double", BTF_KIND_FLOAT) == k->flt &&
	   kbtf_find(b, "big", BTF_KIND_ENUM64) == k->enum64 &&
	   kbtf_find(b, "colour", BTF_KIND_ENUM) == k->colour &&
	   kbtf_find(b, "fwd_s", BTF_KIND_FWD) == k->fwd_s &&
	   kbtf_find(b, "fwd_u", BTF_KIND_FWD) == k->fwd_u &&
	   kbtf_find(b, "tag", BTF_KIND_DECL_TAG) == k->decl_tag &&
	   kbtf_find(b, "user", BTF_KIND_TYPE_TAG) == k->type_tag,
	   "%s: kbtf_find() of VAR, DATASEC, FLOAT, ENUM64, ENUM, FWD, "
	   "DECL_TAG, TYPE_TAG names", how);

	kbtf_find_all(b, structs, ARRAY_SIZE(structs), BTF_KIND_STRUCT, ids);
	if (!ok(ids[0] == k->target_s && ids[1] == -1 &&
		ids[2] == kbtf_find(b, "after_FLOAT", BTF_KIND_STRUCT) &&
		ids[2] > 0 && ids[3] == k->target_s && ids[4] == k->twin1 &&
		ids[5] == -1 && ids[6] == k->marker_id[0] && ids[7] == -1,
		"%s: kbtf_find_all() of 8 names: found, missing, the same name "
		"twice, an empty one, another kind's", how))
		printf("#   got %d %d %d %d %d %d %d %d\n", ids[0], ids[1],
		       ids[2], ids[3], ids[4], ids[5], ids[6], ids[7]);
	kbtf_find_all(b, funcs, ARRAY_SIZE(funcs), BTF_KIND_FUNC, fids);
	ok(fids[0] == k->target_func && fids[1] == k->extern_func &&
	   fids[2] == k->spacer_func && fids[3] == -1,
	   "%s: kbtf_find_all() of 4 FUNC names", how);
	kbtf_find_all(b, structs, 0, BTF_KIND_STRUCT, &sentinel);
	ok(sentinel == 12345, "%s: kbtf_find_all() of no names writes nothing",
	   how);

	check_all_names(b, k->btf, 1, how);
	check_all_finds(b, k->btf, 1, how);
	ok(!strcmp(kbtf_name(b, k->target_s), "target") &&
	   !strcmp(kbtf_name(b, k->anon_s), "") &&
	   !strcmp(kbtf_name(b, 0), "") && !strcmp(kbtf_name(b, -1), "") &&
	   !strcmp(kbtf_name(b, btf__type_cnt(k->btf)), "") &&
	   !strcmp(kbtf_name(b, 1 << 30), ""),
	   "%s: kbtf_name(): named, anonymous, 0, -1 and past the end", how);
}

static void test_kinds(void)
{
	struct kinds k;
	struct kbtf *b;
	const char *path;
	const void *raw;
	uint32_t size;

	if (!ok(!build_kinds(&k), "synthetic BTF with every kind")) {
		btf__free(k.btf);
		return;
	}
	path = write_btf(k.btf, "kinds.btf");
	ok(path, "written to %s", path ? path : "(failed)");
	b = path ? kbtf_open(path, NULL) : NULL;
	check_kinds(b, &k, "kinds (mapped)");
	kbtf_close(b);

	raw = btf__raw_data(k.btf, &size);
	b = open_via_pipe(raw, size, NULL);
	check_kinds(b, &k, "kinds (read from a pipe)");
	kbtf_close(b);
	btf__free(k.btf);
}

/*
 * More than the 8 MB kbtf_open() first reads into, from a pipe: the buffer
 * grows, and a type whose name sits past 8 MB is still found.
 */
static void test_big_read(void)
{
	const size_t pad = 9 << 20;
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION,
		.hdr_len = sizeof(h),
	};
	uint32_t types[3 + 1 + 3 + 3];
	size_t str_len, total, far;
	uint8_t *buf, *s;
	struct kbtf *b;
	uint32_t bits = 0;
	int type = 0;
	const char *path;

	/* Strings: "", "int", 9 MB of padding, "far_struct", "far_member". */
	far = 1 + 4 + pad + 1;
	str_len = far + sizeof("far_struct") + sizeof("far_member");
	/* [1] INT int 4; [2] STRUCT far_struct size 16 { far_member @96 }. */
	types[0] = 1;
	types[1] = BTF_INFO_KIND(0) | (uint32_t)BTF_KIND_INT << 24;
	types[2] = 4;
	types[3] = 32;
	types[4] = far;
	types[5] = (uint32_t)BTF_KIND_STRUCT << 24 | 1;
	types[6] = 16;
	types[7] = far + sizeof("far_struct");
	types[8] = 1;
	types[9] = 96;
	h.type_len = sizeof(types);
	h.str_off = sizeof(types);
	h.str_len = str_len;
	total = sizeof(h) + sizeof(types) + str_len;
	buf = calloc(1, total);
	if (!ok(buf, "a %zu-byte BTF", total))
		return;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), types, sizeof(types));
	s = buf + sizeof(h) + sizeof(types);
	memcpy(s + 1, "int", 4);
	memset(s + 5, 'p', pad);
	memcpy(s + far, "far_struct", sizeof("far_struct"));
	memcpy(s + far + sizeof("far_struct"), "far_member",
	       sizeof("far_member"));

	b = open_via_pipe(buf, total, NULL);
	ok(b && kbtf_find(b, "far_struct", BTF_KIND_STRUCT) == 2 &&
	   kbtf_find(b, "int", BTF_KIND_INT) == 1 &&
	   !kbtf_member(b, 2, "far_member", &bits, &type) && bits == 96 &&
	   type == 1,
	   "%zu MB from a pipe: read whole (struct named at offset %zu found, "
	   "member at 96)", total >> 20, far);
	kbtf_close(b);

	path = write_tmp("big.btf", buf, total);
	b = path ? kbtf_open(path, NULL) : NULL;
	ok(b && kbtf_find(b, "far_struct", BTF_KIND_STRUCT) == 2,
	   "the same %zu MB mapped from a file", total >> 20);
	kbtf_close(b);
	free(buf);
}

/* -- 2. Members, bitfields, shapes --- */

struct shapes {
	struct btf *btf;
	int int_id, uint_id, ulong_id, char_id, u16_id;
	int deep, bits, huge, holder, u2, s2, s1, u1, ub;
	int ptr_deep, cptr_deep, deep_cptr_t, u32_t, cv_u32, vptr;
	int td_deep, ptr_td_deep, tag_deep, ptr_tag_deep, ptr_ptr;
	int enum4, enum1, enum64, arr, fwd, proto, loop_a, loop_b;
	int self_anon, bad_anon, float_id;
};

/*
 * struct deep {                         bits
 *	int a;                           0
 *	struct {                         64
 *		unsigned long s1a;       64
 *		union {                  128
 *			unsigned long u1a;       128
 *			struct {                 128
 *				int s2a;         128
 *				int s2b;         160
 *				union {          256
 *					unsigned long leaf;  256
 *					int leaf2;           256
 *				};
 *			};
 *		};
 *	};
 *	int z;                           448
 * };
 */
static int add_deep(struct shapes *s)
{
	struct btf *btf = s->btf;
	int err = 0;

	err |= (s->u2 = btf__add_union(btf, NULL, 8)) < 0;
	err |= btf__add_field(btf, "leaf", s->ulong_id, 0, 0);
	err |= btf__add_field(btf, "leaf2", s->int_id, 0, 0);
	err |= (s->s2 = btf__add_struct(btf, NULL, 24)) < 0;
	err |= btf__add_field(btf, "s2a", s->int_id, 0, 0);
	err |= btf__add_field(btf, "s2b", s->int_id, 32, 0);
	err |= btf__add_field(btf, NULL, s->u2, 128, 0);
	err |= (s->u1 = btf__add_union(btf, NULL, 24)) < 0;
	err |= btf__add_field(btf, "u1a", s->ulong_id, 0, 0);
	err |= btf__add_field(btf, NULL, s->s2, 0, 0);
	err |= (s->s1 = btf__add_struct(btf, NULL, 32)) < 0;
	err |= btf__add_field(btf, "s1a", s->ulong_id, 0, 0);
	err |= btf__add_field(btf, NULL, s->u1, 64, 0);
	err |= (s->deep = btf__add_struct(btf, "deep", 64)) < 0;
	err |= btf__add_field(btf, "a", s->int_id, 0, 0);
	err |= btf__add_field(btf, NULL, s->s1, 64, 0);
	err |= btf__add_field(btf, "z", s->int_id, 448, 0);
	return err;
}

/*
 * struct bits {        (kind_flag: the top 8 bits are sizes)
 *	unsigned int f1:3, f2:5, f3:12;   0 3 8
 *	unsigned long g;                  64
 *	union { unsigned int hb:7; unsigned int hc; };  128
 *	int h:7, i:9;                     160 167
 * };
 * and struct huge, whose offsets are not bitfields.
 */
static int add_bitfields(struct shapes *s)
{
	struct btf *btf = s->btf;
	int err = 0;

	err |= (s->ub = btf__add_union(btf, NULL, 4)) < 0;
	err |= btf__add_field(btf, "hb", s->uint_id, 0, 7);
	err |= btf__add_field(btf, "hc", s->uint_id, 0, 0);
	err |= (s->bits = btf__add_struct(btf, "bits", 24)) < 0;
	err |= btf__add_field(btf, "f1", s->uint_id, 0, 3);
	err |= btf__add_field(btf, "f2", s->uint_id, 3, 5);
	err |= btf__add_field(btf, "f3", s->uint_id, 8, 12);
	err |= btf__add_field(btf, "g", s->ulong_id, 64, 0);
	err |= btf__add_field(btf, NULL, s->ub, 128, 0);
	err |= btf__add_field(btf, "h", s->int_id, 160, 7);
	err |= btf__add_field(btf, "i", s->int_id, 167, 9);

	/* 4 MB, no kind_flag: an offset past 24 bits is not masked. */
	err |= (s->huge = btf__add_struct(btf, "huge", 4 << 20)) < 0;
	err |= btf__add_field(btf, "first", s->int_id, 0, 0);
	err |= btf__add_field(btf, "far", s->ulong_id, (1 << 24) + 64, 0);
	return err;
}

/* What a shape looks through (typedefs, qualifiers, type tags, pointers)
 * and what it stops at (enums, an array, a forward, a prototype, a float). */
static int add_derived(struct shapes *s)
{
	struct btf *btf = s->btf;
	int err = 0, id, u32_base;

	/* typedef struct deep *const deep_cptr_t; typedef __u32 u32; */
	err |= (s->ptr_deep = btf__add_ptr(btf, s->deep)) < 0;
	err |= (s->cptr_deep = btf__add_const(btf, s->ptr_deep)) < 0;
	err |= (s->deep_cptr_t = btf__add_typedef(btf, "deep_cptr_t",
						  s->cptr_deep)) < 0;
	err |= (u32_base = btf__add_typedef(btf, "__u32", s->uint_id)) < 0;
	err |= (s->u32_t = btf__add_typedef(btf, "u32", u32_base)) < 0;
	err |= (id = btf__add_volatile(btf, s->u32_t)) < 0;
	err |= (s->cv_u32 = btf__add_const(btf, id)) < 0;
	err |= (s->vptr = btf__add_ptr(btf, 0)) < 0;
	err |= (s->td_deep = btf__add_typedef(btf, "deep_t", s->deep)) < 0;
	err |= (id = btf__add_const(btf, s->td_deep)) < 0;
	err |= (s->ptr_td_deep = btf__add_ptr(btf, id)) < 0;
	err |= (s->tag_deep = btf__add_type_tag(btf, "user", s->deep)) < 0;
	err |= (s->ptr_tag_deep = btf__add_ptr(btf, s->tag_deep)) < 0;
	err |= (s->ptr_ptr = btf__add_ptr(btf, s->ptr_deep)) < 0;
	err |= (s->enum4 = btf__add_enum(btf, "mode", 4)) < 0;
	err |= btf__add_enum_value(btf, "MODE_A", 1);
	err |= (s->enum1 = btf__add_enum(btf, "tiny", 1)) < 0;
	err |= btf__add_enum_value(btf, "TINY_A", 1);
	err |= (s->enum64 = btf__add_enum64(btf, "wide", 8, true)) < 0;
	err |= btf__add_enum64_value(btf, "WIDE_A", -1);
	err |= (s->arr = btf__add_array(btf, s->int_id, s->char_id, 16)) < 0;
	err |= (s->fwd = btf__add_fwd(btf, "opaque", BTF_FWD_STRUCT)) < 0;
	err |= (s->proto = btf__add_func_proto(btf, s->int_id)) < 0;
	err |= (s->float_id = btf__add_float(btf, "double", 8)) < 0;
	return err;
}

/* struct holder { deep_cptr_t p; const volatile u32 v; enum mode e;
 * char c; struct deep d; char name[16]; ... } */
static int add_holder(struct shapes *s)
{
	struct btf *btf = s->btf;
	int err = 0;

	err |= (s->holder = btf__add_struct(btf, "holder", 160)) < 0;
	err |= btf__add_field(btf, "p", s->deep_cptr_t, 0, 0);
	err |= btf__add_field(btf, "v", s->cv_u32, 64, 0);
	err |= btf__add_field(btf, "e", s->enum4, 96, 0);
	err |= btf__add_field(btf, "c", s->char_id, 128, 0);
	err |= btf__add_field(btf, "d", s->deep, 192, 0);
	err |= btf__add_field(btf, "name", s->arr, 704, 0);
	err |= btf__add_field(btf, "s", s->u16_id, 832, 0);
	return err;
}

/* Malformed but parseable: a typedef loop, an anonymous member that is its
 * own struct, and one of a type that does not exist. */
static int add_malformed_types(struct shapes *s)
{
	struct btf *btf = s->btf;
	int err = 0;

	s->loop_a = btf__type_cnt(btf);
	s->loop_b = s->loop_a + 1;
	err |= btf__add_typedef(btf, "loop_a", s->loop_b) != s->loop_a;
	err |= btf__add_typedef(btf, "loop_b", s->loop_a) != s->loop_b;
	err |= (s->self_anon = btf__add_struct(btf, "self_anon", 8)) < 0;
	err |= btf__add_field(btf, NULL, s->self_anon, 0, 0);
	err |= btf__add_field(btf, "after_self", s->int_id, 32, 0);
	err |= (s->bad_anon = btf__add_struct(btf, "bad_anon", 8)) < 0;
	err |= btf__add_field(btf, NULL, 100000, 0, 0);
	err |= btf__add_field(btf, "after_bad", s->int_id, 32, 0);
	err |= btf__add_field(btf, "bad_type", 100000, 0, 0);
	return err;
}

static int build_shapes(struct shapes *s)
{
	struct btf *btf = btf__new_empty();
	int err = 0;

	memset(s, 0, sizeof(*s));
	s->btf = btf;
	if (!btf)
		return -1;
	err |= (s->int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED)) < 0;
	err |= (s->uint_id = btf__add_int(btf, "unsigned int", 4, 0)) < 0;
	err |= (s->ulong_id = btf__add_int(btf, "long unsigned int", 8, 0)) < 0;
	err |= (s->char_id = btf__add_int(btf, "char", 1, BTF_INT_SIGNED)) < 0;
	err |= (s->u16_id = btf__add_int(btf, "short unsigned int", 2, 0)) < 0;
	/* In this order: each adds what the next ones refer to. */
	err |= add_deep(s);
	err |= add_bitfields(s);
	err |= add_derived(s);
	err |= add_holder(s);
	err |= add_malformed_types(s);
	return err ? -1 : 0;
}

static void check_member(const struct kbtf *b, int id, const char *type,
			 const char *member, uint32_t want_bits, int want_type)
{
	uint32_t bits = 0xdead;
	int mtype = -7, ret = kbtf_member(b, id, member, &bits, &mtype);

	if (!ok(!ret && bits == want_bits && mtype == want_type,
		"kbtf_member(%s, %s) = bit %u, type %d", type, member,
		want_bits, want_type))
		printf("#   got %d: bit %u type %d\n", ret, bits, mtype);
}

static void check_shape(const struct kbtf *b, int id, const char *what,
			int want, uint32_t want_size, int want_pointee)
{
	uint32_t size = 0xdead;
	int pointee = -7, got = kbtf_shape(b, id, &size, &pointee);

	if (!ok(got == want && (want < 0 || size == want_size) &&
		(want != KBTF_POINTER || pointee == want_pointee),
		"kbtf_shape(%s) = %s, size %u%s", what,
		want == KBTF_SCALAR ? "SCALAR" : want == KBTF_POINTER ?
		"POINTER" : want == KBTF_RECORD ? "RECORD" : "-1", want_size,
		want == KBTF_POINTER ? ", pointee as expected" : ""))
		printf("#   got %d size %u pointee %d\n", got, size, pointee);
}

/* Members through anonymous records and bitfields, and what is not one. */
static void check_members(const struct kbtf *b, const struct shapes *s)
{
	const struct {
		int id;
		const char *type, *member;
		uint32_t bits;
		int member_type;
	} cases[] = {
		{ s->deep, "deep", "a", 0, s->int_id },
		{ s->deep, "deep", "s1a", 64, s->ulong_id },
		{ s->deep, "deep", "u1a", 128, s->ulong_id },
		{ s->deep, "deep", "s2a", 128, s->int_id },
		{ s->deep, "deep", "s2b", 160, s->int_id },
		{ s->deep, "deep", "leaf", 256, s->ulong_id },
		{ s->deep, "deep", "leaf2", 256, s->int_id },
		{ s->deep, "deep", "z", 448, s->int_id },
		{ s->s1, "the anonymous struct", "leaf", 192, s->ulong_id },
		{ s->td_deep, "deep_t (a typedef)", "leaf", 256, s->ulong_id },
		{ s->tag_deep, "deep __user (a type tag)", "s2b", 160,
		  s->int_id },
		{ s->bits, "bits", "f1", 0, s->uint_id },
		{ s->bits, "bits", "f2", 3, s->uint_id },
		{ s->bits, "bits", "f3", 8, s->uint_id },
		{ s->bits, "bits", "g", 64, s->ulong_id },
		{ s->bits, "bits", "hb", 128, s->uint_id },
		{ s->bits, "bits", "hc", 128, s->uint_id },
		{ s->bits, "bits", "h", 160, s->int_id },
		{ s->bits, "bits", "i", 167, s->int_id },
		{ s->huge, "huge (no kind_flag)", "far", (1 << 24) + 64,
		  s->ulong_id },
		{ s->holder, "holder", "p", 0, s->deep_cptr_t },
		{ s->holder, "holder", "v", 64, s->cv_u32 },
		{ s->self_anon, "self_anon", "after_self", 32, s->int_id },
		{ s->bad_anon, "bad_anon (an anonymous member of a type past "
		  "the end)", "after_bad", 32, s->int_id },
	};
	uint32_t bits = 0;
	int mtype = 0, pointee = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_member(b, cases[i].id, cases[i].type, cases[i].member,
			     cases[i].bits, cases[i].member_type);
	ok(kbtf_member(b, s->deep, "nosuch", &bits, &mtype) == -1 &&
	   kbtf_member(b, s->deep, "", &bits, &mtype) == -1 &&
	   kbtf_member(b, s->deep, "lea", &bits, &mtype) == -1,
	   "kbtf_member(deep, nosuch / \"\" / a prefix) = -1");
	ok(kbtf_member(b, s->ptr_deep, "a", &bits, &mtype) == -1 &&
	   kbtf_member(b, s->int_id, "a", &bits, &mtype) == -1 &&
	   kbtf_member(b, 0, "a", &bits, &mtype) == -1 &&
	   kbtf_member(b, -1, "a", &bits, &mtype) == -1 &&
	   kbtf_member(b, 1 << 30, "a", &bits, &mtype) == -1 &&
	   kbtf_member(b, s->fwd, "a", &bits, &mtype) == -1,
	   "kbtf_member() of a pointer, an int, a forward declaration or a "
	   "bad id = -1");
	ok(kbtf_member(b, s->holder, "leaf", &bits, &mtype) == -1,
	   "kbtf_member() does not descend into named struct members");
	ok(kbtf_member(b, s->self_anon, "nosuch", &bits, &mtype) == -1,
	   "an anonymous member that is its own struct: -1, no endless "
	   "recursion");
	ok(!kbtf_member(b, s->bad_anon, "bad_type", &bits, &mtype) &&
	   mtype == 100000 && kbtf_shape(b, mtype, &bits, &pointee) == -1,
	   "a member of a type past the end: found, its shape -1");
	ok(kbtf_member(b, s->loop_a, "a", &bits, &mtype) == -1,
	   "kbtf_member() of a typedef loop: -1");
}

/* Shapes past typedefs, qualifiers and tags, and the names of types. */
static void check_shapes(const struct kbtf *b, const struct shapes *s)
{
	const int ptr = sizeof(void *);
	const struct {
		int id;
		const char *what;
		int shape;
		uint32_t size;
		int pointee;
	} cases[] = {
		{ s->deep_cptr_t, "deep_cptr_t: typedef of a const pointer to "
		  "struct deep", KBTF_POINTER, ptr, s->deep },
		{ s->cv_u32, "const volatile u32 (typedef of a typedef)",
		  KBTF_SCALAR, 4, 0 },
		{ s->u32_t, "u32", KBTF_SCALAR, 4, 0 },
		{ s->int_id, "int", KBTF_SCALAR, 4, 0 },
		{ s->char_id, "char", KBTF_SCALAR, 1, 0 },
		{ s->u16_id, "unsigned short", KBTF_SCALAR, 2, 0 },
		{ s->ulong_id, "unsigned long", KBTF_SCALAR, 8, 0 },
		{ s->enum4, "enum mode", KBTF_SCALAR, 4, 0 },
		{ s->enum1, "a 1-byte enum", KBTF_SCALAR, 1, 0 },
		{ s->enum64, "enum64 wide", KBTF_SCALAR, 8, 0 },
		{ s->vptr, "void *", KBTF_POINTER, ptr, -1 },
		{ s->ptr_td_deep, "const deep_t *", KBTF_POINTER, ptr,
		  s->deep },
		{ s->ptr_tag_deep, "struct deep __user *", KBTF_POINTER, ptr,
		  s->deep },
		{ s->ptr_ptr, "struct deep **", KBTF_POINTER, ptr,
		  s->ptr_deep },
		{ s->deep, "struct deep", KBTF_RECORD, 64, 0 },
		{ s->td_deep, "deep_t", KBTF_RECORD, 64, 0 },
		{ s->u2, "an anonymous union", KBTF_RECORD, 8, 0 },
		{ s->arr, "char[16]", -1, 0, 0 },
		{ s->fwd, "struct opaque (forward)", -1, 0, 0 },
		{ s->proto, "a function prototype", -1, 0, 0 },
		{ s->float_id, "double", -1, 0, 0 },
		{ s->loop_a, "a typedef loop", -1, 0, 0 },
		{ 0, "void (id 0)", -1, 0, 0 },
		{ 1 << 30, "an id past the end", -1, 0, 0 },
		{ -5, "a negative id", -1, 0, 0 },
	};
	uint32_t size = 0;
	int pointee = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_shape(b, cases[i].id, cases[i].what, cases[i].shape,
			    cases[i].size, cases[i].pointee);
	ok(kbtf_shape(b, s->deep_cptr_t, &size, &pointee) == KBTF_POINTER &&
	   !strcmp(kbtf_name(b, pointee), "deep"),
	   "kbtf_name() of its pointee: \"deep\"");
	ok(!strcmp(kbtf_name(b, s->ptr_deep), ""),
	   "kbtf_name() of a pointer (the pointee of a **): \"\"");
	ok(!strcmp(kbtf_name(b, s->deep), "deep") &&
	   !strcmp(kbtf_name(b, s->u2), "") &&
	   !strcmp(kbtf_name(b, s->deep_cptr_t), "deep_cptr_t") &&
	   !strcmp(kbtf_name(b, s->int_id), "int") &&
	   !strcmp(kbtf_name(b, s->tag_deep), "user"),
	   "kbtf_name() of a struct, an anonymous union, a typedef, an int, "
	   "a type tag");
}

static void test_members(void)
{
	struct shapes s;
	struct kbtf *b;
	const char *path;
	const struct btf_type *t;

	if (!ok(!build_shapes(&s), "synthetic BTF with nested records")) {
		btf__free(s.btf);
		return;
	}
	t = btf__type_by_id(s.btf, s.bits);
	ok(t && btf_kflag(t) && btf_kflag(btf__type_by_id(s.btf, s.ub)) &&
	   !btf_kflag(btf__type_by_id(s.btf, s.huge)),
	   "libbpf set kind_flag on the bitfield struct and union only");
	path = write_btf(s.btf, "shapes.btf");
	b = path ? kbtf_open(path, NULL) : NULL;
	if (!ok(b, "kbtf_open(%s)", path ? path : "(not written)")) {
		btf__free(s.btf);
		return;
	}
	check_members(b, &s);
	check_shapes(b, &s);
	check_all_members(b, s.btf, "synthetic");
	kbtf_close(b);
	btf__free(s.btf);
}

/* -- 3. Split BTF --- */

/* A base BTF and a split BTF on it: libbpf's, their files, and kbtf's. */
struct split_btf {
	struct btf *base, *split;
	int b_int, b_ulong, b_s, b_ptr;
	int s_s, s_ptr, s_td, s_ptr_base, s_other;
	uint32_t base_str_len;
	const char *base_path, *split_path;
	struct kbtf *kb, *ks;
};

/* The base: int, unsigned long, struct base_s { files; count; } and a
 * pointer to it; written to base.btf. */
static int build_split_base(struct split_btf *sp)
{
	struct btf *base = sp->base;
	const struct btf_header *hdr;
	uint32_t raw_size;
	int err = 0;

	err |= (sp->b_int = btf__add_int(base, "int", 4, BTF_INT_SIGNED)) < 0;
	err |= (sp->b_ulong =
		btf__add_int(base, "long unsigned int", 8, 0)) < 0;
	err |= (sp->b_s = btf__add_struct(base, "base_s", 16)) < 0;
	err |= btf__add_field(base, "files", sp->b_ulong, 0, 0);
	err |= btf__add_field(base, "count", sp->b_int, 64, 0);
	err |= (sp->b_ptr = btf__add_ptr(base, sp->b_s)) < 0;
	if (err)
		return -1;
	hdr = btf__raw_data(base, &raw_size);
	sp->base_str_len = hdr ? hdr->str_len : 0;
	sp->base_path = write_btf(base, "base.btf");
	return 0;
}

/* Build and write both, and open them with kbtf (kb, ks NULL if it could
 * not): -1 if they could not be built. */
static int build_split(struct split_btf *sp)
{
	struct btf *split;
	int err = 0;

	memset(sp, 0, sizeof(*sp));
	sp->base = btf__new_empty();
	if (!sp->base || build_split_base(sp))
		return -1;
	split = sp->split = btf__new_empty_split(sp->base);
	if (!split || !sp->base_path)
		return -1;
	/* struct split_s { struct base_s *owner; int files; unsigned long
	 * fresh_member; struct base_s embedded; }: "files" is a base string,
	 * the rest are the split's own. */
	err |= (sp->s_s = btf__add_struct(split, "split_s", 48)) < 0;
	err |= btf__add_field(split, "owner", sp->b_ptr, 0, 0);
	err |= btf__add_field(split, "files", sp->b_int, 64, 0);
	err |= btf__add_field(split, "fresh_member", sp->b_ulong, 128, 0);
	err |= btf__add_field(split, "embedded", sp->b_s, 256, 0);
	err |= (sp->s_ptr = btf__add_ptr(split, sp->s_s)) < 0;
	err |= (sp->s_td = btf__add_typedef(split, "split_t", sp->s_ptr)) < 0;
	err |= (sp->s_ptr_base = btf__add_ptr(split, sp->b_s)) < 0;
	err |= (sp->s_other = btf__add_struct(split, "other_s", 8)) < 0;
	err |= btf__add_field(split, "back", sp->s_td, 0, 0);
	if (err)
		return -1;
	sp->split_path = write_btf(split, "split.btf");
	sp->kb = kbtf_open(sp->base_path, NULL);
	sp->ks = sp->kb && sp->split_path ?
		 kbtf_open(sp->split_path, sp->kb) : NULL;
	return 0;
}

static void free_split(struct split_btf *sp)
{
	kbtf_close(sp->ks);
	kbtf_close(sp->kb);
	btf__free(sp->split);
	btf__free(sp->base);
}

/* kbtf_find() in the split and in its base. */
static void check_split_finds(const struct split_btf *sp)
{
	ok(sp->s_s == (int)btf__type_cnt(sp->base),
	   "(libbpf numbered the split's first type %d, after the base's %u)",
	   sp->s_s, btf__type_cnt(sp->base) - 1);
	ok(kbtf_find(sp->ks, "split_s", BTF_KIND_STRUCT) == sp->s_s,
	   "split: kbtf_find(split_s) = %d, its ids continue after the base",
	   sp->s_s);
	ok(kbtf_find(sp->ks, "other_s", BTF_KIND_STRUCT) == sp->s_other &&
	   kbtf_find(sp->ks, "split_t", BTF_KIND_TYPEDEF) == sp->s_td,
	   "split: kbtf_find(other_s) = %d, kbtf_find(split_t) = %d",
	   sp->s_other, sp->s_td);
	ok(kbtf_find(sp->kb, "split_s", BTF_KIND_STRUCT) == -1 &&
	   kbtf_find(sp->kb, "base_s", BTF_KIND_STRUCT) == sp->b_s,
	   "base: has base_s and not split_s");
}

/* kbtf_member() of the split's structs, named by base strings or its own,
 * and of the base's through the split. */
static void check_split_members(const struct split_btf *sp)
{
	const struct btf_type *t = btf__type_by_id(sp->split, sp->s_s);
	uint32_t str_len = sp->base_str_len;

	check_member(sp->ks, sp->s_s, "split_s", "owner", 0, sp->b_ptr);
	check_member(sp->ks, sp->s_s, "split_s (a base string)", "files", 64,
		     sp->b_int);
	ok(t && btf_members(t)[1].name_off < str_len &&
	   btf_members(t)[0].name_off >= str_len &&
	   btf_members(t)[2].name_off >= str_len,
	   "(libbpf named split_s.files by the base's string %u, owner and "
	   "fresh_member by the split's own, from %u)",
	   t ? btf_members(t)[1].name_off : 0, str_len);
	check_member(sp->ks, sp->s_s, "split_s", "fresh_member", 128,
		     sp->b_ulong);
	check_member(sp->ks, sp->s_s, "split_s", "embedded", 256, sp->b_s);
	check_member(sp->ks, sp->b_s, "base_s through the split", "count", 64,
		     sp->b_int);
	check_member(sp->ks, sp->s_other, "other_s", "back", 0, sp->s_td);
}

/* Shapes and names across the base and the split. */
static void check_split_names(const struct split_btf *sp)
{
	const struct kbtf *ks = sp->ks;
	uint32_t bits = 0, size = 0;
	int mtype = 0, pointee = 0;

	ok(kbtf_shape(ks, sp->s_td, &size, &pointee) == KBTF_POINTER &&
	   pointee == sp->s_s && !strcmp(kbtf_name(ks, pointee), "split_s"),
	   "split: split_t points to split_s");
	ok(!kbtf_member(ks, sp->s_s, "owner", &bits, &mtype) &&
	   kbtf_shape(ks, mtype, &size, &pointee) == KBTF_POINTER &&
	   pointee == sp->b_s && !strcmp(kbtf_name(ks, pointee), "base_s"),
	   "split: owner points to the base's base_s, named through the split");
	ok(!strcmp(kbtf_name(ks, sp->b_int), "int") &&
	   !strcmp(kbtf_name(ks, sp->b_ulong), "long unsigned int") &&
	   !strcmp(kbtf_name(ks, sp->s_s), "split_s") &&
	   !strcmp(kbtf_name(ks, sp->s_ptr_base), "") &&
	   !strcmp(kbtf_name(ks, sp->s_other + 1), ""),
	   "split: kbtf_name() of base ids, split ids, past the end");
	ok(kbtf_shape(ks, sp->s_ptr_base, &size, &pointee) == KBTF_POINTER &&
	   pointee == sp->b_s, "split: a split pointer to a base struct");
}

/* Every name and find of the split against libbpf's parse of its files. */
static void check_split_libbpf(const struct split_btf *sp)
{
	struct btf *lb_base = btf__parse(sp->base_path, NULL);
	struct btf *lb_split = lb_base ?
			       btf__parse_split(sp->split_path, lb_base) : NULL;

	if (ok(lb_split, "libbpf parses the split file on its base")) {
		check_all_names(sp->ks, lb_split, 1,
				"split (base and split ids)");
		check_all_finds(sp->ks, lb_split, btf__type_cnt(lb_base),
				"split (its own types)");
	}
	btf__free(lb_split);
	btf__free(lb_base);
}

/* The split file alone: its ids and strings are out of range; nothing may
 * be read out of bounds. */
static void check_split_alone(const struct split_btf *sp)
{
	struct kbtf *kalone = kbtf_open(sp->split_path, NULL);
	uint32_t bits = 0, size = 0;
	int mtype = 0, pointee = 0;

	if (kalone) {
		kbtf_find(kalone, "split_s", BTF_KIND_STRUCT);
		kbtf_member(kalone, 1, "owner", &bits, &mtype);
		kbtf_shape(kalone, 1, &size, &pointee);
		kbtf_name(kalone, 2);
	}
	ok(1, "the split file opened without its base: %s, no crash",
	   kalone ? "opened" : "refused");
	kbtf_close(kalone);
}

/* The subset, with split_s only in the "module". */
static void check_split_subset(const struct split_btf *sp)
{
	static const char *const want[] = {
		"split_s.owner", "split_s.fresh_member",
		"base_s.count", "split_s.nosuch",
	};
	const struct btf_type *t;
	struct kbtf_subset sub;
	struct btf *o = NULL;
	uint32_t lb = 0;
	int err, id, lt = 0;

	err = kbtf_subset(sp->kb, sp->ks, want, ARRAY_SIZE(want), &sub);
	o = !err ? btf__parse(sub.path, NULL) : NULL;

	ok(!err, "kbtf_subset(base, split module) = 0 (%d)", err);
	id = o ? btf__find_by_name_kind(o, "split_s", BTF_KIND_STRUCT) : -1;
	t = id > 0 ? btf__type_by_id(o, id) : NULL;
	ok(t && t->size == 48 && btf_vlen(t) == 2 &&
	   !lb_member(o, id, "fresh_member", 0, &lb, &lt, 0) && lb == 128,
	   "subset from vmlinux + module: the module's split_s with its "
	   "2 members");
	id = o ? btf__find_by_name_kind(o, "base_s", BTF_KIND_STRUCT) : -1;
	ok(id > 0 && btf__type_by_id(o, id)->size == 16 &&
	   btf_vlen(btf__type_by_id(o, id)) == 1,
	   "subset from vmlinux + module: vmlinux's base_s");
	btf__free(o);
	kbtf_subset_close(&sub);
}

static void test_split(void)
{
	struct split_btf sp;

	if (!build_split(&sp) &&
	    ok(sp.kb && sp.ks, "kbtf_open() of a base and its split BTF")) {
		check_split_finds(&sp);
		check_split_members(&sp);
		check_split_names(&sp);
		check_split_libbpf(&sp);
		check_split_alone(&sp);
		check_split_subset(&sp);
	} else {
		ok(0, "split BTF built and opened");
	}
	free_split(&sp);
}

/* -- 4. Malformed files --- */

/* A header and an INT "int", then a STRUCT "s" with vlen members of which
 * only have are written; type_len as given (0: what was written). */
static size_t make_raw(uint8_t *buf, size_t cap, uint16_t vlen, uint16_t have,
		       const struct btf_header *over)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION,
		.hdr_len = sizeof(h),
	};
	static const char strs[] = "\0int\0s\0m";
	uint32_t types[64], n = 0;
	size_t len;

	types[n++] = 1;
	types[n++] = (uint32_t)BTF_KIND_INT << 24;
	types[n++] = 4;
	types[n++] = 32;
	types[n++] = 5;
	types[n++] = (uint32_t)BTF_KIND_STRUCT << 24 | vlen;
	types[n++] = 4 * vlen;
	for (int i = 0; i < have; i++) {
		types[n++] = 7;
		types[n++] = 1;
		types[n++] = 32 * i;
	}
	h.type_len = n * 4;
	h.str_off = n * 4;
	h.str_len = sizeof(strs);
	if (over)
		h = *over;
	len = sizeof(h) + n * 4 + sizeof(strs);
	if (len > cap)
		return 0;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), types, n * 4);
	memcpy(buf + sizeof(h) + n * 4, strs, sizeof(strs));
	return len;
}

static void check_refused(const char *name, const void *data, size_t len,
			  int want_errno, const char *what)
{
	const char *path = write_tmp(name, data, len);
	struct kbtf *b;

	errno = 0;
	b = path ? kbtf_open(path, NULL) : NULL;
	if (!ok(path && !b && errno == want_errno,
		"kbtf_open(%s) = NULL, errno %s", what, strerror(want_errno)))
		printf("#   got %p errno %d (%s)\n", (void *)b, errno,
		       strerror(errno));
	kbtf_close(b);
	/* The read fallback must refuse it just the same. */
	errno = 0;
	b = open_via_pipe(data, len, NULL);
	ok(!b && errno == want_errno, "%s, read from a pipe: NULL, errno %s",
	   what, strerror(want_errno));
	kbtf_close(b);
}

/* make_raw() of vlen members, all written, under header h: refused. */
static void check_refused_header(uint16_t vlen, const struct btf_header *h,
				 const char *name, const char *what)
{
	uint8_t bad[512];
	size_t len = make_raw(bad, sizeof(bad), vlen, vlen, h);

	check_refused(name, bad, len, EINVAL, what);
}

/* The well-formed one first, so that refusals below mean something. */
static void check_raw_opens(const uint8_t *buf, size_t len)
{
	const char *path = write_tmp("good.btf", buf, len);
	struct kbtf *b = path ? kbtf_open(path, NULL) : NULL;
	uint32_t bits = 0;
	int type = 0;

	ok(b && kbtf_find(b, "s", BTF_KIND_STRUCT) == 2 &&
	   !kbtf_member(b, 2, "m", &bits, &type) && bits == 0 && type == 1,
	   "the hand-made BTF the malformed ones derive from opens");
	kbtf_close(b);
}

/* What is not a file of BTF: a missing file, a directory. */
static void check_not_files(void)
{
	struct kbtf *b;

	errno = 0;
	b = kbtf_open("/nonexistent/kbtf/vmlinux", NULL);
	ok(!b && errno == ENOENT, "kbtf_open(missing file) = NULL, ENOENT");
	kbtf_close(b);
	errno = 0;
	b = kbtf_open(tmpdir, NULL);
	ok(!b && errno, "kbtf_open(a directory) = NULL, errno set (%s)",
	   strerror(errno));
	kbtf_close(b);
}

/* Too short for a header, or not a header: buf is the good file. */
static void check_refused_headerless(const uint8_t *buf, size_t len)
{
	uint8_t bad[512];

	check_refused("empty.btf", "", 0, EINVAL, "an empty file");
	check_refused("short.btf", buf, 10, EINVAL, "10 bytes of header");
	check_refused("hdronly.btf", buf, sizeof(struct btf_header) - 1, EINVAL,
		      "a header less one byte");
	memcpy(bad, buf, len);
	((struct btf_header *)bad)->magic = 0x9feb;	/* the other endian */
	check_refused("magic.btf", bad, len, EINVAL, "wrong magic 0x9feb");
	memset(bad, 0, sizeof(bad));
	check_refused("zero.btf", bad, len, EINVAL, "zeros");
}

/* The good file's header with a section past the end of the file. */
static void check_refused_bounds(const uint8_t *buf, size_t len)
{
	struct btf_header good, h;

	memcpy(&good, buf, sizeof(good));
	h = good;
	h.type_len = len;
	check_refused_header(2, &h, "typelen.btf", "type_len past the end");
	h = good;
	h.str_len += 1;
	check_refused_header(2, &h, "strlen.btf", "str_len one past the end");
	h = good;
	h.str_off = 0xffffffff;
	check_refused_header(2, &h, "stroff.btf", "str_off 0xffffffff");
	h = good;
	h.type_off = 0xfffffffc;
	h.type_len = 0xfffffffc;
	check_refused_header(2, &h, "typeoff.btf", "type_off and type_len "
			     "0xfffffffc (no wrap-around)");
	h = good;
	h.hdr_len = 0x7ffffff0;
	check_refused_header(2, &h, "hdrlen.btf", "hdr_len past the end");
}

/* Types that run past the end of the type section. */
static void check_refused_types(void)
{
	uint8_t bad[512];
	struct btf_header good, h;
	size_t len;

	/* A struct of 3 members with 1 written: its members run past
	 * type_len (and into the strings). */
	len = make_raw(bad, sizeof(bad), 3, 1, NULL);
	check_refused("trunc.btf", bad, len, EINVAL,
		      "a struct whose members run past type_len");
	/* vlen 0xffff: far past the file. */
	len = make_raw(bad, sizeof(bad), 0xffff, 1, NULL);
	check_refused("vlen.btf", bad, len, EINVAL,
		      "a struct of vlen 0xffff in a small file");
	/* type_len ending inside the struct's header. */
	make_raw(bad, sizeof(bad), 0, 0, NULL);
	memcpy(&good, bad, sizeof(good));
	h = good;
	h.type_len -= 4;
	check_refused_header(0, &h, "partial.btf",
			     "type_len ending inside a type");
	/* type_len ending inside the INT's 4 extra bytes. */
	h = good;
	h.type_len = 14;
	check_refused_header(0, &h, "intextra.btf",
			     "type_len ending inside an INT's encoding");
}

/* Sections the header places or sizes wrong. */
static void check_refused_sections(void)
{
	uint8_t bad[512];
	struct btf_header h;
	size_t len;

	/* Strings without a final NUL: a name lookup would read past them. */
	len = make_raw(bad, sizeof(bad), 2, 2, NULL);
	memcpy(&h, bad, sizeof(h));
	bad[h.hdr_len + h.str_off + h.str_len - 1] = 'x';
	check_refused("nonul.btf", bad, len, EINVAL,
		      "a string section without its final NUL");
	/* Types at an offset that is not a multiple of 4. */
	len = make_raw(bad, sizeof(bad), 2, 2, NULL);
	memcpy(&h, bad, sizeof(h));
	h.type_off = 2;
	h.type_len -= 2;
	memcpy(bad, &h, sizeof(h));
	check_refused("misaligned.btf", bad, len, EINVAL,
		      "a type section not 4-byte aligned");
	/* A header shorter than struct btf_header says it is. */
	len = make_raw(bad, sizeof(bad), 2, 2, NULL);
	((struct btf_header *)bad)->hdr_len = 8;
	check_refused("hdrshort.btf", bad, len, EINVAL, "hdr_len 8");
}

/* No types at all is not malformed. */
static void check_no_types(void)
{
	uint8_t bad[512];
	struct btf_header h;
	const char *path;
	struct kbtf *b;
	uint32_t bits = 0;
	int type = 0;

	memset(&h, 0, sizeof(h));
	h.magic = BTF_MAGIC;
	h.version = BTF_VERSION;
	h.hdr_len = sizeof(h);
	h.str_len = 1;
	memcpy(bad, &h, sizeof(h));
	bad[sizeof(h)] = 0;
	path = write_tmp("notypes.btf", bad, sizeof(h) + 1);
	b = path ? kbtf_open(path, NULL) : NULL;
	ok(b && kbtf_find(b, "int", BTF_KIND_INT) == -1 &&
	   !strcmp(kbtf_name(b, 1), "") &&
	   kbtf_shape(b, 1, &bits, &type) == -1,
	   "a BTF of no types opens, finds nothing");
	kbtf_close(b);
}

static void test_malformed(void)
{
	uint8_t buf[512];
	size_t len = make_raw(buf, sizeof(buf), 2, 2, NULL);

	check_raw_opens(buf, len);
	check_not_files();
	check_refused_headerless(buf, len);
	check_refused_bounds(buf, len);
	check_refused_types();
	check_refused_sections();
	check_no_types();
	kbtf_close(NULL);
	ok(1, "kbtf_close(NULL)");
}

/* -- 5. The subset --- */

struct kernelish {
	struct btf *btf;
	int task, files_struct, fdtable, file, inode, list_head;
	int task_size, fdtable_size;
};

/* A kernel in miniature: what filecache reads, at made-up offsets. */
static int build_kernelish(struct kernelish *k)
{
	struct btf *btf = btf__new_empty();
	int err = 0, i_int, i_uint, i_ulong, i_u16, i_char, i_long, i_u8;
	int p_file, pp_file, p_fdt, p_files, p_inode, p_void, anon_s, anon_u;
	int fmode, fmode_td, rcu_file, arr, mode_enum, i_u64;

	memset(k, 0, sizeof(*k));
	k->btf = btf;
	if (!btf)
		return -1;
	err |= (i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED)) < 0;
	err |= (i_uint = btf__add_int(btf, "unsigned int", 4, 0)) < 0;
	err |= (i_ulong = btf__add_int(btf, "long unsigned int", 8, 0)) < 0;
	err |= (i_long = btf__add_int(btf, "long int", 8, BTF_INT_SIGNED)) < 0;
	err |= (i_u16 = btf__add_int(btf, "short unsigned int", 2, 0)) < 0;
	err |= (i_char = btf__add_int(btf, "char", 1, BTF_INT_SIGNED)) < 0;
	err |= (i_u8 = btf__add_int(btf, "unsigned char", 1, 0)) < 0;
	err |= (i_u64 = btf__add_int(btf, "long long unsigned int", 8, 0)) < 0;
	err |= (k->file = btf__add_fwd(btf, "file", BTF_FWD_STRUCT)) < 0;
	err |= (p_file = btf__add_ptr(btf, k->file)) < 0;
	err |= (rcu_file = btf__add_type_tag(btf, "rcu", p_file)) < 0;
	err |= (pp_file = btf__add_ptr(btf, rcu_file)) < 0;
	err |= (p_void = btf__add_ptr(btf, 0)) < 0;
	err |= (fmode_td = btf__add_typedef(btf, "fmode_t", i_uint)) < 0;
	err |= (fmode = btf__add_const(btf, fmode_td)) < 0;
	err |= (arr = btf__add_array(btf, i_int, i_char, 16)) < 0;
	err |= (mode_enum = btf__add_enum(btf, "state", 4)) < 0;
	err |= btf__add_enum_value(btf, "RUNNING", 0);

	err |= (k->list_head = btf__add_struct(btf, "list_head", 16)) < 0;
	err |= btf__add_field(btf, "next", p_void, 0, 0);
	err |= btf__add_field(btf, "prev", p_void, 64, 0);

	/* struct fdtable { unsigned int max_fds; struct file __rcu **fd; } */
	k->fdtable_size = 56;
	err |= (k->fdtable = btf__add_struct(btf, "fdtable", 56)) < 0;
	err |= btf__add_field(btf, "max_fds", i_uint, 0, 0);
	err |= btf__add_field(btf, "fd", pp_file, 64, 0);
	err |= btf__add_field(btf, "open_fds", p_void, 192, 0);
	err |= (p_fdt = btf__add_ptr(btf, k->fdtable)) < 0;
	err |= (k->files_struct = btf__add_struct(btf, "files_struct", 704)) < 0;
	err |= btf__add_field(btf, "count", i_int, 0, 0);
	err |= btf__add_field(btf, "fdt", p_fdt, 256, 0);
	err |= (p_files = btf__add_ptr(btf, k->files_struct)) < 0;

	/* The real struct file, after its forward declaration. */
	err |= (k->inode = btf__add_struct(btf, "inode", 600)) < 0;
	err |= btf__add_field(btf, "i_mode", i_u16, 0, 0);
	err |= btf__add_field(btf, "i_ino", i_ulong, 512, 0);
	err |= (p_inode = btf__add_ptr(btf, k->inode)) < 0;
	err |= btf__add_struct(btf, "file", 232) < 0;
	err |= btf__add_field(btf, "f_mode", fmode, 160, 0);
	err |= btf__add_field(btf, "f_inode", p_inode, 256, 0);
	err |= btf__add_field(btf, "private_data", p_void, 1024, 0);
	err |= btf__add_field(btf, "f_flags_u8", i_u8, 1088, 0);
	err |= btf__add_field(btf, "f_pos", i_u64, 1152, 0);
	k->file = btf__type_cnt(btf) - 1;

	/* struct task_struct { long state; ... union { void *x; struct {
	 * int pad; struct files_struct *files; }; }; ... } */
	err |= (anon_s = btf__add_struct(btf, NULL, 16)) < 0;
	err |= btf__add_field(btf, "pad", i_int, 0, 0);
	err |= btf__add_field(btf, "files", p_files, 64, 0);
	err |= (anon_u = btf__add_union(btf, NULL, 16)) < 0;
	err |= btf__add_field(btf, "x", p_void, 0, 0);
	err |= btf__add_field(btf, NULL, anon_s, 0, 0);
	k->task_size = 3264;
	err |= (k->task = btf__add_struct(btf, "task_struct", 3264)) < 0;
	err |= btf__add_field(btf, "state", mode_enum, 0, 0);
	err |= btf__add_field(btf, "prio", i_long, 64, 0);
	err |= btf__add_field(btf, NULL, anon_u, 13376, 0);
	err |= btf__add_field(btf, "comm", arr, 14080, 0);
	err |= btf__add_field(btf, "thread_node", k->list_head, 14208, 0);
	err |= btf__add_field(btf, "pid", i_int, 14336, 0);
	err |= btf__add_field(btf, "flags_char", i_char, 14368, 0);
	return err ? -1 : 0;
}

/*
 * In the subset o, spec ("type.member") as kbtf has it in k: the struct
 * at its size, the member at its bit offset, a PTR or an INT of its size.
 * A member that is a struct or an array may be left out (the subset only
 * makes scalars and pointers); say so.
 */
static void check_subset_member(const struct btf *o, const struct kbtf *k,
				const char *spec)
{
	char type[64];
	const char *dot = strchr(spec, '.'), *member = dot + 1;
	int kid, oid, ktype = 0, otype = 0, shape, pointee = 0;
	uint32_t kbits = 0, obits = 0, size = 0, ssize = 0;
	const struct btf_type *ot, *mt;

	snprintf(type, sizeof(type), "%.*s", (int)(dot - spec), spec);
	kid = kbtf_find(k, type, BTF_KIND_STRUCT);
	oid = btf__find_by_name_kind(o, type, BTF_KIND_STRUCT);
	ot = oid > 0 ? btf__type_by_id(o, oid) : NULL;
	if (kid < 0) {
		ok(!ot, "subset: %s: struct %s, absent from the kernel, left out",
		   spec, type);
		return;
	}
	if (kbtf_member(k, kid, member, &kbits, &ktype)) {
		ok(ot && lb_member(o, oid, member, 0, &obits, &otype, 0),
		   "subset: %s, absent from the kernel's %s, left out of it",
		   spec, type);
		return;
	}
	kbtf_shape(k, kid, &ssize, &pointee);
	if (!ok(ot && btf_is_struct(ot) && ot->size == ssize,
		"subset: struct %s present, size %u", type, ssize))
		return;
	shape = kbtf_shape(k, ktype, &size, &pointee);
	if (lb_member(o, oid, member, 0, &obits, &otype, 0)) {
		ok(shape != KBTF_SCALAR && shape != KBTF_POINTER,
		   "subset: %s left out: neither a scalar nor a pointer", spec);
		printf("#   note: %s (%s) is not in the subset\n", spec,
		       shape == KBTF_RECORD ? "a struct or union" :
		       "an array or other");
		return;
	}
	mt = btf__type_by_id(o, otype);
	ok(obits == kbits, "subset: %s at bit %u, as in the kernel", spec,
	   kbits);
	if (shape == KBTF_POINTER)
		ok(mt && btf_is_ptr(mt), "subset: %s is a PTR", spec);
	else if (shape == KBTF_SCALAR)
		ok(mt && btf_is_int(mt) && mt->size == size &&
		   btf_int_bits(mt) == size * 8 && btf_int_offset(mt) == 0,
		   "subset: %s is an INT of %u bytes", spec, size);
	else
		ok(mt != NULL, "subset: %s present, shape %d", spec, shape);
}

/* The subset's path: /proc/self/fd/<its fd>, open; closed by close. */
static void check_subset_fd(struct kbtf_subset *sub, const char *what)
{
	char want[32];
	int fd = sub->fd;

	snprintf(want, sizeof(want), "/proc/self/fd/%d", fd);
	ok(fd >= 0 && !strcmp(sub->path, want) && fcntl(fd, F_GETFD) >= 0 &&
	   (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	   "%s: path %s names its open memfd (close-on-exec)", what, sub->path);
	kbtf_subset_close(sub);
	errno = 0;
	ok(sub->fd == -1 && !sub->path[0] && fcntl(fd, F_GETFD) == -1 &&
	   errno == EBADF, "%s: kbtf_subset_close() closes fd %d, clears the "
	   "path", what, fd);
	kbtf_subset_close(sub);
	ok(sub->fd == -1, "%s: kbtf_subset_close() twice is harmless", what);
}

/* A synthetic BTF (c->in) through kbtf_subset(): the subset as libbpf
 * parses it, or NULL (said); subset_done() frees all of it. */
struct subset_case {
	struct btf *in, *o;
	struct kbtf *k;
	struct kbtf_subset sub;
	const char *path;
};

static struct btf *subset_of(struct subset_case *c, const char *file,
			     const char *const *want, int n, const char *what)
{
	int err;

	c->sub.fd = -1;
	c->path = write_btf(c->in, file);
	c->k = c->path ? kbtf_open(c->path, NULL) : NULL;
	err = c->k ? kbtf_subset(c->k, NULL, want, n, &c->sub) : -1;
	if (ok(!err, "kbtf_subset() of %s = 0 (%d)", what, err))
		c->o = btf__parse(c->sub.path, NULL);
	return c->o;
}

static void subset_done(struct subset_case *c)
{
	btf__free(c->o);
	kbtf_subset_close(&c->sub);
	kbtf_close(c->k);
	btf__free(c->in);
	if (c->path)
		unlink(c->path);
}

/* A member that is a struct also wanted is written as that struct, with
 * its own wanted members, whichever comes first by name. */
static void test_subset_nested(void)
{
	static const char *const want[] = { "inode.i_data", "inode.i_ino",
					    "address_space.nrpages" };
	struct subset_case c = { .in = btf__new_empty() };
	const struct btf_type *t = NULL, *mt = NULL;
	int u64, vp, id;

	u64 = btf__add_int(c.in, "long unsigned int", 8, 0);
	vp = btf__add_ptr(c.in, 0);
	/* Declared after its user: the subset must order them itself. */
	btf__add_struct(c.in, "inode", 640);
	btf__add_field(c.in, "i_ino", u64, 64, 0);
	btf__add_field(c.in, "i_data", u64 + 3, 1024, 0);
	btf__add_struct(c.in, "address_space", 200);
	btf__add_field(c.in, "host", vp, 0, 0);
	btf__add_field(c.in, "nrpages", u64, 704, 0);
	if (subset_of(&c, "nested.btf", want, 3, "a nested struct")) {
		id = btf__find_by_name_kind(c.o, "inode", BTF_KIND_STRUCT);
		t = id > 0 ? btf__type_by_id(c.o, id) : NULL;
	}
	if (t && btf_vlen(t) == 2)
		mt = btf__type_by_id(c.o, btf_members(t)[0].type);
	ok(mt && btf_is_struct(mt) && mt->size == 200 &&
	   !strcmp(btf__name_by_offset(c.o, mt->name_off), "address_space") &&
	   btf_member_bit_offset(t, 0) == 1024,
	   "subset: inode.i_data is the subset's struct address_space, at bit 1024");
	ok(mt && btf_vlen(mt) == 1 && btf_member_bit_offset(mt, 0) == 704,
	   "subset: its nrpages at bit 704, host left out");
	subset_done(&c);
}

/* Bitfields keep their offset and size in the subset, byte-aligned or not. */
static void test_subset_bitfields(void)
{
	static const char *const want[] = { "bf.low", "bf.mid", "bf.byte" };
	struct subset_case c = { .in = btf__new_empty() };
	const struct btf_type *t = NULL;
	int u32, id;

	u32 = btf__add_int(c.in, "unsigned int", 4, 0);
	btf__add_struct(c.in, "bf", 8);
	btf__add_field(c.in, "low", u32, 0, 3);
	btf__add_field(c.in, "mid", u32, 3, 5);	/* not on a byte */
	btf__add_field(c.in, "byte", u32, 16, 8);	/* on a byte */
	if (subset_of(&c, "bitfields.btf", want, 3, "bitfields")) {
		id = btf__find_by_name_kind(c.o, "bf", BTF_KIND_STRUCT);
		t = id > 0 ? btf__type_by_id(c.o, id) : NULL;
	}
	if (ok(t && btf_vlen(t) == 3 && btf_kflag(t),
	       "subset: the bitfield struct, with kind_flag"))
		ok(btf_member_bit_offset(t, 0) == 0 &&
		   btf_member_bitfield_size(t, 0) == 3 &&
		   btf_member_bit_offset(t, 1) == 3 &&
		   btf_member_bitfield_size(t, 1) == 5 &&
		   btf_member_bit_offset(t, 2) == 16 &&
		   btf_member_bitfield_size(t, 2) == 8,
		   "subset: bitfield offsets 0, 3, 16 and sizes 3, 5, 8 kept");
	subset_done(&c);
}

static void test_subset(void)
{
	static const char *const want[] = {
		"task_struct.files", "files_struct.fdt", "fdtable.max_fds",
		"fdtable.fd", "file.f_inode", "file.f_mode",
		"file.private_data", "file.f_flags_u8", "file.f_pos",
		"inode.i_ino", "inode.i_mode", "task_struct.state",
		"task_struct.pid", "task_struct.flags_char",
		"task_struct.prio", "task_struct.nosuch", "nosuch_struct.x",
		"ovl_file.realfile", "task_struct.comm",
		"task_struct.thread_node",
	};
	static const char *const no_dot[] = { "task_struct.files", "fdtable" };
	static const char *const long_name[] = {
		"a_struct_name_of_more_than_sixty_four_characters_is_not_taken_"
		"at_all.member",
	};
	struct kernelish kk;
	struct kbtf_subset sub = { .fd = -1 }, none = { .fd = -1 };
	struct kbtf *k;
	struct btf *o;
	const char *path;
	uint32_t bits;
	int err, id, type;

	if (!ok(!build_kernelish(&kk), "synthetic kernel-like BTF")) {
		btf__free(kk.btf);
		return;
	}
	path = write_btf(kk.btf, "kernelish.btf");
	k = path ? kbtf_open(path, NULL) : NULL;
	if (!ok(k, "kbtf_open(kernel-like BTF)")) {
		btf__free(kk.btf);
		return;
	}
	ok(!kbtf_member(k, kk.task, "files", &bits, &type) && bits == 13440,
	   "task_struct.files inside an anonymous union: bit 13440");
	check_member(k, kk.file, "file (after its forward declaration)",
		     "f_inode", 256, btf__find_by_name_kind(kk.btf, "inode",
							    BTF_KIND_STRUCT) + 1);

	err = kbtf_subset(k, NULL, want, ARRAY_SIZE(want), &sub);
	if (!ok(!err, "kbtf_subset() of %zu members = 0 (%d)",
		ARRAY_SIZE(want), err))
		goto out;
	o = btf__parse(sub.path, NULL);
	if (ok(o, "btf__parse(%s) of the subset", sub.path)) {
		uint32_t vlen = 0;

		for (size_t i = 0; i < ARRAY_SIZE(want); i++)
			check_subset_member(o, k, want[i]);
		id = btf__find_by_name_kind(o, "task_struct", BTF_KIND_STRUCT);
		if (id > 0)
			vlen = btf_vlen(btf__type_by_id(o, id));
		ok(vlen >= 5 && vlen <= 7,
		   "subset: task_struct has the 5 members asked for that are "
		   "scalars or pointers (%u)", vlen);
		ok(btf__find_by_name_kind(o, "nosuch_struct",
					  BTF_KIND_STRUCT) < 0 &&
		   btf__find_by_name_kind(o, "ovl_file", BTF_KIND_STRUCT) < 0,
		   "subset: no trace of the absent structs");
		ok(btf__find_by_name_kind(o, "list_head", BTF_KIND_STRUCT) < 0,
		   "subset: no struct that was not asked for");
		ok(btf__type_cnt(o) < 20,
		   "subset: small (%u types)", btf__type_cnt(o) - 1);
		btf__free(o);
	}
	check_subset_fd(&sub, "subset");

	err = kbtf_subset(k, NULL, no_dot, ARRAY_SIZE(no_dot), &none);
	ok(err == -EINVAL && none.fd == -1,
	   "kbtf_subset() of an entry without a dot: -EINVAL, fd -1 (%d)", err);
	err = kbtf_subset(k, NULL, long_name, 1, &none);
	ok(err == -EINVAL && none.fd == -1,
	   "kbtf_subset() of a struct name of 64+ characters: -EINVAL (%d)",
	   err);
	err = kbtf_subset(k, NULL, want, 0, &none);
	o = !err ? btf__parse(none.path, NULL) : NULL;
	ok(!err && o && btf__find_by_name_kind(o, "task_struct",
					       BTF_KIND_STRUCT) < 0,
	   "kbtf_subset() of nothing: an empty BTF libbpf parses (%d)", err);
	btf__free(o);
	kbtf_subset_close(&none);
out:
	kbtf_close(k);
	btf__free(kk.btf);
}

/* -- 6. The running kernel's BTF --- */

static const char *const kernel_members[] = {
	"task_struct.files", "task_struct.signal", "signal_struct.maxrss",
	"files_struct.fdt", "fdtable.fd", "file.f_mapping", "file.f_inode",
	"inode.i_mapping", "inode.i_sb", "super_block.s_magic",
	"address_space.nrpages", "mm_struct.arg_start",
	"task_struct.thread_node", "signal_struct.thread_head",
	"dentry.d_inode",
	/* The rest of filecache's core_members[]. */
	"fdtable.max_fds", "file.f_mode", "file.private_data", "inode.i_ino",
	"super_block.s_dev", "path.dentry", "ovl_file.realfile",
};

/* Bitfields of the real kernel: offsets under kind_flag. */
static const char *const kernel_bitfields[] = {
	"task_struct.sched_reset_on_fork", "task_struct.in_execve",
	"sk_buff.cloned", "sk_buff.pkt_type",
};

static void check_kernel_member(const struct kbtf *k, const struct btf *lb,
				const char *spec, bool required)
{
	char type[64];
	const char *dot = strchr(spec, '.');
	int lid, kid, ltype = 0, ktype = -1;
	uint32_t lbits = 0, kbits = 0;

	snprintf(type, sizeof(type), "%.*s", (int)(dot - spec), spec);
	lid = btf__find_by_name_kind(lb, type, BTF_KIND_STRUCT);
	kid = kbtf_find(k, type, BTF_KIND_STRUCT);
	if (lid < 0 || lb_member(lb, lid, dot + 1, 0, &lbits, &ltype, 0)) {
		if (required)
			ok(0, "vmlinux: libbpf finds %s", spec);
		else
			printf("# vmlinux has no %s\n", spec);
		return;
	}
	if (!ok(kid == lid && !kbtf_member(k, kid, dot + 1, &kbits, &ktype) &&
		kbits == lbits && ktype == ltype,
		"vmlinux: kbtf_member(%s) = bit %u (byte %u), type %d, as "
		"libbpf", spec, lbits, lbits / 8, ltype))
		printf("#   kbtf: struct %d bit %u type %d; libbpf: struct %d\n",
		       kid, kbits, ktype, lid);
}

/* Another BTF in /sys/kernel/btf: a module's, split on vmlinux. */
static void test_kernel_module(const struct kbtf *vm, struct btf *lb_vm)
{
	char path[300] = "";
	struct dirent *d;
	DIR *dir = opendir("/sys/kernel/btf");
	struct kbtf *k;
	struct btf *lb;

	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.' || !strcmp(d->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", d->d_name);
		if (!access(path, R_OK))
			break;
		path[0] = '\0';
	}
	if (dir)
		closedir(dir);
	if (!path[0]) {
		skip("no module BTF in /sys/kernel/btf (every module built in)");
		return;
	}
	k = kbtf_open(path, vm);
	lb = btf__parse_split(path, lb_vm);
	if (ok(k && lb, "%s: kbtf_open() and btf__parse_split() on vmlinux",
	       path)) {
		check_all_names(k, lb, 1, path);
		check_all_finds(k, lb, btf__type_cnt(lb_vm), path);
	}
	btf__free(lb);
	kbtf_close(k);
}

static void test_kernel(void)
{
	static const char *const structs[] = {
		"task_struct", "signal_struct", "files_struct", "fdtable",
		"file", "inode", "super_block", "address_space", "mm_struct",
		"dentry", "path", "no_such_struct_in_any_kernel",
	};
	int ids[ARRAY_SIZE(structs)], kid, lid, bad;
	struct kbtf_subset sub = { .fd = -1 };
	struct kbtf *k;
	struct btf *lb, *o;
	int err;

	if (access(VMLINUX_BTF, R_OK)) {
		skip(VMLINUX_BTF " not readable: no kernel BTF to compare with");
		return;
	}
	k = kbtf_open(VMLINUX_BTF, NULL);
	lb = btf__parse(VMLINUX_BTF, NULL);
	if (!ok(k && lb, "kbtf_open() and btf__parse() of " VMLINUX_BTF))
		goto out;

	for (size_t i = 0; i < ARRAY_SIZE(kernel_members); i++)
		check_kernel_member(k, lb, kernel_members[i],
				    i < 15 || strcmp(kernel_members[i],
						     "ovl_file.realfile"));
	for (size_t i = 0; i < ARRAY_SIZE(kernel_bitfields); i++)
		check_kernel_member(k, lb, kernel_bitfields[i], false);

	kid = kbtf_find(k, "vfs_getattr_nosec", BTF_KIND_FUNC);
	lid = btf__find_by_name_kind(lb, "vfs_getattr_nosec", BTF_KIND_FUNC);
	ok(kid == lid && kid > 0,
	   "vmlinux: kbtf_find(vfs_getattr_nosec, FUNC) = %d, libbpf's %d",
	   kid, lid);
	ok(kbtf_find(k, "vfs_getattr_nosec", BTF_KIND_STRUCT) == -1 &&
	   kbtf_find(k, "no_such_function_in_any_kernel", BTF_KIND_FUNC) == -1,
	   "vmlinux: absent names: -1");
	kbtf_find_all(k, structs, ARRAY_SIZE(structs), BTF_KIND_STRUCT, ids);
	bad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(structs); i++) {
		int want = btf__find_by_name_kind(lb, structs[i],
						  BTF_KIND_STRUCT);

		if (ids[i] != (want < 0 ? -1 : want)) {
			printf("#   %s: kbtf %d, libbpf %d\n", structs[i],
			       ids[i], want);
			bad++;
		}
	}
	ok(!bad, "vmlinux: kbtf_find_all() of %zu struct names at once = "
	   "libbpf's ids", ARRAY_SIZE(structs));

	check_all_names(k, lb, 1, "vmlinux");
	check_all_members(k, lb, "vmlinux");

	err = kbtf_subset(k, NULL, kernel_members, ARRAY_SIZE(kernel_members),
			  &sub);
	if (!ok(!err, "vmlinux: kbtf_subset() of %zu members = 0 (%d)",
		ARRAY_SIZE(kernel_members), err))
		goto out;
	o = btf__parse(sub.path, NULL);
	if (ok(o, "vmlinux: btf__parse() of the subset (%u types)",
	       o ? btf__type_cnt(o) - 1 : 0)) {
		for (size_t i = 0; i < ARRAY_SIZE(kernel_members); i++)
			check_subset_member(o, k, kernel_members[i]);
		btf__free(o);
	}
	check_subset_fd(&sub, "vmlinux subset");
	test_kernel_module(k, lb);
out:
	btf__free(lb);
	kbtf_close(k);
}

int main(void)
{
	if (!ok(!make_tmpdir(), "temporary directory %s", tmpdir))
		return tap_done();
	test_kinds();
	test_big_read();
	test_members();
	test_split();
	test_malformed();
	test_subset();
	test_subset_bitfields();
	test_subset_nested();
	test_kernel();
	remove_tmp();
	return tap_done();
}
