// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/mountinfo.h"
#include "util/readall.h"

/* The kernel writes space, tab, newline and backslash in a path as \ooo
 * (show_mountinfo(): mangle()); decoded in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++, w++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				    (s[3] - '0'));
			s += 3;
		} else {
			*w = *s;
		}
	}
	*w = '\0';
}

#define MAX_FIELDS 64

/* One line, split at spaces in place: "36 35 98:0 /mnt1 /mnt2 rw,noatime
 * master:1 - ext3 /dev/root rw". 0, or -1 when it does not parse. */
static int parse_line(char *line, struct mt_mount *m)
{
	char *f[MAX_FIELDS], *save = NULL, *end;
	int n = 0, dash = -1;

	for (char *t = strtok_r(line, " ", &save); t && n < MAX_FIELDS;
	     t = strtok_r(NULL, " ", &save)) {
		if (dash < 0 && n >= 6 && !strcmp(t, "-"))
			dash = n;
		f[n++] = t;
	}
	if (dash < 0 || n < dash + 2)
		return -1;
	m->id = (int)strtol(f[0], &end, 10);
	if (*end || sscanf(f[2], "%u:%u", &m->major, &m->minor) != 2)
		return -1;
	unescape(f[3]);
	unescape(f[4]);
	m->root = strdup(f[3]);
	m->point = strdup(f[4]);
	m->fstype = strdup(f[dash + 1]);
	if (!m->root || !m->point || !m->fstype) {
		free(m->root);
		free(m->point);
		free(m->fstype);
		return -ENOMEM;
	}
	return 0;
}

int mountinfo_parse(const char *text, size_t len, struct mountinfo *mi)
{
	size_t cap = 0, start = 0;
	char *line;
	int err = 0;

	*mi = (struct mountinfo){ 0 };
	while (start < len && !err) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t n = nl ? (size_t)(nl - text) - start : len - start;
		struct mt_mount m;

		if (mi->n == cap) {
			struct mt_mount *tmp;

			cap = cap ? 2 * cap : 64;
			tmp = realloc(mi->m, cap * sizeof(*tmp));
			if (!tmp) {
				err = -ENOMEM;
				break;
			}
			mi->m = tmp;
		}
		line = strndup(text + start, n);
		if (!line) {
			err = -ENOMEM;
			break;
		}
		err = parse_line(line, &m);
		free(line);
		if (!err)
			mi->m[mi->n++] = m;
		else if (err == -1)
			err = 0;
		start += n + 1;
	}
	if (err)
		mountinfo_free(mi);
	return err;
}

int mountinfo_read(const char *path, struct mountinfo *mi)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	size_t len;
	char *buf;

	*mi = (struct mountinfo){ 0 };
	if (fd < 0)
		return -errno;
	err = read_all(fd, 1 << 16, &buf, &len);
	close(fd);
	if (err)
		return err;
	err = mountinfo_parse(buf, len, mi);
	free(buf);
	return err;
}

void mountinfo_free(struct mountinfo *mi)
{
	for (size_t i = 0; i < mi->n; i++) {
		free(mi->m[i].root);
		free(mi->m[i].point);
		free(mi->m[i].fstype);
	}
	free(mi->m);
	*mi = (struct mountinfo){ 0 };
}

const struct mt_mount *mountinfo_by_id(const struct mountinfo *mi, int id)
{
	for (size_t i = 0; i < mi->n; i++)
		if (mi->m[i].id == id)
			return &mi->m[i];
	return NULL;
}

/* How much of fspath root covers (a whole number of components), or -1. */
static long covers(const char *root, const char *fspath)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return 0;
	if (strncmp(root, fspath, n) || (fspath[n] && fspath[n] != '/'))
		return -1;
	return (long)n;
}

char *mountinfo_path(const struct mountinfo *mi, unsigned int major,
		     unsigned int minor, const char *fspath)
{
	const struct mt_mount *best = NULL;
	long best_len = -1, n;
	const char *rest;
	char *out;

	for (size_t i = 0; i < mi->n; i++) {
		const struct mt_mount *m = &mi->m[i];

		if (m->major != major || m->minor != minor)
			continue;
		n = covers(m->root, fspath);
		if (n > best_len) {
			best = m;
			best_len = n;
		}
	}
	if (!best) {
		errno = ENOENT;
		return NULL;
	}
	rest = fspath + best_len;
	if (!*rest || !strcmp(rest, "/"))
		out = strdup(best->point);
	else if (!strcmp(best->point, "/"))
		out = strdup(rest);
	else if (asprintf(&out, "%s%s", best->point, rest) < 0)
		out = NULL;
	if (!out)
		errno = ENOMEM;
	return out;
}
